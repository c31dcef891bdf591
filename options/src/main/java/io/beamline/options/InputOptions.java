package io.beamline.options;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.Validation;

/** Where the batch ETL reads envelopes from. */
public interface InputOptions extends PipelineOptions {
  @Description(
      "Envelope files to read: a file, a directory (all files in it) or a glob such as"
          + " /data/in/*.jsonl, local or s3://bucket/prefix. One JSON envelope per line;"
          + " .gz files are decompressed.")
  @Validation.Required
  String getInputPath();

  void setInputPath(String value);

  @Description(
      "Largest accepted input line in bytes. Longer lines go to the dead-letter zone with reason"
          + " OVERSIZED, keeping only their first bytes.")
  @Default.Integer(1_048_576)
  int getMaxRecordBytes();

  void setMaxRecordBytes(int value);
}
