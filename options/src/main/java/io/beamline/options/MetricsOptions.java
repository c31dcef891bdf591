package io.beamline.options;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** Prometheus exposition of a run's Beam metrics. */
public interface MetricsOptions extends PipelineOptions {
  @Description(
      "Port of an HTTP endpoint on 127.0.0.1 that serves the run's metrics at /metrics in"
          + " Prometheus text format while the pipeline runs (1-65535); 0: no endpoint.")
  @Default.Integer(0)
  int getMetricsPort();

  void setMetricsPort(int value);
}
