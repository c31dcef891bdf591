package io.beamline.transforms.model;

import java.util.List;
import java.util.Objects;
import org.apache.beam.sdk.coders.DefaultCoder;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;

/** An event whose every row passed its table schema: the parent row first, then its children. */
@DefaultCoder(AvroCoder.class)
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
}
