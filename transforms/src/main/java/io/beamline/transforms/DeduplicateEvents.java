package io.beamline.transforms;

import io.beamline.transforms.model.ValidatedEvent;
import org.apache.beam.sdk.coders.BooleanCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.state.StateSpec;
import org.apache.beam.sdk.state.StateSpecs;
import org.apache.beam.sdk.state.TimeDomain;
import org.apache.beam.sdk.state.Timer;
import org.apache.beam.sdk.state.TimerSpec;
import org.apache.beam.sdk.state.TimerSpecs;
import org.apache.beam.sdk.state.ValueState;
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
import org.joda.time.Duration;

/**
 * Keeps one event per (tenant, event_id). In a bounded run ({@link #byEventId()}) over the whole
 * run, and which copy survives does not depend on the runner: the one whose raw line sorts first.
 * In a stream ({@link #withinEventTime}) the first copy seen wins, and an event id is remembered
 * for a span of event time after its first copy. The event ids of the dropped copies come out on
 * {@link #DUPLICATES}, so the run can account for them.
 */
public final class DeduplicateEvents
    extends PTransform<PCollection<ValidatedEvent>, PCollectionTuple> {
  public static final TupleTag<ValidatedEvent> UNIQUE = new TupleTag<ValidatedEvent>("unique") {};
  public static final TupleTag<String> DUPLICATES = new TupleTag<String>("duplicates") {};

  /** Null: the whole bounded run. */
  private final Duration span;

  private DeduplicateEvents(Duration span) {
    this.span = span;
  }

  /** One event per (tenant, event_id) over the whole run; the input must be bounded. */
  public static DeduplicateEvents byEventId() {
    return new DeduplicateEvents(null);
  }

  /** One event per (tenant, event_id) within {@code span} of event time after the first copy. */
  public static DeduplicateEvents withinEventTime(Duration span) {
    if (span == null || !span.isLongerThan(Duration.ZERO)) {
      throw new IllegalArgumentException("--dedupMinutes must be positive");
    }
    return new DeduplicateEvents(span);
  }

  @Override
  public PCollectionTuple expand(PCollection<ValidatedEvent> events) {
    PCollection<KV<String, ValidatedEvent>> keyed =
        events.apply(
            "KeyByTenantAndEventId",
            WithKeys.of(
                    (ValidatedEvent e) -> e.envelope().tenant() + "\u0000" + e.envelope().eventId())
                .withKeyType(TypeDescriptors.strings()));
    if (span != null) {
      return keyed.apply(
          "KeepFirstWithinSpan",
          ParDo.of(new FirstWithinSpanFn(span)).withOutputTags(UNIQUE, TupleTagList.of(DUPLICATES)));
    }
    return keyed
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

  /** Remembers each key for {@code span} of event time after its first copy. */
  static final class FirstWithinSpanFn extends DoFn<KV<String, ValidatedEvent>, ValidatedEvent> {
    private final Duration span;
    private final Counter dropped = Metrics.counter(DeadLetters.METRICS_NAMESPACE, "duplicates");

    @StateId("seen")
    private final StateSpec<ValueState<Boolean>> seenSpec = StateSpecs.value(BooleanCoder.of());

    @TimerId("forget")
    private final TimerSpec forgetSpec = TimerSpecs.timer(TimeDomain.EVENT_TIME);

    FirstWithinSpanFn(Duration span) {
      this.span = span;
    }

    @ProcessElement
    public void process(
        ProcessContext c,
        @StateId("seen") ValueState<Boolean> seen,
        @TimerId("forget") Timer forget) {
      ValidatedEvent e = c.element().getValue();
      if (Boolean.TRUE.equals(seen.read())) {
        dropped.inc();
        c.output(DUPLICATES, e.envelope().eventId());
        return;
      }
      seen.write(true);
      // No output timestamp: forgetting emits nothing, so it must not hold the watermark back.
      forget.withNoOutputTimestamp().set(c.timestamp().plus(span));
      c.output(e);
    }

    @OnTimer("forget")
    public void forget(@StateId("seen") ValueState<Boolean> seen) {
      seen.clear();
    }
  }
}
