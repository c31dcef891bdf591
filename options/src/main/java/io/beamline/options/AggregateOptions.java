package io.beamline.options;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** Whether a batch run also computes the hourly aggregates. */
public interface AggregateOptions extends PipelineOptions {
  @Description(
      "Also compute the hourly sales per tenant and category (the same transform as the stream)"
          + " into the agg zone (and the warehouse, with --jdbcUrl).")
  @Default.Boolean(false)
  boolean getAggregates();

  void setAggregates(boolean value);
}
