package io.beamline.options;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;

/** Options of the {@code stream} command. */
public interface StreamOptions
    extends KafkaSourceOptions,
        KafkaSinkOptions,
        WarehouseOptions,
        RecordLimitOptions,
        OutputOptions,
        ObjectStoreOptions,
        CryptoOptions,
        SchemaOptions,
        RunOptions,
        MetricsOptions,
        FaultInjectionOptions,
        ReportOptions,
        QualityOptions {
  @Description(
      "Length of the event-time windows the zones are written in, in minutes. Each window and"
          + " pane gets files of its own.")
  @Default.Long(5)
  long getWindowMinutes();

  void setWindowMinutes(long value);

  @Description(
      "How long after its window a late record is still written, in minutes (a late pane of"
          + " its own).")
  @Default.Long(120)
  long getAllowedLatenessMinutes();

  void setAllowedLatenessMinutes(long value);

  @Description(
      "Event-time span, in minutes, within which a repeated (tenant, event_id) is dropped as a"
          + " duplicate.")
  @Default.Long(10)
  long getDedupMinutes();

  void setDedupMinutes(long value);
}
