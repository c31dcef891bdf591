package io.beamline.transforms;

import io.beamline.transforms.model.DeadLetter;
import io.beamline.transforms.model.Envelope;
import io.beamline.transforms.model.EtlRow;
import io.beamline.transforms.model.ValidatedEvent;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PInput;
import org.apache.beam.sdk.values.POutput;
import org.apache.beam.sdk.values.PValue;
import org.apache.beam.sdk.values.TupleTag;

/** The outputs of {@link ProcessEnvelopes}. */
public final class ProcessedEnvelopes implements POutput {
  private final PCollection<Envelope> envelopes;
  private final PCollection<ValidatedEvent> events;
  private final PCollection<EtlRow> rows;
  private final PCollection<DeadLetter> deadLetters;
  private final PCollection<String> duplicates;

  ProcessedEnvelopes(
      PCollection<Envelope> envelopes,
      PCollection<ValidatedEvent> events,
      PCollection<EtlRow> rows,
      PCollection<DeadLetter> deadLetters,
      PCollection<String> duplicates) {
    this.envelopes = envelopes;
    this.events = events;
    this.rows = rows;
    this.deadLetters = deadLetters;
    this.duplicates = duplicates;
  }

  /** Every well-formed envelope, before decryption: what the raw zone keeps. */
  public PCollection<Envelope> envelopes() {
    return envelopes;
  }

  /** Accepted events, one per (tenant, event_id). */
  public PCollection<ValidatedEvent> events() {
    return events;
  }

  /** The rows of the accepted events, parents and children, for the etl zone. */
  public PCollection<EtlRow> rows() {
    return rows;
  }

  /** Every rejected record of every stage. */
  public PCollection<DeadLetter> deadLetters() {
    return deadLetters;
  }

  /** Event ids of the copies deduplication dropped. */
  public PCollection<String> duplicates() {
    return duplicates;
  }

  @Override
  public Pipeline getPipeline() {
    return rows.getPipeline();
  }

  @Override
  public Map<TupleTag<?>, PValue> expand() {
    return Map.of(
        new TupleTag<Envelope>("envelopes"), envelopes,
        new TupleTag<ValidatedEvent>("events"), events,
        new TupleTag<EtlRow>("rows"), rows,
        new TupleTag<DeadLetter>("deadLetters"), deadLetters,
        new TupleTag<String>("duplicates"), duplicates);
  }

  @Override
  public void finishSpecifyingOutput(
      String transformName, PInput input, PTransform<?, ?> transform) {}
}
