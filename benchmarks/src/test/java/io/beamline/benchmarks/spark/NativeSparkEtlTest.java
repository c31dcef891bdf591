package io.beamline.benchmarks.spark;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.beamline.benchmarks.baseline.PlainJavaEtl;
import io.beamline.pipelines.etl.EtlTestSupport;
import io.beamline.pipelines.generate.GeneratedSample;
import io.beamline.transforms.testing.TestKeyrings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The native Spark job on a generated sample of 1,000 events, bad records and duplicates included,
 * in one Spark session for the class; the baseline runs on the same input for comparison.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NativeSparkEtlTest {
  private static final Path SHIPPED_SCHEMAS = Path.of("../schemas");

  private Path tmp;
  private GeneratedSample sample;
  private PlainJavaEtl.Result result;
  private Path input;
  private Path keyring;
  private Path schemas;
  private Path output;
  private Path baselineOutput;
  private SparkSession spark;
  private Connection db;

  @BeforeAll
  void runOnce(@TempDir Path dir) throws Exception {
    tmp = dir;
    input = tmp.resolve("in");
    sample = EtlTestSupport.generate(input, 1_000, 11L);
    keyring = TestKeyrings.writeKeyringFile(tmp);
    schemas = schemasWithoutQualitySuites(tmp.resolve("schemas"));
    output = tmp.resolve("out");
    spark = NativeSparkEtl.session("local[2]");
    // Two cores and a small sample: fewer shuffle tasks keep the class well inside its time budget.
    spark.conf().set("spark.sql.shuffle.partitions", "2");
    result = NativeSparkEtl.run(spark, args(output));
    baselineOutput = tmp.resolve("baseline");
    PlainJavaEtl.run(args(baselineOutput));
    db = EtlTestSupport.duckdb();
  }

  @AfterAll
  void stop() throws Exception {
    if (db != null) {
      db.close();
    }
    if (spark != null) {
      spark.stop();
    }
  }

  @Test
  void recordsInAreEveryLineOfTheInput() {
    assertThat(result.recordsIn(), equalTo(sample.totalLines()));
  }

  @Test
  void etlRowsPerTableAreTheGeneratorsExpectedRows() {
    Map<String, Long> nonZero = new TreeMap<>(result.etlRows());
    nonZero.values().removeIf(n -> n == 0);
    assertThat(nonZero, equalTo(sample.expectedEtlRows()));
  }

  @Test
  void deadLettersPerReasonAreTheGeneratorsExpectedOnes() {
    assertThat(result.deadLetters(), equalTo(sample.expectedDeadLetters()));
  }

  @Test
  void duplicatesAreTheGeneratedCopies() {
    assertThat(result.duplicates(), equalTo(sample.duplicates()));
  }

  @Test
  void parquetReadBackBySparkHoldsTheCountedRowsOfEachTable() {
    for (Map.Entry<String, Long> t : result.etlRows().entrySet()) {
      Path table = output.resolve("etl/shop/" + t.getKey());
      long rows = Files.isDirectory(table) ? spark.read().parquet(table.toString()).count() : 0;
      assertThat(t.getKey(), rows, equalTo(t.getValue()));
    }
  }

  @Test
  void sparkReadsTheHivePartitionColumnsBack() {
    List<String> columns = Arrays.asList(spark.read().parquet(output.resolve("etl/shop/orders").toString()).columns());
    assertThat(columns, hasItems("event_id", "tenant", "event_time", "_ingested_at", "dt", "hr"));
  }

  @Test
  void eachTableHasTheBaselinesHivePartitions() throws IOException {
    for (String table : result.etlRows().keySet()) {
      assertThat(table, partitions(output, table), equalTo(partitions(baselineOutput, table)));
    }
  }

  @Test
  void eachHivePartitionHoldsOneParquetFile() throws IOException {
    for (String table : result.etlRows().keySet()) {
      assertThat(table, parquetFiles(output, table).size(), equalTo(partitions(output, table).size()));
    }
  }

  @Test
  void rowsReadBackByDuckDbEqualTheBaselinesRows() {
    for (String table : result.etlRows().keySet()) {
      assertThat(table, duckDbRows(output, table), equalTo(duckDbRows(baselineOutput, table)));
    }
  }

  @Test
  void deadLetterFilesHoldOneLinePerRejectedRecord() throws IOException {
    long lines = 0;
    try (Stream<Path> files = Files.list(output.resolve("dlq"))) {
      for (Path f : (Iterable<Path>) files::iterator) {
        if (f.getFileName().toString().endsWith(".json")) {
          lines += Files.readAllLines(f).size();
        }
      }
    }
    assertThat(lines, equalTo(sample.badLines()));
  }

  @Test
  void aMissingSchemaDirIsRefusedNamingTheOption() {
    IllegalArgumentException e = assertThrows(
        IllegalArgumentException.class,
        () -> SparkEtlArguments.parse(
            "--inputPath=" + input, "--outputRoot=" + tmp.resolve("other"), "--keyringPath=" + keyring));
    assertThat(e.getMessage(), containsString("--schemaDir"));
  }

  @Test
  void anUnknownOptionIsRefusedNamingIt() {
    IllegalArgumentException e = assertThrows(
        IllegalArgumentException.class, () -> SparkEtlArguments.parse(args(tmp.resolve("other"), "--threads=2")));
    assertThat(e.getMessage(), containsString("--threads"));
  }

  @Test
  void anOutputRootWithAnEtlZoneIsRefusedNamingTheOption() {
    IllegalArgumentException e = assertThrows(
        IllegalArgumentException.class, () -> SparkEtlArguments.parse(args(output)));
    assertThat(e.getMessage(), containsString("--outputRoot"));
  }

  @Test
  void aWriteEtlThatIsNotABooleanIsRefusedNamingTheOption() {
    IllegalArgumentException e = assertThrows(
        IllegalArgumentException.class, () -> SparkEtlArguments.parse(args(tmp.resolve("other"), "--writeEtl=yes")));
    assertThat(e.getMessage(), containsString("--writeEtl"));
  }

  private String[] args(Path out, String... extra) {
    List<String> a = new ArrayList<>(List.of(
        "--inputPath=" + input, "--outputRoot=" + out, "--keyringPath=" + keyring, "--schemaDir=" + schemas));
    a.addAll(List.of(extra));
    return a.toArray(new String[0]);
  }

  /** The rows of one table as text, partition first, without _ingested_at; sorted. */
  private List<String> duckDbRows(Path root, String table) {
    if (!Files.isDirectory(root.resolve("etl/shop/" + table))) {
      return List.of();
    }
    String sql = "SELECT regexp_extract(filename, 'tenant=[^/]+/dt=[^/]+/hr=[^/]+') AS partition, "
        + "* EXCLUDE (_ingested_at, filename, tenant, dt, hr) FROM " + EtlTestSupport.etlTable(root, table, true);
    List<String> rows = new ArrayList<>();
    for (Map<String, String> row : EtlTestSupport.query(db, sql)) {
      rows.add(row.toString());
    }
    rows.sort(null);
    return rows;
  }

  private static List<String> partitions(Path root, String table) throws IOException {
    return parquetFiles(root, table).stream().map(p -> p.getParent().toString()).distinct().sorted().toList();
  }

  /** Parquet files of a table, as paths relative to the table's directory. */
  private static List<Path> parquetFiles(Path root, String table) throws IOException {
    Path dir = root.resolve("etl/shop/" + table);
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(p -> p.getFileName().toString().endsWith(".parquet")).map(dir::relativize).sorted().toList();
    }
  }

  private static Path schemasWithoutQualitySuites(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(SHIPPED_SCHEMAS)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        String name = f.getFileName().toString();
        if (Files.isRegularFile(f) && name.endsWith(".json") && !name.contains(".quality.")) {
          Path to = dir.resolve(SHIPPED_SCHEMAS.relativize(f).toString());
          Files.createDirectories(to.getParent());
          Files.copy(f, to);
        }
      }
    }
    return dir;
  }
}
