package io.beamline.benchmarks.spark;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.sum;

import io.beamline.benchmarks.baseline.PlainJavaEtl;
import io.beamline.benchmarks.baseline.RecordDecoder;
import java.io.PrintStream;
import java.nio.file.Files;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.io.LongWritable;
import org.apache.hadoop.io.Text;
import org.apache.hadoop.mapreduce.lib.input.TextInputFormat;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.util.LongAccumulator;

/**
 * The native Spark job of Beamline's batch {@code etl}: what a Spark user would write instead of
 * Beamline, with Spark SQL 3.5 on {@code local[2]}. Same per-record work as the plain-Java
 * baseline (its parser, decryptor, flattener, validator and pii protection, through {@link
 * RecordDecoder}, one per partition), then Spark does the rest:
 *
 * <ol>
 *   <li>the input files (plain or {@code .gz}) read as raw lines with Hadoop's TextInputFormat
 *       (split on '\n' only, as the baseline; raw bytes, because {@code spark.read().textFile}
 *       decodes UTF-8 leniently and would turn the sample's non-UTF-8 lines into valid events);
 *   <li>{@code mapPartitions}: each line becomes a dead letter or an event with its rows of every
 *       table as arrays of structs; this decoded Dataset is persisted (MEMORY_AND_DISK_SER) and
 *       counted by reason in one job;
 *   <li>dead letters written as JSON lines to {@code <outputRoot>/dlq/} ({@code reason, detail,
 *       line} or {@code line_base64});
 *   <li>events deduplicated by (tenant, event_id) with {@code dropDuplicates}, repartitioned by
 *       (tenant, dt, hr) so that each Hive partition is written by one task (one file per
 *       partition and table, as Beamline and the baseline; without it every shuffle partition
 *       would write a file into every Hive partition), persisted, counted in one job;
 *   <li>per table: the row arrays exploded and written with {@code partitionBy("tenant","dt","hr")}
 *       as Snappy Parquet to {@code <outputRoot>/etl/<source>/<table>/tenant=/dt=/hr=}. Spark
 *       keeps partition columns out of the files (tenant is in the path only, unlike Beamline's
 *       files); timestamps are INT64 TIMESTAMP_MICROS (UTC) as Beamline's; decimals are
 *       Spark's DECIMAL(38, s) in FIXED_LEN_BYTE_ARRAY where Beamline writes BINARY.
 * </ol>
 *
 * <p>{@code spark.sql.shuffle.partitions} is 8 unless set as a {@code -Dspark.sql...} property:
 * 4 tasks per core of {@code local[2]}, enough to balance the two cores and keep each task's
 * dedup state small, where Spark's default 200 would make 200 tiny tasks per shuffle.
 *
 * <pre>
 * java --add-exports=java.base/sun.nio.ch=ALL-UNNAMED ...(Spark's Java 17 flags) \
 *   -cp $(cat benchmarks/target/runtime-classpath.txt):benchmarks/target/classes \
 *   io.beamline.benchmarks.spark.NativeSparkEtl --inputPath=DIR --outputRoot=DIR \
 *   --keyringPath=FILE --schemaDir=DIR [--master=local[2]] [--writeEtl=true]
 * </pre>
 *
 * Prints a summary line, then as its last line the baseline's {@code RESULT {"records_in":N,
 * "etl_rows":{...},"dead_letters":{...},"duplicates":N}}; exit code 0, 2 for bad arguments
 * (naming the option), 1 when the run fails.
 */
public final class NativeSparkEtl {
  static final String DEFAULT_SHUFFLE_PARTITIONS = "8";

  private NativeSparkEtl() {}

