package io.beamline.transforms.model;

import java.util.Objects;
import org.apache.beam.sdk.coders.DefaultCoder;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;

/** An envelope with its payload decrypted (or passed through) to JSON text. */
@DefaultCoder(AvroCoder.class)
public final class DecodedEvent {
  private Envelope envelope;
  private String payloadJson;

  DecodedEvent() {}

  public DecodedEvent(Envelope envelope, String payloadJson) {
    this.envelope = envelope;
    this.payloadJson = payloadJson;
  }

  public Envelope envelope() {
    return envelope;
  }

  public String payloadJson() {
    return payloadJson;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof DecodedEvent
        && envelope.equals(((DecodedEvent) o).envelope)
        && payloadJson.equals(((DecodedEvent) o).payloadJson);
  }

  @Override
  public int hashCode() {
    return Objects.hash(envelope, payloadJson);
  }

  @Override
  public String toString() {
    return "DecodedEvent{" + envelope + "}";
  }
}
