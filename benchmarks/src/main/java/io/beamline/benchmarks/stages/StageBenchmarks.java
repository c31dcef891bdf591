package io.beamline.benchmarks.stages;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs the per-stage JMH benchmarks ({@link StageCostBenchmark}) through JMH's Runner API, writes
 * JMH's JSON result file, and prints a compact table of microseconds per record.
 *
 * <pre>
 * java -cp benchmarks/target/classes:$(cat benchmarks/target/runtime-classpath.txt) \
 *     io.beamline.benchmarks.stages.StageBenchmarks --mode=quick --resultFile=target/jmh-stages.json
 * </pre>
 *
 * Options: {@code --mode=quick} (1 fork, 2 x 1 s warmup, 3 x 1 s measurement; under 2 minutes) or
 * {@code full} (2 forks, 3 x 2 s warmup, 5 x 2 s measurement); {@code --resultFile=PATH}
 * (default {@code target/jmh-stages.json}); {@code --schemaDir=DIR} (default {@code schemas} or
 * {@code ../schemas}); {@code --include=REGEX} to run only the benchmark methods it finds. JMH forks
 * its JVMs with this JVM's class path, so run it with {@code java -cp}, not {@code mvn exec:java}.
 * Exit code 2 for a bad option.
 */
public final class StageBenchmarks {
  /** Benchmarks that count one etl row per operation; the others count one event (or file). */
  static final Set<String> PER_ROW = Set.of("avroRecord", "parquetEncode", "coderEtlRow");

  /** Benchmarks that count one Parquet file per operation. */
  static final Set<String> PER_FILE = Set.of("parquetFileOverhead");

  /** The five stages whose sum the chain benchmark checks. */
  static final List<String> CHAIN_PARTS =
      List.of("parseEnvelope", "decryptPayload", "flattenRecord", "validateAgainstSchema", "protectPersonalData");

  static final String CHAIN = "chainParseToProtect";

  /** Table order: the record's way through the pipeline, then the coders between stages. */
  static final List<String> ORDER =
      List.of(
          "parseEnvelope", "decryptPayload", "flattenRecord", "validateAgainstSchema", "protectPersonalData",
          CHAIN, "avroRecord", "parquetEncode", "parquetFileOverhead", "coderEnvelope", "coderDecodedEvent", "coderFlatEvent",
          "coderValidatedEvent", "coderEtlRow");

  private StageBenchmarks() {}

  /** What the command line asks for. */
  record Settings(String mode, Path resultFile, Path schemaDir, String include) {
    static Settings parse(String... args) {
      Map<String, String> given = new LinkedHashMap<>();
      for (String arg : args) {
        int eq = arg.indexOf('=');
        if (!arg.startsWith("--") || eq < 0) {
          throw new IllegalArgumentException("options are --name=value, got " + arg);
        }
        String name = arg.substring(2, eq);
        if (!Set.of("mode", "resultFile", "schemaDir", "include").contains(name)) {
          throw new IllegalArgumentException(
              "unknown option --" + name + " (known: --mode, --resultFile, --schemaDir, --include)");
        }
        given.put(name, arg.substring(eq + 1));
      }
      String mode = given.getOrDefault("mode", "quick");
      if (!mode.equals("quick") && !mode.equals("full")) {
        throw new IllegalArgumentException("--mode must be quick or full, got " + mode);
      }
      Path schemaDir =
          given.containsKey("schemaDir") ? Path.of(given.get("schemaDir")) : StagePool.schemaDir();
      if (!Files.isRegularFile(schemaDir.resolve("shop/orders.json"))) {
        throw new IllegalArgumentException("--schemaDir holds no shop/orders.json: " + schemaDir);
      }
      return new Settings(
          mode,
          Path.of(given.getOrDefault("resultFile", "target/jmh-stages.json")).toAbsolutePath(),
          schemaDir.toAbsolutePath().normalize(),
          given.getOrDefault("include", ".*"));
    }

    /** JMH options of this mode, the forks reading the pool from {@code poolFile}. */
    ChainedOptionsBuilder jmhOptions(Path poolFile) {
      boolean quick = mode.equals("quick");
      return new OptionsBuilder()
          .include("^" + Pattern.quote(StageCostBenchmark.class.getName()) + "\\.(" + include + ")$")
          .mode(Mode.AverageTime)
          .timeUnit(TimeUnit.MICROSECONDS)
          .forks(quick ? 1 : 2)
          .warmupIterations(quick ? 2 : 3)
          .warmupTime(TimeValue.seconds(quick ? 1 : 2))
          .measurementIterations(quick ? 3 : 5)
          .measurementTime(TimeValue.seconds(quick ? 1 : 2))
          .threads(1)
          // The stages need no JVM flags (no Spark here); a fixed heap keeps GC alike across forks.
          .jvmArgsAppend(
              "-Xms1g",
              "-Xmx1g",
              "-D" + StagePool.SCHEMA_DIR_PROPERTY + "=" + schemaDir,
              "-D" + StagePool.POOL_FILE_PROPERTY + "=" + poolFile,
              "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
              // Once per fork: the stages count into Beam metrics, and no runner collects them here.
              "-Dorg.slf4j.simpleLogger.log.org.apache.beam.sdk.metrics.MetricsEnvironment=error")
          .resultFormat(ResultFormatType.JSON)
          .result(resultFile.toString())
          .shouldFailOnError(true);
    }
  }

