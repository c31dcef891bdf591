package io.beamline.options;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** The run report a running stream writes every so often. */
public interface ReportOptions extends PipelineOptions {
  @Description(
      "Minutes between the run reports (HTML and JSON under audit/reports) a running stream"
          + " writes; a bounded stream also writes one at its end (at least 1).")
  @Default.Long(5)
  long getReportIntervalMinutes();

  void setReportIntervalMinutes(long value);
}
