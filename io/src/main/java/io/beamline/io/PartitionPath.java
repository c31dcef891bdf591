package io.beamline.io;

import io.beamline.transforms.model.DeadLetter;
import io.beamline.transforms.model.DeadLetterReason;
import io.beamline.transforms.model.Envelope;
import io.beamline.transforms.model.EtlRow;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * The partition directories of the output tree, relative to the output root:
 * {@code <zone>/<source>/<table>/tenant=<tenant>/dt=<YYYY-MM-DD>/hr=<HH>}, by UTC event time.
 */
public final class PartitionPath {
  public static final String ETL = "etl";
  public static final String RAW = "raw";
  public static final String DLQ = "dlq";
  public static final String AUDIT = "audit";
  /** Rows of a table whose critical quality rule failed, instead of the etl zone. */
  public static final String QUARANTINE = "quarantine";
  /** Aggregates computed from the etl rows, such as the hourly category sales. */
  public static final String AGG = "agg";
  /** Stands for a tenant, source or table that is missing or not usable as a path. */
  public static final String UNKNOWN = "_unknown";

  private static final DateTimeFormatter DATE_HOUR =
      DateTimeFormatter.ofPattern("'dt='uuuu-MM-dd'/hr='HH").withZone(ZoneOffset.UTC);

  private PartitionPath() {}

  public static String of(
      String zone, String source, String table, String tenant, Long eventTimeMillis) {
    return zone + "/" + orUnknown(source) + "/" + orUnknown(table) + "/tenant=" + orUnknown(tenant)
        + "/" + dateHour(eventTimeMillis);
  }

  public static String of(String zone, EtlRow row) {
    return of(zone, row.source(), row.table(), row.tenant(), row.eventTimeMillis());
  }

  public static String of(String zone, Envelope e) {
    return of(zone, e.source(), e.table(), e.tenant(), e.eventTimeMillis());
  }

  /** Where a dead letter goes; the names of an unknown table are not trusted as a path. */
  public static String of(String zone, DeadLetter d) {
    boolean unknownTable = d.reason() == DeadLetterReason.UNKNOWN_TABLE;
    return of(
        zone,
        unknownTable ? null : d.source(),
        unknownTable ? null : d.table(),
        d.tenant(),
        d.eventTimeMillis());
  }

  /** {@code dt=YYYY-MM-DD/hr=HH}, or {@code dt=unknown/hr=unknown} without an event time. */
  public static String dateHour(Long eventTimeMillis) {
    return eventTimeMillis == null
        ? "dt=unknown/hr=unknown"
        : DATE_HOUR.format(Instant.ofEpochMilli(eventTimeMillis));
  }

  private static String orUnknown(String name) {
    return name == null ? UNKNOWN : name;
  }
}