  public static void main(String[] args) throws Exception {
    // Once per JVM: the stages count into Beam metrics, and no runner collects them here.
    System.setProperty("org.slf4j.simpleLogger.log.org.apache.beam.sdk.metrics.MetricsEnvironment", "error");
    Settings settings;
    try {
      settings = Settings.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("stage benchmarks: " + e.getMessage());
      System.exit(2);
      return;
    }
    Files.createDirectories(settings.resultFile().getParent());
    // Built once here and handed to every fork in a file: a fork that built it again would spend
    // seconds on the generator and on Beam's options and pipeline setup before measuring.
    StagePool pool = StagePool.generate(settings.schemaDir(), StagePool.DEFAULT_EVENTS);
    pool.stages.teardown();
    Path poolFile = Files.createTempDirectory("beamline-stage-benchmarks").resolve("pool.ser");
    try {
      pool.writeTo(poolFile);
      Collection<RunResult> results = run(settings, poolFile);
      System.out.println();
      printTable(System.out, rowsOf(results), PoolShape.of(pool));
      System.out.println("JMH results (JSON): " + settings.resultFile());
    } finally {
      Files.deleteIfExists(poolFile);
      Files.deleteIfExists(poolFile.getParent());
    }
  }

  static Collection<RunResult> run(Settings settings, Path poolFile) throws RunnerException {
    return new Runner(settings.jmhOptions(poolFile).build()).run();
  }

  /** What the table says of the pool: its events, their mean line length and rows per event. */
  record PoolShape(int events, double meanLineBytes, double rowsPerEvent) {
    static PoolShape of(StagePool pool) {
      return new PoolShape(pool.lines.length, pool.meanLineBytes(), pool.rowsPerEvent());
    }
  }

  /** One benchmark's score. */
  record Row(String benchmark, double microseconds, double error) {
    /** The benchmark method, without the {@code @SINK} of a variant. */
    String base() {
      int at = benchmark.indexOf('@');
      return at < 0 ? benchmark : benchmark.substring(0, at);
    }
  }

  static List<Row> rowsOf(Collection<RunResult> results) {
    List<Row> rows = new ArrayList<>();
    for (RunResult r : results) {
      String name = r.getParams().getBenchmark();
      String sink = r.getParams().getParam("sink");
      rows.add(
          new Row(
              name.substring(name.lastIndexOf('.') + 1)
                  + (sink == null || sink.equals("BEAMLINE") ? "" : "@" + sink),
              r.getPrimaryResult().getScore(),
              r.getPrimaryResult().getScoreError()));
    }
    rows.sort(
        Comparator.comparingInt(
            (Row row) -> ORDER.contains(row.base()) ? ORDER.indexOf(row.base()) : ORDER.size()));
    return rows;
  }

  /**
   * The table: per benchmark its unit (event or etl row), microseconds per unit with JMH's 99.9 %
   * error, units per second (1 / mean, one thread), and microseconds per event (a row's cost times
   * the pool's rows per event); then the sum of the five stages beside the chain.
   */
  static void printTable(PrintStream out, List<Row> rows, PoolShape pool) {
    out.printf(
        Locale.ROOT,
        "Per-record stage cost (one thread; pool: %d encrypted shop events, mean line %.0f bytes, %.2f etl rows per event)%n",
        pool.events(),
        pool.meanLineBytes(),
        pool.rowsPerEvent());
    out.printf(Locale.ROOT, "%-36s %-5s %12s %10s %12s %12s%n", "stage", "per", "us/record", "+-error", "records/s", "us/event");
    Map<String, Row> byName = new LinkedHashMap<>();
    for (Row row : rows) {
      byName.put(row.benchmark(), row);
      boolean perRow = PER_ROW.contains(row.base());
      boolean perFile = PER_FILE.contains(row.base());
      out.printf(
          Locale.ROOT,
          "%-36s %-5s %12.3f %10.3f %12.0f %12s%n",
          row.benchmark(),
          perRow ? "row" : perFile ? "file" : "event",
          row.microseconds(),
          row.error(),
          1e6 / row.microseconds(),
          perFile
              ? "-"
              : String.format(
                  Locale.ROOT, "%.3f", perRow ? row.microseconds() * pool.rowsPerEvent() : row.microseconds()));
    }
    if (byName.keySet().containsAll(CHAIN_PARTS) && byName.containsKey(CHAIN)) {
      double sum = 0;
      double error = 0;
      for (String part : CHAIN_PARTS) {
        sum += byName.get(part).microseconds();
        error += byName.get(part).error();
      }
      Row chain = byName.get(CHAIN);
      out.printf(
          Locale.ROOT,
          "sum of parse..protect: %.3f +- %.3f us/event; chain: %.3f +- %.3f us/event (chain/sum %.2f)%n",
          sum, error, chain.microseconds(), chain.error(), chain.microseconds() / sum);
    }
  }
}
