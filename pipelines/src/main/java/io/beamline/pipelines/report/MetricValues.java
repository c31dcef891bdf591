package io.beamline.pipelines.report;

import io.beamline.transforms.DeadLetters;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.DistributionResult;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricQueryResults;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;

/**
 * The values of a pipeline's {@code beamline} metrics at one moment: counters and distributions
 * by name, summed over the steps that report them, committed where the runner has them (as the
 * Prometheus file takes them), else attempted.
 */
public record MetricValues(Map<String, Long> counters, Map<String, DistributionResult> distributions) {
  public static final MetricValues NONE = new MetricValues(Map.of(), Map.of());

  public MetricValues {
    counters = Collections.unmodifiableMap(new TreeMap<>(counters));
    distributions = Collections.unmodifiableMap(new TreeMap<>(distributions));
  }

  /** The current values of a running or finished pipeline. */
  public static MetricValues of(PipelineResult result) {
    MetricQueryResults results =
        result
            .metrics()
            .queryMetrics(
                MetricsFilter.builder()
                    .addNameFilter(MetricNameFilter.inNamespace(DeadLetters.METRICS_NAMESPACE))
                    .build());
    Map<String, Long> counters = new TreeMap<>();
    for (MetricResult<Long> r : results.getCounters()) {
      if (DeadLetters.METRICS_NAMESPACE.equals(r.getName().getNamespace())) {
        counters.merge(r.getName().getName(), value(r), Long::sum);
      }
    }
    Map<String, DistributionResult> distributions = new TreeMap<>();
    for (MetricResult<DistributionResult> r : results.getDistributions()) {
      if (DeadLetters.METRICS_NAMESPACE.equals(r.getName().getNamespace())) {
        distributions.merge(r.getName().getName(), value(r), MetricValues::combine);
      }
    }
    return new MetricValues(counters, distributions);
  }

  /** A counter's value, 0 when it was never incremented. */
  public long counter(String name) {
    return counters.getOrDefault(name, 0L);
  }

  /** The sum of the counters whose names start with {@code prefix}. */
  public long sumOf(String prefix) {
    return counters.entrySet().stream()
        .filter(e -> e.getKey().startsWith(prefix))
        .mapToLong(Map.Entry::getValue)
        .sum();
  }

  private static DistributionResult combine(DistributionResult a, DistributionResult b) {
    return DistributionResult.create(
        a.getSum() + b.getSum(),
        a.getCount() + b.getCount(),
        Math.min(a.getMin(), b.getMin()),
        Math.max(a.getMax(), b.getMax()));
  }

  private static <T> T value(MetricResult<T> r) {
    try {
      return r.getCommitted();
    } catch (UnsupportedOperationException notSupported) {
      return r.getAttempted();
    }
  }
}
