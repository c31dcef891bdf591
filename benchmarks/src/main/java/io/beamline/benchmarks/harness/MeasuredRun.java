package io.beamline.benchmarks.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs one command in a process of its own under GNU time, so that wall time, CPU seconds and
 * peak resident memory are the kernel's figures for that process and not a sample of them.
 */
public final class MeasuredRun {
  static final Path GNU_TIME = Path.of("/usr/bin/time");
  private static final String MARK = "BENCHMARK_TIME";

  /** What the kernel reported for a finished process. */
  public record Usage(int exitCode, double wallSeconds, double cpuSeconds, long peakRssBytes) {}

  private MeasuredRun() {}

  /** Checked once before the suite starts. */
  static void requireGnuTime() {
    if (!Files.isExecutable(GNU_TIME)) {
      throw new IllegalStateException(
          GNU_TIME + " (GNU time) is needed to measure CPU time and peak memory: apt-get install time");
    }
  }

  /** Runs {@code command}, its output going to {@code log}; kills it after {@code timeoutSeconds}. */
  public static Usage run(List<String> command, Path log, long timeoutSeconds)
      throws IOException, InterruptedException {
    Path timeFile = log.resolveSibling(log.getFileName() + ".time");
    List<String> timed = new ArrayList<>(List.of(GNU_TIME.toString(), "-o", timeFile.toString(),
        "-f", MARK + " %x %e %U %S %M"));
    timed.addAll(command);
    Process p = new ProcessBuilder(timed).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly().waitFor();
      return new Usage(-1, timeoutSeconds, Double.NaN, -1);
    }
    List<String> figures = Files.exists(timeFile) ? Files.readAllLines(timeFile) : List.of();
    if (figures.stream().noneMatch(l -> l.startsWith(MARK + " "))) {
      // GNU time itself was killed (a signal to the process group): no kernel figures to report.
      return new Usage(p.exitValue() == 0 ? -1 : p.exitValue(), Double.NaN, Double.NaN, -1);
    }
    return parse(figures, p.exitValue());
  }

  /** The figures of GNU time's line {@code BENCHMARK_TIME <exit> <wall s> <user s> <sys s> <max RSS KiB>}. */
  static Usage parse(List<String> timeOutput, int exitCode) {
    for (String line : timeOutput) {
      if (line.startsWith(MARK + " ")) {
        String[] f = line.trim().split("\\s+");
        return new Usage(
            exitCode,
            Double.parseDouble(f[2]),
            Double.parseDouble(f[3]) + Double.parseDouble(f[4]),
            Long.parseLong(f[5]) * 1024L);
      }
    }
    throw new IllegalStateException("GNU time wrote no figures: " + timeOutput);
  }
}
