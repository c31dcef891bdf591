package io.beamline.transforms.model;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.beam.sdk.coders.CoderProvider;
import org.apache.beam.sdk.coders.CoderProviders;
import org.apache.beam.sdk.coders.DefaultCoder;
import org.apache.beam.sdk.values.TypeDescriptor;

/** An event whose every row passed its table schema: the parent row first, then its children. */
@DefaultCoder(ValidatedEvent.ValidatedEventCoder.class)
public final class ValidatedEvent {
  private Envelope envelope;
  private List<EtlRow> rows;

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

  @Override
  public boolean equals(Object o) {
    return o instanceof ValidatedEvent
        && envelope.equals(((ValidatedEvent) o).envelope)
        && rows.equals(((ValidatedEvent) o).rows);
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
    }

    @Override
    public ValidatedEvent decode(InputStream in) throws IOException {
      Envelope envelope = Envelope.EnvelopeCoder.of().decode(in);
      int n = readInt(in);
      List<EtlRow> rows = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        rows.add(EtlRow.EtlRowCoder.of().decode(in));
      }
      return new ValidatedEvent(envelope, rows);
    }
  }
}
