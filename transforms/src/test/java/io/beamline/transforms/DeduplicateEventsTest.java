package io.beamline.transforms;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.beamline.transforms.model.EtlRow;
import io.beamline.transforms.model.Envelope;
import io.beamline.transforms.model.ValidatedEvent;
import io.beamline.transforms.testing.Envelopes;
import io.beamline.transforms.testing.TestPipelineExtension;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.values.TimestampedValue;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(TestPipelineExtension.class)
class DeduplicateEventsTest {
  private static final Envelopes VALID = Envelopes.envelope().unencrypted();

  @Test
  void passesDistinctEventsThrough(TestPipeline p) {
    ValidatedEvent e1 = event("acme", "evt-1", "a");
    ValidatedEvent e2 = event("acme", "evt-2", "a");
    ValidatedEvent e3 = event("acme", "evt-3", "a");

    PCollectionTuple out = dedup(p, e1, e2, e3);

    PAssert.that(out.get(DeduplicateEvents.UNIQUE)).containsInAnyOrder(e1, e2, e3);
    PAssert.that(out.get(DeduplicateEvents.DUPLICATES)).empty();
  }

  @Test
  void keepsExactlyOneCopyPerTenantAndEventIdAndReportsTheOthers(TestPipeline p) {
    ValidatedEvent copyA = event("acme", "evt-1", "a");
    ValidatedEvent copyB = event("acme", "evt-1", "b");
    ValidatedEvent copyC = event("acme", "evt-1", "c");
    ValidatedEvent other = event("acme", "evt-2", "a");

    PCollectionTuple out = dedup(p, copyB, other, copyC, copyA);

    PAssert.that(out.get(DeduplicateEvents.UNIQUE)).containsInAnyOrder(copyA, other);
    PAssert.that(out.get(DeduplicateEvents.DUPLICATES)).containsInAnyOrder("evt-1", "evt-1");
  }

  @Test
  void keepsTheCopyWhoseRawLineSortsFirstWhateverTheInputOrder(TestPipeline p) {
    ValidatedEvent copyA = event("acme", "evt-1", "a");
    ValidatedEvent copyB = event("acme", "evt-1", "b");
    ValidatedEvent copyC = event("acme", "evt-1", "c");

    PCollectionTuple forward =
        p.apply("Forward", Create.of(copyA, copyB, copyC))
            .apply("DedupForward", DeduplicateEvents.byEventId());
    PCollectionTuple backward =
        p.apply("Backward", Create.of(copyC, copyB, copyA))
            .apply("DedupBackward", DeduplicateEvents.byEventId());

    PAssert.that("forward", forward.get(DeduplicateEvents.UNIQUE)).containsInAnyOrder(copyA);
    PAssert.that("backward", backward.get(DeduplicateEvents.UNIQUE)).containsInAnyOrder(copyA);
  }

  @Test
  void treatsIdenticalCopiesAsDuplicates(TestPipeline p) {
    ValidatedEvent copy = event("acme", "evt-1", "a");

    PCollectionTuple out = dedup(p, copy, copy, copy);

    PAssert.that(out.get(DeduplicateEvents.UNIQUE)).containsInAnyOrder(copy);
    PAssert.that(out.get(DeduplicateEvents.DUPLICATES)).containsInAnyOrder("evt-1", "evt-1");
  }

  @Test
  void treatsTheSameEventIdOfDifferentTenantsAsDifferentEvents(TestPipeline p) {
    ValidatedEvent acme = event("acme", "evt-1", "a");
    ValidatedEvent globex = event("globex", "evt-1", "a");

    PCollectionTuple out = dedup(p, acme, globex);

    PAssert.that(out.get(DeduplicateEvents.UNIQUE)).containsInAnyOrder(acme, globex);
    PAssert.that(out.get(DeduplicateEvents.DUPLICATES)).empty();
  }

  @Test
  void treatsTheSameEventIdInAnotherTableOfTheTenantAsADuplicate(TestPipeline p) {
    ValidatedEvent order = event(VALID.tenant("acme").eventId("evt-1").table("orders"), "a");
    ValidatedEvent item = event(VALID.tenant("acme").eventId("evt-1").table("order_items"), "a");

    PCollectionTuple out = dedup(p, order, item);

    // The raw line of order_items sorts before the one of orders ("order_items" < "orders").
    PAssert.that(out.get(DeduplicateEvents.UNIQUE)).containsInAnyOrder(item);
    PAssert.that(out.get(DeduplicateEvents.DUPLICATES)).containsInAnyOrder("evt-1");
  }

