package io.beamline.pipelines.metrics;

import io.beamline.io.PartitionPath;
import io.beamline.options.MetricsOptions;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.util.MimeTypes;

/**
 * A run's metrics for Prometheus: the {@code --metricsPort} endpoint while it runs, and the
 * {@code audit/metrics/dt=<start date>/run-<runId>.prom} file when it has finished.
 */
public final class RunMetrics {
  private static final DateTimeFormatter DATE =
      DateTimeFormatter.ofPattern("uuuu-MM-dd").withZone(ZoneOffset.UTC);

  private RunMetrics() {}

  /** Throws naming {@code --metricsPort} when it is outside 0..65535. */
  public static void checkPort(PipelineOptions options) {
    int port = options.as(MetricsOptions.class).getMetricsPort();
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException(
          "--metricsPort must be between 1 and 65535 (0: no endpoint), got " + port);
    }
  }

  /**
   * Starts the endpoint of {@code --metricsPort} over the running pipeline's metrics, or returns
   * null when the option is 0.
   */
  public static MetricsServer serve(PipelineOptions options, PipelineResult result) {
    checkPort(options);
    int port = options.as(MetricsOptions.class).getMetricsPort();
    return port == 0 ? null : MetricsServer.start(port, () -> PrometheusText.of(result));
  }

  /**
   * Lets the Direct runner's {@code run()} return while the pipeline runs (by default it blocks
   * until the end, which would leave the endpoint nothing to serve and the run report no
   * throughput to sample). Other runners are left as they are. Call before {@code run()}.
   */
  public static void letRunReturnWhileRunning(PipelineOptions options) {
    try {
      Class<? extends PipelineOptions> direct =
          Class.forName("org.apache.beam.runners.direct.DirectOptions")
              .asSubclass(PipelineOptions.class);
      direct.getMethod("setBlockOnRun", boolean.class).invoke(options.as(direct), false);
    } catch (ReflectiveOperationException | LinkageError noDirectRunner) {
      // Not on the class path: the run is on another runner.
    }
  }

  /** Where a run's metrics file goes. */
  public static String file(String outputRoot, Instant startedAt, String runId) {
    return outputRoot + "/" + PartitionPath.AUDIT + "/metrics/dt=" + DATE.format(startedAt)
        + "/run-" + runId + ".prom";
  }

  /**
   * Writes the finished pipeline's metrics to {@code path} (local or an object store), under a
   * temporary name first so that it appears whole; returns {@code path}.
   */
  public static String write(String path, PipelineResult result) {
    ResourceId target = FileSystems.matchNewResource(path, false);
    ResourceId temp = FileSystems.matchNewResource(path + ".tmp", false);
    try {
      try (OutputStream out = Channels.newOutputStream(FileSystems.create(temp, MimeTypes.TEXT))) {
        out.write(PrometheusText.of(result).getBytes(StandardCharsets.UTF_8));
      }
      FileSystems.rename(List.of(temp), List.of(target));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the metrics file " + path, e);
    }
    return path;
  }
}
