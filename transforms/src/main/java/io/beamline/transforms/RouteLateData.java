package io.beamline.transforms;

import static io.beamline.transforms.model.DeadLetterReason.LATE_DATA;

import io.beamline.transforms.model.DeadLetter;
import io.beamline.transforms.model.Envelope;
import java.time.Instant;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.WithFailures;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TupleTag;

/**
 * Sends envelopes that arrived after their event-time deadline to the dead-letter output with
 * reason {@code LATE_DATA}, so that a backfill can replay them instead of a window grouping
 * dropping them unseen.
 *
 * <p>The decision needs the watermark at the moment the record arrived, which a DoFn cannot see.
 * The source that makes the watermark (see the Kafka reader) knows it, and stamps a record that
 * is past its deadline with that watermark instead of its event time. Here a timestamp beyond the
 * deadline of the envelope's own {@code event_time} therefore marks a late record; an on-time
 * record carries its event time. The new timestamp also keeps the dead letter itself from being
 * late for the dead-letter zone's windows.
 */
public final class RouteLateData
    extends PTransform<PCollection<Envelope>, WithFailures.Result<PCollection<Envelope>, DeadLetter>> {
  public static final String STAGE = "late";
  private static final TupleTag<Envelope> ON_TIME = new TupleTag<Envelope>("onTime") {};

  private final EventTimeDeadline deadline;

  private RouteLateData(EventTimeDeadline deadline) {
    this.deadline = deadline;
  }

  public static RouteLateData past(EventTimeDeadline deadline) {
    return new RouteLateData(deadline);
  }

  @Override
  public WithFailures.Result<PCollection<Envelope>, DeadLetter> expand(PCollection<Envelope> envelopes) {
    return DeadLetters.route(envelopes, "CompareWithDeadline", new RouteLateFn(deadline), ON_TIME);
  }

  static final class RouteLateFn extends DoFn<Envelope, Envelope> {
    private final Counter passed = DeadLetters.outputCounter(STAGE);
    private final EventTimeDeadline deadline;

    RouteLateFn(EventTimeDeadline deadline) {
      this.deadline = deadline;
    }

    @ProcessElement
    public void process(ProcessContext c) {
      Envelope e = c.element();
      long arrivedAt = c.timestamp().getMillis();
      if (deadline.isPast(e.eventTimeMillis(), arrivedAt)) {
        DeadLetters.emit(
            c,
            DeadLetter.of(
                    e,
                    STAGE,
                    LATE_DATA,
                    "event_time is past its window's end plus the allowed lateness ("
                        + java.time.Duration.ofMillis(deadline.allowedLateness().getMillis())
                        + "): deadline "
                        + Instant.ofEpochMilli(deadline.deadlineMillis(e.eventTimeMillis()) + 1)
                        + ", watermark was "
                        + Instant.ofEpochMilli(arrivedAt))
                .build());
      } else {
        c.output(e);
        passed.inc();
      }
    }
  }
}
