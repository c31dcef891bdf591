package io.beamline.benchmarks.harness;

import java.nio.file.Path;
import java.util.List;

/**
 * One way of doing the batch ETL that the suite measures: Beamline on a runner (its bundled jar),
 * the hand-written baseline or the native Spark job, with or without the etl zone's write.
 *
 * @param name the suite's name for it ({@code --contenders})
 * @param label how results show it
 * @param baselineOf the contender whose events/s this one is compared to
 * @param writesEtl whether the etl rows are written (false: everything but the Parquet write)
 */
public record Contender(
    String name, String label, String baselineOf, boolean writesEtl, CommandLine commandLine) {

  /** The command that runs the contender on a dataset into an output directory. */
  @FunctionalInterface
  public interface CommandLine {
    List<String> of(RunContext context);
  }

  /** What a command line is built from. */
  public record RunContext(
      BenchmarkDataset dataset, Path outputRoot, String runId, String java, String classpath, Path jarsDir) {}

  /** Whether this contender reports its counts in Beamline's audit record (else a RESULT line). */
  public boolean isBeamline() {
    return name.startsWith("direct") || name.startsWith("flink") || name.startsWith("spark");
  }
}
