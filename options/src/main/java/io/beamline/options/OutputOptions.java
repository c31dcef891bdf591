package io.beamline.options;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.Validation;

/** Where the partitioned zones (raw, etl, dlq, audit) are written. */
public interface OutputOptions extends PipelineOptions {
  @Description(
      "Root of the output tree, local path or s3://bucket/prefix. Zones are written below it as"
          + " <zone>/<source>/<table>/tenant=<t>/dt=<YYYY-MM-DD>/hr=<HH>/.")
  @Validation.Required
  String getOutputRoot();

  void setOutputRoot(String value);

  @Description(
      "Files per partition and zone. A fixed count keeps file names deterministic, so a rerun"
          + " replaces the files of the previous run instead of adding to them.")
  @Default.Integer(1)
  int getShardsPerPartition();

  void setShardsPerPartition(int value);

  @Description("Write the raw zone (every readable input line, partitioned as received).")
  @Default.Boolean(true)
  boolean getWriteRaw();

  void setWriteRaw(boolean value);

  @Description(
      "Write the etl zone's Parquet files. false: rows are still decrypted, flattened, validated,"
          + " deduplicated, counted and audited, but not written; for measuring the write's share"
          + " of a run (benchmarks).")
  @Default.Boolean(true)
  boolean getWriteEtl();

  void setWriteEtl(boolean value);
}
