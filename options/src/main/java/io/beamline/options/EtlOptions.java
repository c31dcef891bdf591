package io.beamline.options;

import org.apache.beam.sdk.options.Description;

/** Options of the batch {@code etl} command. */
public interface EtlOptions extends InputOptions, OutputOptions, CryptoOptions, SchemaOptions {
  @Description(
      "Identifier of this run, used in the audit zone. Defaults to the start time and a random"
          + " suffix.")
  String getRunId();

  void setRunId(String value);
}
