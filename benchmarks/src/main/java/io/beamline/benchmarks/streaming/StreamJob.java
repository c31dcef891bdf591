package io.beamline.benchmarks.streaming;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The {@code stream} command running in a JVM of its own from a bundled runner jar, its output in
 * a log file. Its CPU time and resident memory are read from outside (the process handle and
 * /proc), as the rest of the suite measures its contenders.
 */
final class StreamJob implements AutoCloseable {
  private final Process process;
  private final Path log;

  private StreamJob(Process process, Path log) {
    this.process = process;
    this.log = log;
  }

  static StreamJob start(Path jar, List<String> jvmArgs, List<String> streamArgs, Path log) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmArgs);
    command.add("-jar");
    command.add(jar.toString());
    command.add("stream");
    command.addAll(streamArgs);
    Files.createDirectories(log.toAbsolutePath().getParent());
    Process p =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    return new StreamJob(p, log);
  }

  boolean isAlive() {
    return process.isAlive();
  }

  Path log() {
    return log;
  }

  /** CPU seconds the job's JVM has used so far (user + system), or -1 if unknown. */
  double cpuSeconds() {
    Optional<Duration> cpu = process.toHandle().info().totalCpuDuration();
    return cpu.map(d -> d.toNanos() / 1e9).orElse(-1.0);
  }

  /** The job's peak resident set so far, in MB (Linux VmHWM), or -1 where /proc does not say. */
  long peakRssMb() {
    return procStatusKb("VmHWM:") / 1024;
  }

  /** The job's resident set now, in MB (Linux VmRSS), or -1. */
  long rssMb() {
    return procStatusKb("VmRSS:") / 1024;
  }

  private long procStatusKb(String field) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(process.pid()), "status"))) {
        if (line.startsWith(field)) {
          return Long.parseLong(line.substring(field.length()).trim().split("\\s+")[0]);
        }
      }
    } catch (IOException | RuntimeException e) {
      // Not Linux, or the process has ended.
    }
    return -1024;
  }

  /** The last lines of the job's log, for a failure message. */
  String logTail(int lines) {
    try {
      List<String> all = Files.readAllLines(log);
      return String.join(System.lineSeparator(), all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  /** Stops the JVM: politely (SIGTERM), then, after 20 s, forcibly. */
  @Override
  public void close() {
    if (!process.isAlive()) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(20, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
