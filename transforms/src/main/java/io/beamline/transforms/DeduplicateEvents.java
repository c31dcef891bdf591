package io.beamline.transforms;

import io.beamline.transforms.model.ValidatedEvent;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * Keeps one event per (tenant, event_id) within a bounded run. Which copy survives does not depend
 * on the runner: the one whose raw line sorts first. The event ids of the dropped copies come out
 * on {@link #DUPLICATES}, so the run can account for them.
 */
public final class DeduplicateEvents
    extends PTransform<PCollection<ValidatedEvent>, PCollectionTuple> {
  public static final TupleTag<ValidatedEvent> UNIQUE = new TupleTag<ValidatedEvent>("unique") {};
  public static final TupleTag<String> DUPLICATES = new TupleTag<String>("duplicates") {};

  private DeduplicateEvents() {}

  public static DeduplicateEvents byEventId() {
    return new DeduplicateEvents();
  }

  @Override
  public PCollectionTuple expand(PCollection<ValidatedEvent> events) {
    return events
        .apply(
            "KeyByTenantAndEventId",
            WithKeys.of(
                    (ValidatedEvent e) -> e.envelope().tenant() + "\u0000" + e.envelope().eventId())
                .withKeyType(TypeDescriptors.strings()))
        .apply("GroupCopies", GroupByKey.create())
        .apply(
            "KeepFirstCopy",
            ParDo.of(new KeepFirstFn()).withOutputTags(UNIQUE, TupleTagList.of(DUPLICATES)));
  }

  static final class KeepFirstFn extends DoFn<KV<String, Iterable<ValidatedEvent>>, ValidatedEvent> {
    private final Counter dropped = Metrics.counter(DeadLetters.METRICS_NAMESPACE, "duplicates");

    @ProcessElement
    public void process(ProcessContext c) {
      ValidatedEvent kept = null;
      for (ValidatedEvent e : c.element().getValue()) {
        if (kept == null) {
          kept = e;
          continue;
        }
        ValidatedEvent drop = e;
        if (e.envelope().raw().compareTo(kept.envelope().raw()) < 0) {
          drop = kept;
          kept = e;
        }
        dropped.inc();
        c.output(DUPLICATES, drop.envelope().eventId());
      }
      c.output(kept);
    }
  }
}