  public static void main(String[] args) {
    // Spark logs through slf4j-simple here; its INFO lines per task cost CPU the measurement would count.
    if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
      System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    }
    SparkEtlArguments arguments;
    RecordDecoder checked;
    try {
      arguments = SparkEtlArguments.parse(args);
      // Loads and checks keyring and schemas before Spark starts; their errors name the option.
      checked = new RecordDecoder(arguments.schemaDir(), arguments.keyringPath(), 0L);
    } catch (IllegalArgumentException e) {
      System.err.println("native-spark-etl: " + e.getMessage());
      System.exit(2);
      return;
    } catch (Exception e) {
      System.err.println("native-spark-etl failed: " + e);
      System.exit(1);
      return;
    }
    PlainJavaEtl.Result r;
    SparkSession spark = session(arguments.master());
    try {
      r = run(spark, arguments, checked.tables());
    } catch (Exception e) {
      System.err.println("native-spark-etl failed: " + e);
      System.exit(1);
      return;
    } finally {
      spark.stop();
    }
    PrintStream out = System.out;
    out.printf(
        "native-spark-etl: %d records (%.1f MB) in %.2f s: %.0f records/s, master %s, writeEtl %b%n",
        r.recordsIn(), r.inputBytes() / 1e6, r.seconds(), r.recordsIn() / r.seconds(), arguments.master(),
        arguments.writeEtl());
    out.println(r.resultLine());
    out.flush();
  }

  /** The Spark session the job runs in; {@code spark.*} system properties still apply. */
  static SparkSession session(String master) {
    SparkSession.Builder b = SparkSession.builder()
        .appName("native-spark-etl")
        .master(master)
        .config("spark.ui.enabled", System.getProperty("spark.ui.enabled", "false"))
        // One machine: stay on loopback unless told otherwise.
        .config("spark.driver.bindAddress", System.getProperty("spark.driver.bindAddress", "127.0.0.1"))
        .config("spark.driver.host", System.getProperty("spark.driver.host", "127.0.0.1"))
        .config("spark.sql.shuffle.partitions", System.getProperty("spark.sql.shuffle.partitions", DEFAULT_SHUFFLE_PARTITIONS))
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.datetime.java8API.enabled", "true")
        .config("spark.sql.parquet.outputTimestampType", "TIMESTAMP_MICROS")
        .config("spark.sql.parquet.compression.codec", "snappy");
    return b.getOrCreate();
  }

  /** Runs the job with its arguments in an existing session; for tests. */
  static PlainJavaEtl.Result run(SparkSession spark, String... args) throws Exception {
    SparkEtlArguments a = SparkEtlArguments.parse(args);
    return run(spark, a, new RecordDecoder(a.schemaDir(), a.keyringPath(), 0L).tables());
  }

  static PlainJavaEtl.Result run(SparkSession spark, SparkEtlArguments args, List<RecordDecoder.Table> tables)
      throws Exception {
    long started = System.nanoTime();
    long ingestedAtMicros = ChronoUnit.MICROS.between(Instant.EPOCH, Instant.now());
    Files.createDirectories(args.outputRoot());
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    LongAccumulator inputBytes = spark.sparkContext().longAccumulator("input bytes");

    Configuration lines = new Configuration(jsc.hadoopConfiguration());
    lines.set("textinputformat.record.delimiter", "\n");
    JavaRDD<Row> decodedRows = jsc
        .newAPIHadoopFile(args.inputPath().toAbsolutePath().toString(), TextInputFormat.class, LongWritable.class, Text.class, lines)
        .mapPartitions(new DecodePartition(args.schemaDir(), args.keyringPath(), ingestedAtMicros, inputBytes));
    Dataset<Row> decoded = spark.createDataFrame(decodedRows, DecodePartition.schema(tables))
        .persist(StorageLevel.MEMORY_AND_DISK_SER());

    long recordsIn = 0;
    long accepted = 0;
    Map<String, Long> deadLetters = new TreeMap<>();
    for (Row r : decoded.groupBy(DecodePartition.REASON).count().collectAsList()) {
      long n = r.getLong(1);
      recordsIn += n;
      if (r.isNullAt(0)) {
        accepted = n;
      } else {
        deadLetters.put(r.getString(0), n);
      }
    }

    String root = args.outputRoot().toAbsolutePath().toString();
    decoded.filter(col(DecodePartition.REASON).isNotNull())
        .select(DecodePartition.REASON, DecodePartition.DETAIL, DecodePartition.LINE, DecodePartition.LINE_BASE64)
        .write().json(root + "/dlq");

    Dataset<Row> events = decoded.filter(col(DecodePartition.REASON).isNull())
        .drop(DecodePartition.REASON, DecodePartition.DETAIL, DecodePartition.LINE, DecodePartition.LINE_BASE64)
        .dropDuplicates(DecodePartition.TENANT, DecodePartition.EVENT_ID)
        .repartition(col(DecodePartition.TENANT), col(DecodePartition.DT), col(DecodePartition.HR))
        .persist(StorageLevel.MEMORY_AND_DISK_SER());
    List<Column> sums = new ArrayList<>();
    for (RecordDecoder.Table t : tables) {
      sums.add(sum(size(col(DecodePartition.rowsColumn(t)))));
    }
    Row totals = events.agg(count(lit(1)), sums.toArray(new Column[0])).first();
    decoded.unpersist();
    long unique = totals.getLong(0);
    Map<String, Long> etlRows = new TreeMap<>();
    for (int i = 0; i < tables.size(); i++) {
      etlRows.merge(tables.get(i).table(), totals.isNullAt(i + 1) ? 0L : totals.getLong(i + 1), Long::sum);
    }

    if (args.writeEtl()) {
      for (RecordDecoder.Table t : tables) {
        events.select(col(DecodePartition.DT), col(DecodePartition.HR), explode(col(DecodePartition.rowsColumn(t))).as("r"))
            .select(col("r.*"), col(DecodePartition.DT), col(DecodePartition.HR))
            .write()
            .partitionBy(DecodePartition.TENANT, DecodePartition.DT, DecodePartition.HR)
            .option("compression", "snappy")
            .parquet(root + "/etl/" + t.source() + "/" + t.table());
      }
    }
    events.unpersist();
    return new PlainJavaEtl.Result(
        recordsIn, etlRows, deadLetters, accepted - unique, inputBytes.value(), (System.nanoTime() - started) / 1e9);
  }
}
