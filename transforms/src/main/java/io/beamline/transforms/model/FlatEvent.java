package io.beamline.transforms.model;

import java.util.List;
import java.util.Objects;
import org.apache.beam.sdk.coders.DefaultCoder;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;

/** A flattened event: its envelope and its rows, the parent row first, then its child rows. */
@DefaultCoder(AvroCoder.class)
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
}