  @Test
  void keepsTheSameCopiesWhateverTheNumberOfBuckets(TestPipeline p) {
    List<ValidatedEvent> in = new ArrayList<>();
    List<ValidatedEvent> expected = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      ValidatedEvent first = event(i % 2 == 0 ? "acme" : "globex", "evt-" + i, "a");
      in.add(event(first.envelope().tenant(), "evt-" + i, "z"));
      in.add(first);
      expected.add(first);
    }
    for (int buckets : new int[] {1, 7, 1024}) {
      PCollectionTuple out =
          p.apply("Events" + buckets, Create.of(in))
              .apply("Dedup" + buckets, DeduplicateEvents.byEventId().inBuckets(buckets));
      PAssert.that("unique in " + buckets, out.get(DeduplicateEvents.UNIQUE)).containsInAnyOrder(expected);
      PAssert.that("duplicates in " + buckets, out.get(DeduplicateEvents.DUPLICATES))
          .satisfies(d -> {
            int n = 0;
            for (String ignored : d) {
              n++;
            }
            assertThat(n, is(40));
            return null;
          });
    }
  }

  @Test
  void bucketsGrowWithTheInputWithinTheirBounds() {
    assertThat(DeduplicateEvents.bucketsForInputBytes(0), is(16));
    assertThat(DeduplicateEvents.bucketsForInputBytes(1L << 30), is(256));
    assertThat(DeduplicateEvents.bucketsForInputBytes(1L << 50), is(65536));
  }

  @Test
  void aStreamDeduplicatesPerKeyNotInBuckets() {
    assertThrows(
        IllegalStateException.class,
        () -> DeduplicateEvents.withinEventTime(Duration.standardMinutes(10)).inBuckets(8));
  }

  @Test
  void inAStreamKeepsTheFirstCopySeenWithinTheSpan(TestPipeline p) {
    ValidatedEvent first = event("acme", "evt-1", "b");
    ValidatedEvent later = event("acme", "evt-1", "a");
    ValidatedEvent other = event("acme", "evt-2", "a");
    Instant t = Instant.parse("2026-11-20T10:00:00Z");

    PCollectionTuple out =
        p.apply(
                TestStream.create(ValidatedEvent.ValidatedEventCoder.of())
                    .addElements(TimestampedValue.of(first, t))
                    .addElements(
                        TimestampedValue.of(later, t.plus(Duration.standardMinutes(9))),
                        TimestampedValue.of(other, t.plus(Duration.standardMinutes(9))))
                    .advanceWatermarkToInfinity())
            .apply(DeduplicateEvents.withinEventTime(Duration.standardMinutes(10)));

    PAssert.that(out.get(DeduplicateEvents.UNIQUE)).containsInAnyOrder(first, other);
    PAssert.that(out.get(DeduplicateEvents.DUPLICATES)).containsInAnyOrder("evt-1");
  }

  @Test
  void inAStreamForgetsAnEventIdOnceTheSpanHasPassedInEventTime(TestPipeline p) {
    ValidatedEvent first = event("acme", "evt-1", "a");
    ValidatedEvent muchLater = event("acme", "evt-1", "b");
    Instant t = Instant.parse("2026-11-20T10:00:00Z");

    PCollectionTuple out =
        p.apply(
                TestStream.create(ValidatedEvent.ValidatedEventCoder.of())
                    .addElements(TimestampedValue.of(first, t))
                    .advanceWatermarkTo(t.plus(Duration.standardMinutes(11)))
                    .addElements(TimestampedValue.of(muchLater, t.plus(Duration.standardMinutes(12))))
                    .advanceWatermarkToInfinity())
            .apply(DeduplicateEvents.withinEventTime(Duration.standardMinutes(10)));

    PAssert.that(out.get(DeduplicateEvents.UNIQUE)).containsInAnyOrder(first, muchLater);
    PAssert.that(out.get(DeduplicateEvents.DUPLICATES)).empty();
  }

  // ---- helpers -----------------------------------------------------------------------------

  private static PCollectionTuple dedup(TestPipeline p, ValidatedEvent... events) {
    return p.apply("Events", Create.of(Arrays.asList(events)))
        .apply("Dedup", DeduplicateEvents.byEventId());
  }

  /** An accepted event whose raw line differs from other copies only in the payload's "copy". */
  private static ValidatedEvent event(String tenant, String eventId, String copy) {
    return event(VALID.tenant(tenant).eventId(eventId), copy);
  }

  private static ValidatedEvent event(Envelopes envelope, String copy) {
    String payload = "{\"order_id\":\"O-1\",\"copy\":\"" + copy + "\"}";
    Envelope e = envelope.payload(payload).toEnvelope();
    EtlRow row =
        new EtlRow(e.source(), e.table(), e.tenant(), e.eventId(), e.eventTimeMillis(), payload);
    return new ValidatedEvent(e, List.of(row));
  }
}
