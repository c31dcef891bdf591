package io.beamline.transforms.model;

import java.util.Objects;
import org.apache.beam.sdk.coders.DefaultCoder;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;

/**
 * A validated row of one table, ready to write. {@code valuesJson} maps every column of the
 * table to its normalised value: timestamps as epoch microseconds, dates as epoch days, decimals
 * as plain strings with the schema's scale, and {@code _extra} as a JSON string or null.
 */
@DefaultCoder(AvroCoder.class)
public final class EtlRow {
  private String source;
  private String table;
  private String tenant;
  private String eventId;
  private long eventTimeMillis;
  private String valuesJson;

  EtlRow() {}

  public EtlRow(
      String source,
      String table,
      String tenant,
      String eventId,
      long eventTimeMillis,
      String valuesJson) {
    this.source = source;
    this.table = table;
    this.tenant = tenant;
    this.eventId = eventId;
    this.eventTimeMillis = eventTimeMillis;
    this.valuesJson = valuesJson;
  }

  public String source() {
    return source;
  }

  public String table() {
    return table;
  }

  public String tenant() {
    return tenant;
  }

  public String eventId() {
    return eventId;
  }

  public long eventTimeMillis() {
    return eventTimeMillis;
  }

  public String valuesJson() {
    return valuesJson;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof EtlRow)) {
      return false;
    }
    EtlRow r = (EtlRow) o;
    return eventTimeMillis == r.eventTimeMillis
        && source.equals(r.source)
        && table.equals(r.table)
        && tenant.equals(r.tenant)
        && eventId.equals(r.eventId)
        && valuesJson.equals(r.valuesJson);
  }

  @Override
  public int hashCode() {
    return Objects.hash(source, table, tenant, eventId, eventTimeMillis, valuesJson);
  }

  @Override
  public String toString() {
    return "EtlRow{" + source + "." + table + " " + tenant + " " + eventId + " " + valuesJson + "}";
  }
}
