package io.beamline.pipelines.report;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.apache.beam.sdk.PipelineResult;

/**
 * Samples a running pipeline's committed counters (records in, dead letters, duplicates) at a
 * fixed interval, for the report's throughput chart; in a stream it also triggers the periodic
 * report. Runners whose {@code run()} blocks until the end (Flink, attached) give one sample at
 * the end, so the chart then shows the run's average rate only.
 */
public final class ThroughputSampler {
  /** How often the driver samples the counters. */
  public static final Duration SAMPLE_INTERVAL = Duration.ofSeconds(1);

  /** Beyond this many samples every other one is dropped, so a long stream keeps a bounded list. */
  static final int MAX_SAMPLES = 400;

  /** One point of the chart: counters at {@code elapsedMillis} after the run started. */
  public record Sample(long elapsedMillis, long recordsIn, long deadLetters, long duplicates) {}

  private final Instant startedAt;
  private final Duration reportInterval;
  private final Consumer<ThroughputSampler> periodicReport;
  private final List<Sample> samples = new ArrayList<>();
  private Instant lastReport;
  private MetricValues latest = MetricValues.NONE;

  private ThroughputSampler(
      Instant startedAt, Duration reportInterval, Consumer<ThroughputSampler> periodicReport) {
    this.startedAt = startedAt;
    this.reportInterval = reportInterval;
    this.periodicReport = periodicReport;
    this.lastReport = startedAt;
    samples.add(new Sample(0, 0, 0, 0));
  }

  /** Samples for a report at the end of the run only. */
  public static ThroughputSampler from(Instant startedAt) {
    return new ThroughputSampler(startedAt, null, s -> {});
  }

  /** Samples, and calls {@code periodicReport} every {@code interval} while the run goes on. */
  public static ThroughputSampler reportingEvery(
      Instant startedAt, Duration interval, Consumer<ThroughputSampler> periodicReport) {
    return new ThroughputSampler(startedAt, interval, periodicReport);
  }

  /**
   * Takes one sample of {@code result} at {@code now}; when the run still goes on and the report
   * interval has passed, calls the periodic report. A runner that cannot answer yet is skipped.
   */
  public synchronized void sample(PipelineResult result, Instant now, boolean finished) {
    MetricValues values;
    try {
      values = MetricValues.of(result);
    } catch (RuntimeException notAvailable) {
      return;
    }
    latest = values;
    samples.add(
        new Sample(
            Math.max(0, Duration.between(startedAt, now).toMillis()),
            values.counter("records_in"),
            values.sumOf("dead_letters."),
            values.counter("duplicates")));
    if (samples.size() > MAX_SAMPLES) {
      thin();
    }
    if (!finished && reportInterval != null && !now.isBefore(lastReport.plus(reportInterval))) {
      lastReport = now;
      periodicReport.accept(this);
    }
  }

  /** Keeps the first sample, every other one after it, and the last. */
  private void thin() {
    List<Sample> kept = new ArrayList<>();
    for (int i = 0; i < samples.size(); i += 2) {
      kept.add(samples.get(i));
    }
    if ((samples.size() - 1) % 2 != 0) {
      kept.add(samples.get(samples.size() - 1));
    }
    samples.clear();
    samples.addAll(kept);
  }

  public synchronized List<Sample> samples() {
    return List.copyOf(samples);
  }

  /** The metrics of the latest sample (none before the first). */
  public synchronized MetricValues latest() {
    return latest;
  }
}
