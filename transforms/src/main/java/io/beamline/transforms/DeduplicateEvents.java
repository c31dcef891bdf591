package io.beamline.transforms;

import io.beamline.transforms.model.ValidatedEvent;
import java.util.HashMap;
import java.util.Map;
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
 * run, and which copy survives does not depend on the runner: the one whose raw line has the
 * lowest SHA-256 digest ({@link ValidatedEvent#rawDigest()}; byte-identical copies are alike).
 * In a stream ({@link #withinEventTime}) the first copy seen wins, and an event id is remembered
 * for a span of event time after its first copy. The event ids of the dropped copies come out on
 * {@link #DUPLICATES}, so the run can account for them.
 */
public final class DeduplicateEvents
    extends PTransform<PCollection<ValidatedEvent>, PCollectionTuple> {
  public static final TupleTag<ValidatedEvent> UNIQUE = new TupleTag<ValidatedEvent>("unique") {};
  public static final TupleTag<String> DUPLICATES = new TupleTag<String>("duplicates") {};

  /** Buckets of a bounded run whose input size is not known (API and database sources). */
  public static final int DEFAULT_BUCKETS = 256;

  /** Input bytes per bucket when the size is known: a bucket's events are held while it is judged. */
  static final long INPUT_BYTES_PER_BUCKET = 4L << 20;

  static final int MIN_BUCKETS = 16;
  static final int MAX_BUCKETS = 1 << 16;

  /** Null: the whole bounded run. */
  private final Duration span;

  /** A bounded run groups its events into this many buckets of (tenant, event_id). */
  private final int buckets;

  private DeduplicateEvents(Duration span, int buckets) {
    this.span = span;
    this.buckets = buckets;
  }

  /** One event per (tenant, event_id) over the whole run; the input must be bounded. */
  public static DeduplicateEvents byEventId() {
    return new DeduplicateEvents(null, DEFAULT_BUCKETS);
  }

  /**
   * The same over {@code count} buckets. A bounded run groups its events by bucket, not by event
   * id: runners pay per key (on the Direct runner per-key timers, state and bundles took 85 % of a
   * run's CPU), and each bucket's events are held in memory while its copies are compared.
   */
  public DeduplicateEvents inBuckets(int count) {
    if (span != null) {
      throw new IllegalStateException("buckets are for a bounded run; a stream deduplicates per key");
    }
    if (count < 1) {
      throw new IllegalArgumentException("dedup buckets must be at least 1, got " + count);
    }
    return new DeduplicateEvents(null, count);
  }

  /** Buckets for an input of {@code bytes}: about 4 MiB of input each, within 16..65536. */
  public static int bucketsForInputBytes(long bytes) {
    long n = (bytes + INPUT_BYTES_PER_BUCKET - 1) / INPUT_BYTES_PER_BUCKET;
    return (int) Math.max(MIN_BUCKETS, Math.min(MAX_BUCKETS, n));
  }

  /** One event per (tenant, event_id) within {@code span} of event time after the first copy. */
  public static DeduplicateEvents withinEventTime(Duration span) {
    if (span == null || !span.isLongerThan(Duration.ZERO)) {
      throw new IllegalArgumentException("--dedupMinutes must be positive");
    }
    return new DeduplicateEvents(span, 0);
  }

  @Override
  public PCollectionTuple expand(PCollection<ValidatedEvent> events) {
    if (span != null) {
      return events
          .apply(
              "KeyByTenantAndEventId",
              WithKeys.of(DeduplicateEvents::identity).withKeyType(TypeDescriptors.strings()))
          .apply(
              "KeepFirstWithinSpan",
              ParDo.of(new FirstWithinSpanFn(span)).withOutputTags(UNIQUE, TupleTagList.of(DUPLICATES)));
    }
    int count = buckets;
    return events
        .apply(
            "KeyByBucket",
            WithKeys.of((ValidatedEvent e) -> bucketOf(identity(e), count))
                .withKeyType(TypeDescriptors.integers()))
        .apply("GroupCopies", GroupByKey.create())
        .apply(
            "KeepFirstCopy",
            ParDo.of(new KeepFirstFn()).withOutputTags(UNIQUE, TupleTagList.of(DUPLICATES)));
  }

  /** What makes two events copies of one another. */
  static String identity(ValidatedEvent e) {
    return e.envelope().tenant() + "\u0000" + e.envelope().eventId();
  }

  /** The bucket of an identity: String.hashCode is the same in every JVM, spread by a multiply. */
  static int bucketOf(String identity, int buckets) {
    return Math.floorMod(identity.hashCode() * 0x9E3779B9, buckets);
  }

  /** Keeps, per identity in the bucket, the copy whose raw line has the lowest digest. */
  static final class KeepFirstFn extends DoFn<KV<Integer, Iterable<ValidatedEvent>>, ValidatedEvent> {
    private final Counter dropped = Metrics.counter(DeadLetters.METRICS_NAMESPACE, "duplicates");

    @ProcessElement
    public void process(ProcessContext c) {
      Map<String, ValidatedEvent> kept = new HashMap<>();
      for (ValidatedEvent e : c.element().getValue()) {
        ValidatedEvent earlier = kept.putIfAbsent(identity(e), e);
        if (earlier == null) {
          continue;
        }
        ValidatedEvent drop = e;
        if (e.rawDigest().compareTo(earlier.rawDigest()) < 0) {
          drop = earlier;
          kept.put(identity(e), e);
        }
        dropped.inc();
        c.output(DUPLICATES, drop.envelope().eventId());
      }
      kept.values().forEach(c::output);
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
