package io.beamline.options;

import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.Validation;

/**
 * Options of {@code backfill}: which days of the lake at {@code --outputRoot} to replay (its raw
 * zone and its {@code LATE_DATA} dead letters) through the ETL, into the same lake and the
 * warehouse.
 */
public interface BackfillOptions
    extends RecordLimitOptions,
        OutputOptions,
        ObjectStoreOptions,
        CryptoOptions,
        SchemaOptions,
        RunOptions,
        LineageOptions,
        WarehouseOptions,
        AggregateOptions,
        QualityOptions {
  @Description("First day to replay, YYYY-MM-DD (event-time date, UTC, as in the dt= partitions).")
  @Validation.Required
  String getFrom();

  void setFrom(String value);

  @Description("Last day to replay, YYYY-MM-DD, inclusive.")
  @Validation.Required
  String getTo();

  void setTo(String value);
}
