package io.beamline.options;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * A deliberate failure, for testing recovery: the runner's restart from its last checkpoint and
 * the exactly-once sinks. Off unless both options are set.
 */
public interface FaultInjectionOptions extends PipelineOptions {
  @Description(
      "Testing only: throw once inside the pipeline after this many etl rows (counted per worker"
          + " instance), to exercise the runner's restart from its last checkpoint. 0 = never."
          + " Needs --injectFailureMarker.")
  @Default.Long(0)
  long getInjectFailureAfterRows();

  void setInjectFailureAfterRows(long value);

  @Description(
      "Testing only: a file the injected failure creates first, so it happens once across"
          + " restarts and workers; <file>.recovered appears when the pipeline is set up again"
          + " after it.")
  @Default.String("")
  String getInjectFailureMarker();

  void setInjectFailureMarker(String value);
}
