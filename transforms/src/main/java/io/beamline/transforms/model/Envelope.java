package io.beamline.transforms.model;

import java.util.Objects;
import org.apache.avro.reflect.Nullable;
import org.apache.beam.sdk.coders.DefaultCoder;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;

/** A parsed, well-formed input envelope. {@code raw} is the input line exactly as received. */
@DefaultCoder(AvroCoder.class)
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

  /** Base64 ciphertext when {@link #keyId()} is set, otherwise the payload JSON object's text. */
  public String payload() {
    return payload;
  }

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
}
