package io.beamline.transforms;

import io.beamline.transforms.model.DeadLetter;
import io.beamline.transforms.model.Envelope;
import io.beamline.transforms.model.EtlRow;
import io.beamline.transforms.model.ValidatedEvent;
import io.beamline.transforms.schema.TableSchemas;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.FlatMapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.WithFailures;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.joda.time.Duration;

/**
 * The shared middle of every Beamline pipeline: parse the envelope, decrypt, flatten, validate,
 * protect personal data and deduplicate, with every rejected record of every stage on one dead-letter output. Batch and
 * streaming differ only in what comes before and after this composite.
 */
public final class ProcessEnvelopes extends PTransform<PCollection<String>, ProcessedEnvelopes> {
  private final Keyring keyring;
  private final TableSchemas schemas;
  private final DeduplicateEvents deduplicate;
  private final EventTimeDeadline lateAfter;
  private final RecordLimits limits;

  private ProcessEnvelopes(
      Keyring keyring,
      TableSchemas schemas,
      DeduplicateEvents deduplicate,
      EventTimeDeadline lateAfter,
      RecordLimits limits) {
    this.keyring = keyring;
    this.schemas = schemas;
    this.deduplicate = deduplicate;
    this.lateAfter = lateAfter;
    this.limits = limits;
  }

  /** The batch composite: deduplicates over the whole bounded run; default record limits. */
  public static ProcessEnvelopes with(Keyring keyring, TableSchemas schemas) {
    return new ProcessEnvelopes(
        keyring, schemas, DeduplicateEvents.byEventId(), null, RecordLimits.defaults());
  }

  /** The streaming composite: deduplicates within {@code span} of event time. */
  public ProcessEnvelopes deduplicatingWithin(Duration span) {
    return new ProcessEnvelopes(
        keyring, schemas, DeduplicateEvents.withinEventTime(span), lateAfter, limits);
  }

  /**
   * A bounded run deduplicates in {@code buckets} groups of events (see {@link
   * DeduplicateEvents#inBuckets}); size them to the input with {@link
   * DeduplicateEvents#bucketsForInputBytes}.
   */
  public ProcessEnvelopes withDedupBuckets(int buckets) {
    return new ProcessEnvelopes(keyring, schemas, deduplicate.inBuckets(buckets), lateAfter, limits);
  }

  /**
   * Holds every record to these limits (size, and its payload's depth, values, string and number
   * lengths); a record over one is an {@code OVERSIZED} dead letter.
   */
  public ProcessEnvelopes withLimits(RecordLimits recordLimits) {
    return new ProcessEnvelopes(keyring, schemas, deduplicate, lateAfter, recordLimits);
  }

  /**
   * Sends envelopes stamped past their event-time deadline to the dead letters as {@code
   * LATE_DATA}, right after parsing (see {@link RouteLateData}).
   */
  public ProcessEnvelopes routingLateDataPast(EventTimeDeadline deadline) {
    return new ProcessEnvelopes(keyring, schemas, deduplicate, deadline, limits);
  }

  @Override
  public ProcessedEnvelopes expand(PCollection<String> lines) {
    WithFailures.Result<PCollection<Envelope>, DeadLetter> parsed =
        lines.apply("ParseEnvelope", ParseEnvelope.create().withLimits(limits));
    PCollectionList<DeadLetter> rejected = PCollectionList.of(parsed.failures());
    PCollection<Envelope> envelopes = parsed.output();
    if (lateAfter != null) {
      WithFailures.Result<PCollection<Envelope>, DeadLetter> onTime =
          envelopes.apply("RouteLateData", RouteLateData.past(lateAfter));
      envelopes = onTime.output();
      rejected = rejected.and(onTime.failures());
    }
    // One fused step: the stages' elements never cross a runner boundary (see DecodeEnvelopes).
    WithFailures.Result<PCollection<ValidatedEvent>, DeadLetter> decoded =
        envelopes.apply("DecodeEnvelopes", DecodeEnvelopes.with(keyring, schemas).withLimits(limits));
    PCollectionTuple unique = decoded.output().apply("DeduplicateEvents", deduplicate);

    PCollection<ValidatedEvent> events = unique.get(DeduplicateEvents.UNIQUE);
    PCollection<EtlRow> rows =
        events.apply(
            "ExplodeRows",
            FlatMapElements.into(TypeDescriptor.of(EtlRow.class)).via(ValidatedEvent::rows));
    PCollection<DeadLetter> deadLetters =
        rejected
            .and(decoded.failures())
            .apply("AllDeadLetters", Flatten.pCollections());
    return new ProcessedEnvelopes(
        parsed.output(), events, rows, deadLetters, unique.get(DeduplicateEvents.DUPLICATES));
  }
}
