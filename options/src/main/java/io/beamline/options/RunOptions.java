package io.beamline.options;

import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** Identity of one run, shared by the commands that write an audit record. */
public interface RunOptions extends PipelineOptions {
  @Description(
      "Identifier of this run, used in the audit zone. Defaults to the start time and a random"
          + " suffix.")
  String getRunId();

  void setRunId(String value);
}
