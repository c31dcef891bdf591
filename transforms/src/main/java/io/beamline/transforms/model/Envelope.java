package io.beamline.transforms.model;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Objects;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.apache.beam.sdk.coders.CoderProvider;
import org.apache.beam.sdk.coders.CoderProviders;
import org.apache.beam.sdk.coders.DefaultCoder;
import org.apache.beam.sdk.values.TypeDescriptor;

/** A parsed, well-formed input envelope. {@code raw} is the input line exactly as received. */
@DefaultCoder(Envelope.EnvelopeCoder.class)
public final class Envelope {
  private String eventId;
  private String tenant;
  private String source;
  private String table;
  private long eventTimeMillis;
  @Nullable private String keyId;
  private String payload;
  private String raw;

  /** For the coder only. */
  Envelope() {}

  public Envelope(
      String eventId,
      String tenant,
      String source,
      String table,
      long eventTimeMillis,
      String keyId,
      String payload,
      String raw) {
    this.eventId = eventId;
    this.tenant = tenant;
    this.source = source;
    this.table = table;
    this.eventTimeMillis = eventTimeMillis;
    this.keyId = keyId;
    this.payload = payload;
    this.raw = raw;
  }

  public String eventId() {
    return eventId;
  }

  public String tenant() {
    return tenant;
  }

  public String source() {
    return source;
  }

  public String table() {
    return table;
  }

  public long eventTimeMillis() {
    return eventTimeMillis;
  }

  /** The key id, or null for an unencrypted payload. */
  public String keyId() {
    return keyId;
  }

  /**
   * Base64 ciphertext when {@link #keyId()} is set, otherwise the payload JSON object's text; empty
   * in a {@link ValidatedEvent#trimmed() trimmed} event.
   */
  public String payload() {
    return payload;
  }

  /** The same identity, key id and event time, with an empty payload and raw line. */
  Envelope withoutPayloadAndRaw() {
    return new Envelope(eventId, tenant, source, table, eventTimeMillis, keyId, "", "");
  }

  /** The line as received; empty in a {@link ValidatedEvent#trimmed() trimmed} event. */
  public String raw() {
    return raw;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof Envelope)) {
      return false;
    }
    Envelope e = (Envelope) o;
    return eventTimeMillis == e.eventTimeMillis
        && eventId.equals(e.eventId)
        && tenant.equals(e.tenant)
        && source.equals(e.source)
        && table.equals(e.table)
        && Objects.equals(keyId, e.keyId)
        && payload.equals(e.payload)
        && raw.equals(e.raw);
  }

  @Override
  public int hashCode() {
    return Objects.hash(eventId, tenant, source, table, eventTimeMillis, keyId, payload);
  }

  @Override
  public String toString() {
    // No payload: it may be plaintext personal data.
    return "Envelope{" + tenant + "/" + source + "/" + table + " " + eventId + "}";
  }

  /** Envelope's coder: its fields in declaration order (see {@link FieldsCoder}). */
  public static final class EnvelopeCoder extends FieldsCoder<Envelope> {
    private static final long serialVersionUID = 1L;
    private static final EnvelopeCoder INSTANCE = new EnvelopeCoder();

    public static EnvelopeCoder of() {
      return INSTANCE;
    }

    /** Found by Beam through {@code @DefaultCoder}. */
    public static CoderProvider getCoderProvider() {
      return CoderProviders.forCoder(TypeDescriptor.of(Envelope.class), INSTANCE);
    }

    @Override
    public void encode(Envelope value, OutputStream out) throws IOException {
      writeString(value.eventId, out);
      writeString(value.tenant, out);
      writeString(value.source, out);
      writeString(value.table, out);
      writeLong(value.eventTimeMillis, out);
      writeNullableString(value.keyId, out);
      writeString(value.payload, out);
      writeString(value.raw, out);
    }

    @Override
    public Envelope decode(InputStream in) throws IOException {
      Envelope e = new Envelope();
      e.eventId = readString(in);
      e.tenant = readName(in);
      e.source = readName(in);
      e.table = readName(in);
      e.eventTimeMillis = readLong(in);
      e.keyId = readNullableString(in);
      e.payload = readString(in);
      e.raw = readString(in);
      return e;
    }
  }
}
