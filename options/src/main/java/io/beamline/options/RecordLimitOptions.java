package io.beamline.options;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** Bounds on one input record, shared by file and Kafka sources. */
public interface RecordLimitOptions extends PipelineOptions {
  @Description(
      "Largest accepted input record (line or Kafka message) in bytes. Longer ones go to the"
          + " dead-letter zone with reason OVERSIZED, keeping only their first bytes.")
  @Default.Integer(1_048_576)
  int getMaxRecordBytes();

  void setMaxRecordBytes(int value);
}
