package io.beamline.transforms.model;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.beamline.transforms.Json;
import java.util.Objects;
import org.apache.beam.sdk.coders.CoderProvider;
import org.apache.beam.sdk.coders.CoderProviders;
import org.apache.beam.sdk.coders.DefaultCoder;
import org.apache.beam.sdk.values.TypeDescriptor;

/**
 * One row of one table, still untyped: a flat JSON object from column name to value. A child row
 * already carries its parent's key columns.
 *
 * <p>A row made by flattening holds its columns as a tree and writes them as text only when it is
 * encoded or compared: within one DoFn (flatten then validate) the text would be written only to
 * be parsed again.
 */
@DefaultCoder(FlatRow.FlatRowCoder.class)
public final class FlatRow {
  private String table;
  /** The columns as text; null until first asked for when the row was made from a tree. */
  private String columnsJson;
  /** The columns as a tree, never changed once set; null until first asked for after decoding. */
  private transient ObjectNode columns;
  private String location;

  FlatRow() {}

  public FlatRow(String table, String columnsJson, String location) {
    this.table = table;
    this.columnsJson = columnsJson;
    this.location = location;
  }

  /** A row holding {@code columns}, which nobody may change afterwards. */
  public FlatRow(String table, ObjectNode columns, String location) {
    this.table = table;
    this.columns = columns;
    this.location = location;
  }

  public String table() {
    return table;
  }

  public String columnsJson() {
    if (columnsJson == null) {
      columnsJson = columns.toString();
    }
    return columnsJson;
  }

  /** The columns as a tree, parsed once if the row holds only text. Read it, never change it. */
  public ObjectNode columns() {
    if (columns == null) {
      columns = Json.objectOf(columnsJson, "a flattened row's columns");
    }
    return columns;
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
        && columnsJson().equals(r.columnsJson())
        && location.equals(r.location);
  }

  @Override
  public int hashCode() {
    return Objects.hash(table, columnsJson(), location);
  }

  @Override
  public String toString() {
    return "FlatRow{" + table + location + " " + columnsJson() + "}";
  }

  /** FlatRow's coder: its fields in declaration order (see {@link FieldsCoder}). */
  public static final class FlatRowCoder extends FieldsCoder<FlatRow> {
    private static final long serialVersionUID = 1L;
    private static final FlatRowCoder INSTANCE = new FlatRowCoder();

    public static FlatRowCoder of() {
      return INSTANCE;
    }

    /** Found by Beam through {@code @DefaultCoder}. */
    public static CoderProvider getCoderProvider() {
      return CoderProviders.forCoder(TypeDescriptor.of(FlatRow.class), INSTANCE);
    }

    @Override
    public void encode(FlatRow value, OutputStream out) throws IOException {
      writeString(value.table, out);
      writeString(value.columnsJson(), out);
      writeString(value.location, out);
    }

    @Override
    public FlatRow decode(InputStream in) throws IOException {
      FlatRow r = new FlatRow();
      r.table = readName(in);
      r.columnsJson = readString(in);
      r.location = readString(in);
      return r;
    }
  }
}
