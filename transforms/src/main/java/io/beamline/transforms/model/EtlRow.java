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
 * A validated row of one table, ready to write. {@code valuesJson} maps every column of the
 * table to its normalised value: timestamps as epoch microseconds, dates as epoch days, decimals
 * as plain strings with the schema's scale, and {@code _extra} as a JSON string or null.
 *
 * <p>A row made by validation holds its values as a tree and writes them as text only when it is
 * encoded or compared: within one DoFn (validate then protect) the text would be written only to
 * be parsed again.
 */
@DefaultCoder(EtlRow.EtlRowCoder.class)
public final class EtlRow {
  private String source;
  private String table;
  private String tenant;
  private String eventId;
  private long eventTimeMillis;
  /** The values as text; null until first asked for when the row was made from a tree. */
  private String valuesJson;
  /** The values as a tree, never changed once set; null until first asked for after decoding. */
  private transient ObjectNode values;
  private int rowIndex;

  EtlRow() {}

  public EtlRow(
      String source,
      String table,
      String tenant,
      String eventId,
      long eventTimeMillis,
      String valuesJson) {
    this(source, table, tenant, eventId, eventTimeMillis, valuesJson, null);
  }

  /** A row holding {@code values}, which nobody may change afterwards. */
  public EtlRow(
      String source,
      String table,
      String tenant,
      String eventId,
      long eventTimeMillis,
      ObjectNode values) {
    this(source, table, tenant, eventId, eventTimeMillis, null, values);
  }

  private EtlRow(
      String source,
      String table,
      String tenant,
      String eventId,
      long eventTimeMillis,
      String valuesJson,
      ObjectNode values) {
    this.source = source;
    this.table = table;
    this.tenant = tenant;
    this.eventId = eventId;
    this.eventTimeMillis = eventTimeMillis;
    this.valuesJson = valuesJson;
    this.values = values;
  }

  /**
   * The same row as the {@code index}-th row of its table within its event (0 for a parent
   * table, the element's position for a child table): with tenant and event_id, a row's identity.
   */
  public EtlRow withRowIndex(int index) {
    EtlRow r = new EtlRow(source, table, tenant, eventId, eventTimeMillis, valuesJson, values);
    r.rowIndex = index;
    return r;
  }

  /** This row, holding {@code id} itself when it equals the row's event id (one copy per event). */
  EtlRow sharingEventId(String id) {
    if (eventId.equals(id)) {
      eventId = id;
    }
    return this;
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
    if (valuesJson == null) {
      valuesJson = values.toString();
    }
    return valuesJson;
  }

  /** The values as a tree, parsed once if the row holds only text. Read it, never change it. */
  public ObjectNode values() {
    if (values == null) {
      values = Json.objectOf(valuesJson, "a validated row's values");
    }
    return values;
  }

  public int rowIndex() {
    return rowIndex;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof EtlRow)) {
      return false;
    }
    EtlRow r = (EtlRow) o;
    return eventTimeMillis == r.eventTimeMillis
        && rowIndex == r.rowIndex
        && source.equals(r.source)
        && table.equals(r.table)
        && tenant.equals(r.tenant)
        && eventId.equals(r.eventId)
        && valuesJson().equals(r.valuesJson());
  }

  @Override
  public int hashCode() {
    return Objects.hash(source, table, tenant, eventId, eventTimeMillis, valuesJson(), rowIndex);
  }

  @Override
  public String toString() {
    return "EtlRow{" + source + "." + table + " " + tenant + " " + eventId + "#" + rowIndex + " " + valuesJson() + "}";
  }

  /** EtlRow's coder: its fields in declaration order (see {@link FieldsCoder}). */
  public static final class EtlRowCoder extends FieldsCoder<EtlRow> {
    private static final long serialVersionUID = 1L;
    private static final EtlRowCoder INSTANCE = new EtlRowCoder();

    public static EtlRowCoder of() {
      return INSTANCE;
    }

    /** Found by Beam through {@code @DefaultCoder}. */
    public static CoderProvider getCoderProvider() {
      return CoderProviders.forCoder(TypeDescriptor.of(EtlRow.class), INSTANCE);
    }

    @Override
    public void encode(EtlRow value, OutputStream out) throws IOException {
      writeString(value.source, out);
      writeString(value.table, out);
      writeString(value.tenant, out);
      writeString(value.eventId, out);
      writeLong(value.eventTimeMillis, out);
      writeString(value.valuesJson(), out);
      writeInt(value.rowIndex, out);
    }

    @Override
    public EtlRow decode(InputStream in) throws IOException {
      EtlRow r = new EtlRow();
      r.source = readName(in);
      r.table = readName(in);
      r.tenant = readName(in);
      r.eventId = readString(in);
      r.eventTimeMillis = readLong(in);
      r.valuesJson = readString(in);
      r.rowIndex = readInt(in);
      return r;
    }
  }
}
