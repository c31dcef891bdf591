package io.beamline.benchmarks.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The batch part of the benchmark suite: every contender on every dataset size, one after the
 * other so that each has the machine to itself, then the results table, CSV and chart under
 * {@code --resultsDir}. Run by {@code scripts/benchmark.sh}.
 */
public final class BenchmarkSuite {
  /**
   * A run still going after this is stopped and shown as timed out: the slowest that finishes (Spark
   * at 4M events) takes about 20 minutes here, while Direct at 1M with the default heap thrashes in
   * its collector for far longer.
   */
  private static final long TIMEOUT_SECONDS = 45 * 60;

  /** The exit code of a batch run whose quality gate tripped (its audit record is complete). */
  static final int QUALITY_GATE_EXIT = 4;

  private BenchmarkSuite() {}

  public static void main(String[] args) throws Exception {
    SuiteOptions options;
    try {
      options = SuiteOptions.parse(args);
      MeasuredRun.requireGnuTime();
    } catch (IllegalArgumentException | IllegalStateException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    List<Measurement> measurements = new ArrayList<>();
    String classpath =
        Files.readString(options.classpathFile()).trim() + java.io.File.pathSeparator + options.classesDir().toAbsolutePath();
    String java = ProcessHandle.current().info().command().orElse("java");
    for (int events : options.sizes()) {
      BenchmarkDataset data = BenchmarkDataset.prepare(options.dataDir(), events, options.schemaDir());
      for (String name : options.contenders()) {
        if (name.startsWith("direct") && events > options.directMaxEvents()) {
          System.out.printf("skipping %s on %,d events (--directMaxEvents=%d)%n", name, events, options.directMaxEvents());
          continue;
        }
        if (options.variantsAtSmallestSizeOnly()
            && SuiteOptions.SMALLEST_SIZE_VARIANTS.contains(name)
            && events != options.sizes().get(0)) {
          System.out.printf("skipping %s on %,d events (variants run at the smallest size)%n", name, events);
          continue;
        }
        measurements.add(measure(Contenders.named(name), data, options, java, classpath));
      }
    }
    write(options, measurements);
  }

  static Measurement measure(
      Contender contender, BenchmarkDataset data, SuiteOptions options, String java, String classpath)
      throws IOException, InterruptedException {
    Path runs = options.dataDir().resolve("runs");
    Files.createDirectories(runs);
    Path out = runs.resolve(contender.name() + "-" + data.count());
    deleteTree(out);
    String runId = "bench-" + contender.name() + "-" + data.count();
    Path log = runs.resolve(contender.name() + "-" + data.count() + ".log");
    List<String> command =
        contender.commandLine().of(new Contender.RunContext(
            data, out.toAbsolutePath(), runId, java, classpath, options.jarsDir().toAbsolutePath()));
    System.out.printf("%-52s %,10d events ... ", contender.label(), data.count());
    System.out.flush();
    MeasuredRun.Usage usage = MeasuredRun.run(command, log, TIMEOUT_SECONDS);
    String problem = null;
    boolean gateTripped = usage.exitCode() == QUALITY_GATE_EXIT && contender.name().endsWith("-quality");
    if (gateTripped) {
      // The run went through; the suites judged the data (random sample ids collide at scale).
      Optional<RunOutcome> outcome = RunOutcome.fromAuditRecord(out, runId);
      problem = outcome.isPresent() && outcome.get().recordsIn() == data.expected().recordsIn()
          ? null
          : "quality gate exit without an audit of every record (see " + log + ")";
    } else if (usage.exitCode() != 0) {
      problem = usage.exitCode() < 0 ? "timed out" : "exit code " + usage.exitCode() + " (see " + log + ")";
    } else {
      Optional<RunOutcome> outcome =
          contender.isBeamline()
              ? RunOutcome.fromAuditRecord(out, runId)
              : RunOutcome.fromResultLine(Files.readAllLines(log));
      problem =
          outcome.isPresent()
              ? outcome.get().mismatch(data.expected()) // null: the counts are right
              : "no counts reported (see " + log + ")";
    }
    Measurement m = new Measurement(contender, data.count(), data.inputBytes(), usage.wallSeconds(),
        usage.cpuSeconds(), usage.peakRssBytes(), problem == null, problem);
    System.out.printf(Locale.ROOT, "%8.1f s %,9.0f events/s %6.2f GB%s%n", m.wallSeconds(), m.eventsPerSecond(),
        m.peakRssGigabytes(), problem == null ? "" : "  FAILED: " + problem);
    deleteTree(out); // 4M events write gigabytes; the counts are checked, the files are not kept
    return m;
  }

  static void write(SuiteOptions options, List<Measurement> measurements) throws IOException {
    ResultsTable table = new ResultsTable(measurements);
    String stamp = DateTimeFormatter.ofPattern("uuuuMMdd'T'HHmm'Z'").format(ZonedDateTime.now(ZoneOffset.UTC));
    Path dir = options.resultsDir().resolve(stamp + "-" + options.mode());
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("batch.csv"), table.csv());
    Files.writeString(dir.resolve("batch.svg"), ThroughputChart.svg(table));
    Files.writeString(dir.resolve("batch.md"),
        table.markdown("Batch ETL benchmark, " + options.mode() + " mode, " + stamp, MachineInfo.describe(), "batch.svg"));
    System.out.println();
    System.out.println(table.markdown("Batch ETL benchmark", MachineInfo.describe(), "batch.svg"));
    System.out.println("results: " + dir);
  }

  static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
        Files.delete(p);
      }
    }
  }
}
