package io.beamline.options;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;

/** Options of the batch {@code etl} command. */
public interface EtlOptions
    extends InputOptions,
        OutputOptions,
        ObjectStoreOptions,
        CryptoOptions,
        SchemaOptions,
        RunOptions {
  @Description(
      "Also compute the hourly sales per tenant and category (the same transform as the stream)"
          + " into the agg zone.")
  @Default.Boolean(false)
  boolean getAggregates();

  void setAggregates(boolean value);
}
