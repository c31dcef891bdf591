package io.beamline.transforms.model;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Objects;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.apache.beam.sdk.coders.CoderProvider;
import org.apache.beam.sdk.coders.CoderProviders;
import org.apache.beam.sdk.coders.DefaultCoder;
import org.apache.beam.sdk.values.TypeDescriptor;

/**
 * One rejected input record. {@code raw} is the line as received; a line that is not valid UTF-8
 * keeps its exact bytes in {@code rawBase64} instead. Envelope fields are filled in as far as the
 * record got before it was rejected, and are null where unknown.
 */
@DefaultCoder(DeadLetter.DeadLetterCoder.class)
public final class DeadLetter {
  private String stage;
  private String reason;
  private String detail;
  @Nullable private String raw;
  @Nullable private String rawBase64;
  @Nullable private String eventId;
  @Nullable private String tenant;
  @Nullable private String source;
  @Nullable private String table;
  @Nullable private Long eventTimeMillis;
  private long rejectedAtMillis;

  DeadLetter() {}

  private DeadLetter(Builder b) {
    this.stage = Objects.requireNonNull(b.stage, "stage");
    this.reason = Objects.requireNonNull(b.reason, "reason").name();
    this.detail = Objects.requireNonNull(b.detail, "detail");
    this.raw = b.raw;
    this.rawBase64 = b.rawBase64;
    this.eventId = b.eventId;
    this.tenant = b.tenant;
    this.source = b.source;
    this.table = b.table;
    this.eventTimeMillis = b.eventTimeMillis;
    this.rejectedAtMillis = b.rejectedAtMillis;
  }

  /** Starts a dead letter for a record rejected at {@code stage} for {@code reason}. */
  public static Builder builder(String stage, DeadLetterReason reason, String detail) {
    return new Builder(stage, reason, detail);
  }

  /** Starts a dead letter for a parsed envelope, carrying its identity and event time. */
  public static Builder of(
      Envelope envelope, String stage, DeadLetterReason reason, String detail) {
    return builder(stage, reason, detail)
        .raw(envelope.raw())
        .eventId(envelope.eventId())
        .tenant(envelope.tenant())
        .source(envelope.source())
        .table(envelope.table())
        .eventTimeMillis(envelope.eventTimeMillis());
  }

  public String stage() {
    return stage;
  }

  public DeadLetterReason reason() {
    return DeadLetterReason.valueOf(reason);
  }

  public String detail() {
    return detail;
  }

  public String raw() {
    return raw;
  }

  public String rawBase64() {
    return rawBase64;
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

  public Long eventTimeMillis() {
    return eventTimeMillis;
  }

  public long rejectedAtMillis() {
    return rejectedAtMillis;
  }

  /** The same dead letter with a fixed rejection time, for comparing in tests. */
  public DeadLetter withRejectedAtMillis(long millis) {
    Builder b = builder(stage, reason(), detail);
    b.raw = raw;
    b.rawBase64 = rawBase64;
    b.eventId = eventId;
    b.tenant = tenant;
    b.source = source;
    b.table = table;
    b.eventTimeMillis = eventTimeMillis;
    b.rejectedAtMillis = millis;
    return new DeadLetter(b);
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof DeadLetter)) {
      return false;
    }
    DeadLetter d = (DeadLetter) o;
    return rejectedAtMillis == d.rejectedAtMillis
        && stage.equals(d.stage)
        && reason.equals(d.reason)
        && detail.equals(d.detail)
        && Objects.equals(raw, d.raw)
        && Objects.equals(rawBase64, d.rawBase64)
        && Objects.equals(eventId, d.eventId)
        && Objects.equals(tenant, d.tenant)
        && Objects.equals(source, d.source)
        && Objects.equals(table, d.table)
        && Objects.equals(eventTimeMillis, d.eventTimeMillis);
  }

  @Override
  public int hashCode() {
    return Objects.hash(stage, reason, detail, raw, eventId, tenant, source, table);
  }

  @Override
  public String toString() {
    return "DeadLetter{" + stage + " " + reason + " " + detail + " " + eventId + "}";
  }

  /** Builds a {@link DeadLetter}; the rejection time defaults to now. */
  public static final class Builder {
    private final String stage;
    private final DeadLetterReason reason;
    private final String detail;
    private String raw;
    private String rawBase64;
    private String eventId;
    private String tenant;
    private String source;
    private String table;
    private Long eventTimeMillis;
    private long rejectedAtMillis = System.currentTimeMillis();

    private Builder(String stage, DeadLetterReason reason, String detail) {
      this.stage = stage;
      this.reason = reason;
      this.detail = detail;
    }

    public Builder raw(String value) {
      this.raw = value;
      return this;
    }

    /** Keeps bytes that are not valid UTF-8 exactly, as base64. */
    public Builder rawBytes(byte[] value) {
      this.rawBase64 = Base64.getEncoder().encodeToString(value);
      return this;
    }

    public Builder eventId(String value) {
      this.eventId = value;
      return this;
    }

    public Builder tenant(String value) {
      this.tenant = value;
      return this;
    }

    public Builder source(String value) {
      this.source = value;
      return this;
    }

    public Builder table(String value) {
      this.table = value;
      return this;
    }

    public Builder eventTimeMillis(Long value) {
      this.eventTimeMillis = value;
      return this;
    }

    public DeadLetter build() {
      return new DeadLetter(this);
    }
  }

  /** Decodes {@code rawBase64} back to the bytes received; for tests and replays. */
  public byte[] rawBytes() {
    return rawBase64 != null
        ? Base64.getDecoder().decode(rawBase64)
        : raw == null ? new byte[0] : raw.getBytes(StandardCharsets.UTF_8);
  }

  /** DeadLetter's coder: its fields in declaration order (see {@link FieldsCoder}). */
  public static final class DeadLetterCoder extends FieldsCoder<DeadLetter> {
    private static final long serialVersionUID = 1L;
    private static final DeadLetterCoder INSTANCE = new DeadLetterCoder();

    public static DeadLetterCoder of() {
      return INSTANCE;
    }

    /** Found by Beam through {@code @DefaultCoder}. */
    public static CoderProvider getCoderProvider() {
      return CoderProviders.forCoder(TypeDescriptor.of(DeadLetter.class), INSTANCE);
    }

    @Override
    public void encode(DeadLetter value, OutputStream out) throws IOException {
      writeString(value.stage, out);
      writeString(value.reason, out);
      writeString(value.detail, out);
      writeNullableString(value.raw, out);
      writeNullableString(value.rawBase64, out);
      writeNullableString(value.eventId, out);
      writeNullableString(value.tenant, out);
      writeNullableString(value.source, out);
      writeNullableString(value.table, out);
      out.write(value.eventTimeMillis == null ? 0 : 1);
      if (value.eventTimeMillis != null) {
        writeLong(value.eventTimeMillis, out);
      }
      writeLong(value.rejectedAtMillis, out);
    }

    @Override
    public DeadLetter decode(InputStream in) throws IOException {
      DeadLetter d = new DeadLetter();
      d.stage = readString(in);
      d.reason = readString(in);
      d.detail = readString(in);
      d.raw = readNullableString(in);
      d.rawBase64 = readNullableString(in);
      d.eventId = readNullableString(in);
      d.tenant = readNullableString(in);
      d.source = readNullableString(in);
      d.table = readNullableString(in);
      d.eventTimeMillis = readPresence(in) ? readLong(in) : null;
      d.rejectedAtMillis = readLong(in);
      return d;
    }
  }
}
