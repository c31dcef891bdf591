package io.beamline.options;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * Service-level alerts of a run: a freshness SLA and an error-rate threshold, checked at the end
 * of a batch run and per window in a stream, and the webhook a breach (or a circuit-breaker trip)
 * is POSTed to. The quality rules themselves sit beside the table schemas.
 */
public interface QualityOptions extends PipelineOptions {
  @Description(
      "Freshness SLA in seconds: a table whose newest event_time is older than this when it is"
          + " judged (a batch run's start, a stream window's evaluation) raises an alert. 0: no SLA.")
  @Default.Long(0)
  long getFreshnessSlaSeconds();

  void setFreshnessSlaSeconds(long value);

  @Description(
      "Largest tolerated error rate, dead letters / records in, from 0 to 1: a run (or stream"
          + " window) above it raises an alert. 1: never.")
  @Default.Double(1.0)
  double getMaxErrorRate();

  void setMaxErrorRate(double value);

  @Description(
      "http(s) URL that alerts (SLA breaches, circuit-breaker trips) are POSTed to as JSON,"
          + " retried with exponential backoff a bounded number of times. Empty: alerts are only"
          + " logged and counted.")
  @Default.String("")
  String getAlertWebhookUrl();

  void setAlertWebhookUrl(String value);

  @Description(
      "File holding a bearer token sent with every alert (Authorization: Bearer ...); read at"
          + " start, never logged. Empty: no token.")
  @Default.String("")
  String getAlertWebhookTokenFile();

  void setAlertWebhookTokenFile(String value);
}
