package io.beamline.transforms.model;

import java.util.Objects;
import org.apache.beam.sdk.coders.DefaultCoder;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;

/**
 * One row of one table, still untyped: a flat JSON object from column name to value. A child row
 * already carries its parent's key columns.
 */
@DefaultCoder(AvroCoder.class)
public final class FlatRow {
  private String table;
  private String columnsJson;
  private String location;

  FlatRow() {}

  public FlatRow(String table, String columnsJson, String location) {
    this.table = table;
    this.columnsJson = columnsJson;
    this.location = location;
  }

  public String table() {
    return table;
  }

  public String columnsJson() {
    return columnsJson;
  }

  /** Where the row came from in the payload, for error details: "" or "items[2]". */
  public String location() {
    return location;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof FlatRow)) {
      return false;
    }
    FlatRow r = (FlatRow) o;
    return table.equals(r.table)
        && columnsJson.equals(r.columnsJson)
        && location.equals(r.location);
  }

  @Override
  public int hashCode() {
    return Objects.hash(table, columnsJson, location);
  }

  @Override
  public String toString() {
    return "FlatRow{" + table + location + " " + columnsJson + "}";
  }
}
