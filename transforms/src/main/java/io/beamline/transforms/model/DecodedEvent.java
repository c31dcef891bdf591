package io.beamline.transforms.model;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Objects;
import org.apache.beam.sdk.coders.CoderProvider;
import org.apache.beam.sdk.coders.CoderProviders;
import org.apache.beam.sdk.coders.DefaultCoder;
import org.apache.beam.sdk.values.TypeDescriptor;

/** An envelope with its payload decrypted (or passed through) to JSON text. */
@DefaultCoder(DecodedEvent.DecodedEventCoder.class)
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

  /** DecodedEvent's coder: its fields in declaration order (see {@link FieldsCoder}). */
  public static final class DecodedEventCoder extends FieldsCoder<DecodedEvent> {
    private static final long serialVersionUID = 1L;
    private static final DecodedEventCoder INSTANCE = new DecodedEventCoder();

    public static DecodedEventCoder of() {
      return INSTANCE;
    }

    /** Found by Beam through {@code @DefaultCoder}. */
    public static CoderProvider getCoderProvider() {
      return CoderProviders.forCoder(TypeDescriptor.of(DecodedEvent.class), INSTANCE);
    }

    @Override
    public void encode(DecodedEvent value, OutputStream out) throws IOException {
      Envelope.EnvelopeCoder.of().encode(value.envelope, out);
      writeString(value.payloadJson, out);
    }

    @Override
    public DecodedEvent decode(InputStream in) throws IOException {
      DecodedEvent d = new DecodedEvent();
      d.envelope = Envelope.EnvelopeCoder.of().decode(in);
      d.payloadJson = readString(in);
      return d;
    }
  }
}
