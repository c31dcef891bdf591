package io.beamline.pipelines.etl;

import java.util.List;

/**
 * A batch run whose quality circuit breaker tripped: it finished and wrote its audit, but a table
 * failed a critical rule, so that table's rows went to the quarantine zone instead of the etl zone
 * and the warehouse. The message names each failed rule, its table, observed value and threshold.
 */
public final class QualityGateException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final transient EtlRunSummary summary;

  QualityGateException(EtlRunSummary summary, List<String> failures, String quarantine) {
    super("quality circuit breaker tripped: " + String.join("; ", failures) + " (rows of the table are in "
        + quarantine + ", not in the etl zone)");
    this.summary = summary;
  }

  /** The run's audit summary, written before the run failed. */
  public EtlRunSummary summary() {
    return summary;
  }
}
