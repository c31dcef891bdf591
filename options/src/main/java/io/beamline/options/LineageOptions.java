package io.beamline.options;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** Where a batch run sends its OpenLineage run events (START, COMPLETE, FAIL). Both empty: none. */
public interface LineageOptions extends PipelineOptions {
  @Description(
      "Local file that OpenLineage run events are appended to, one JSON event per line. Empty:"
          + " no file.")
  @Default.String("")
  String getLineageFile();

  void setLineageFile(String value);

  @Description(
      "URL that each OpenLineage run event is POSTed to as JSON (e.g. Marquez:"
          + " http://127.0.0.1:5000/api/v1/lineage). Retried a few times; a failure is logged and"
          + " never fails the run. Empty: no POST.")
  @Default.String("")
  String getLineageUrl();

  void setLineageUrl(String value);
}
