package io.beamline.transforms.testing;

import io.beamline.transforms.DeadLetters;
import org.apache.beam.sdk.metrics.MetricQueryResults;
import org.apache.beam.sdk.metrics.MetricResult;

/** Beamline's counters in a finished test pipeline's metrics. */
public final class BeamlineCounters {
  private BeamlineCounters() {}

  /** The attempted count of the Beamline counter {@code name}, summed over the steps that count it. */
  public static long counter(MetricQueryResults metrics, String name) {
    long sum = 0;
    for (MetricResult<Long> c : metrics.getCounters()) {
      if (c.getName().getNamespace().equals(DeadLetters.METRICS_NAMESPACE)
          && c.getName().getName().equals(name)) {
        sum += c.getAttempted();
      }
    }
    return sum;
  }
}
