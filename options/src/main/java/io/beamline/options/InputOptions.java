package io.beamline.options;

import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.Validation;

/** Where the batch ETL reads envelopes from. */
public interface InputOptions extends RecordLimitOptions {
  @Description(
      "Envelope files to read: a file, a directory (all files in it) or a glob such as"
          + " /data/in/*.jsonl, local or s3://bucket/prefix. One JSON envelope per line;"
          + " .gz files are decompressed.")
  @Validation.Required
  String getInputPath();

  void setInputPath(String value);

}
