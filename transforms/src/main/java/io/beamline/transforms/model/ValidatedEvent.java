package io.beamline.transforms.model;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import org.apache.beam.sdk.coders.CoderProvider;
import org.apache.beam.sdk.coders.CoderProviders;
import org.apache.beam.sdk.coders.DefaultCoder;
import org.apache.beam.sdk.values.TypeDescriptor;

/**
 * An event whose every row passed its table schema: the parent row first, then its children, and
 * the SHA-256 digest of its raw line, which picks the copy deduplication keeps.
 */
@DefaultCoder(ValidatedEvent.ValidatedEventCoder.class)
public final class ValidatedEvent {
  private Envelope envelope;
  private List<EtlRow> rows;
  /** Hex SHA-256 of the raw line; computed on first use, kept when the raw line is trimmed off. */
  private String rawDigest;

  ValidatedEvent() {}

  public ValidatedEvent(Envelope envelope, List<EtlRow> rows) {
    this.envelope = envelope;
    this.rows = List.copyOf(rows);
  }

  public Envelope envelope() {
    return envelope;
  }

  public List<EtlRow> rows() {
    return rows;
  }

  /** Hex SHA-256 of the raw line the event was parsed from. */
  public String rawDigest() {
    if (rawDigest == null) {
      rawDigest = digest(envelope.raw());
    }
    return rawDigest;
  }

  /**
   * The same event, its envelope without the payload and the raw line: what travels on once the
   * rows hold the data. The copies of a large input no longer pile up in a runner's grouping (the
   * Direct runner holds every element of a GroupByKey in memory); the raw line's digest stays.
   */
  public ValidatedEvent trimmed() {
    ValidatedEvent t = new ValidatedEvent(envelope.withoutPayloadAndRaw(), rows);
    t.rawDigest = rawDigest();
    return t;
  }

  /** One digest per thread: looked up once, not for every event (digest() resets it). */
  private static final ThreadLocal<MessageDigest> SHA_256 =
      ThreadLocal.withInitial(
          () -> {
            try {
              return MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
              throw new IllegalStateException("every Java runtime has SHA-256", e);
            }
          });

  private static String digest(String raw) {
    return HexFormat.of().formatHex(SHA_256.get().digest(raw.getBytes(StandardCharsets.UTF_8)));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ValidatedEvent
        && envelope.equals(((ValidatedEvent) o).envelope)
        && rows.equals(((ValidatedEvent) o).rows)
        && rawDigest().equals(((ValidatedEvent) o).rawDigest());
  }

  @Override
  public int hashCode() {
    return Objects.hash(envelope, rows);
  }

  @Override
  public String toString() {
    return "ValidatedEvent{" + envelope + " " + rows + "}";
  }

  /** ValidatedEvent's coder: its fields in declaration order (see {@link FieldsCoder}). */
  public static final class ValidatedEventCoder extends FieldsCoder<ValidatedEvent> {
    private static final long serialVersionUID = 1L;
    private static final ValidatedEventCoder INSTANCE = new ValidatedEventCoder();

    public static ValidatedEventCoder of() {
      return INSTANCE;
    }

    /** Found by Beam through {@code @DefaultCoder}. */
    public static CoderProvider getCoderProvider() {
      return CoderProviders.forCoder(TypeDescriptor.of(ValidatedEvent.class), INSTANCE);
    }

    @Override
    public void encode(ValidatedEvent value, OutputStream out) throws IOException {
      Envelope.EnvelopeCoder.of().encode(value.envelope, out);
      writeInt(value.rows.size(), out);
      for (EtlRow row : value.rows) {
        EtlRow.EtlRowCoder.of().encode(row, out);
      }
      writeString(value.rawDigest(), out);
    }

    @Override
    public ValidatedEvent decode(InputStream in) throws IOException {
      Envelope envelope = Envelope.EnvelopeCoder.of().decode(in);
      int n = readInt(in);
      List<EtlRow> rows = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        rows.add(EtlRow.EtlRowCoder.of().decode(in).sharingEventId(envelope.eventId()));
      }
      ValidatedEvent v = new ValidatedEvent(envelope, rows);
      v.rawDigest = readString(in);
      return v;
    }
  }
}
