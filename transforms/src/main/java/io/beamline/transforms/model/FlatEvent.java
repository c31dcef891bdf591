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

/** A flattened event: its envelope and its rows, the parent row first, then its child rows. */
@DefaultCoder(FlatEvent.FlatEventCoder.class)
public final class FlatEvent {
  private Envelope envelope;
  private List<FlatRow> rows;

  FlatEvent() {}

  public FlatEvent(Envelope envelope, List<FlatRow> rows) {
    this.envelope = envelope;
    this.rows = List.copyOf(rows);
  }

  public Envelope envelope() {
    return envelope;
  }

  public List<FlatRow> rows() {
    return rows;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FlatEvent
        && envelope.equals(((FlatEvent) o).envelope)
        && rows.equals(((FlatEvent) o).rows);
  }

  @Override
  public int hashCode() {
    return Objects.hash(envelope, rows);
  }

  @Override
  public String toString() {
    return "FlatEvent{" + envelope + " " + rows + "}";
  }

  /** FlatEvent's coder: its fields in declaration order (see {@link FieldsCoder}). */
  public static final class FlatEventCoder extends FieldsCoder<FlatEvent> {
    private static final long serialVersionUID = 1L;
    private static final FlatEventCoder INSTANCE = new FlatEventCoder();

    public static FlatEventCoder of() {
      return INSTANCE;
    }

    /** Found by Beam through {@code @DefaultCoder}. */
    public static CoderProvider getCoderProvider() {
      return CoderProviders.forCoder(TypeDescriptor.of(FlatEvent.class), INSTANCE);
    }

    @Override
    public void encode(FlatEvent value, OutputStream out) throws IOException {
      Envelope.EnvelopeCoder.of().encode(value.envelope, out);
      writeInt(value.rows.size(), out);
      for (FlatRow row : value.rows) {
        FlatRow.FlatRowCoder.of().encode(row, out);
      }
    }

    @Override
    public FlatEvent decode(InputStream in) throws IOException {
      Envelope envelope = Envelope.EnvelopeCoder.of().decode(in);
      int n = readInt(in);
      List<FlatRow> rows = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        rows.add(FlatRow.FlatRowCoder.of().decode(in));
      }
      return new FlatEvent(envelope, rows);
    }
  }
}
