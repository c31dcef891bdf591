package io.beamline.transforms;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
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

    PAssert.that(out.get(DeduplicateEvents.UNIQUE)).containsInAnyOrder(lowestDigest(copyA, copyB, copyC), other);
    PAssert.that(out.get(DeduplicateEvents.DUPLICATES)).containsInAnyOrder("evt-1", "evt-1");
  }

  @Test
  void keepsTheCopyWhoseRawLineHasTheLowestDigestWhateverTheInputOrder(TestPipeline p) {
    ValidatedEvent copyA = event("acme", "evt-1", "a");
    ValidatedEvent copyB = event("acme", "evt-1", "b");
    ValidatedEvent copyC = event("acme", "evt-1", "c");
    ValidatedEvent survivor = lowestDigest(copyA, copyB, copyC);

    PCollectionTuple forward =
        p.apply("Forward", Create.of(copyA, copyB, copyC))
            .apply("DedupForward", DeduplicateEvents.byEventId());
    PCollectionTuple backward =
        p.apply("Backward", Create.of(copyC, copyB, copyA))
            .apply("DedupBackward", DeduplicateEvents.byEventId());

    PAssert.that("forward", forward.get(DeduplicateEvents.UNIQUE)).containsInAnyOrder(survivor);
    PAssert.that("backward", backward.get(DeduplicateEvents.UNIQUE)).containsInAnyOrder(survivor);
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

    PAssert.that(out.get(DeduplicateEvents.UNIQUE)).containsInAnyOrder(lowestDigest(order, item));
    PAssert.that(out.get(DeduplicateEvents.DUPLICATES)).containsInAnyOrder("evt-1");
  }

  @Test
  void keepsTheSameCopiesWhateverTheNumberOfBuckets(TestPipeline p) {
    List<ValidatedEvent> in = new ArrayList<>();
    List<ValidatedEvent> expected = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      ValidatedEvent a = event(i % 2 == 0 ? "acme" : "globex", "evt-" + i, "a");
      ValidatedEvent z = event(a.envelope().tenant(), "evt-" + i, "z");
      in.add(z);
      in.add(a);
      expected.add(lowestDigest(a, z));
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

  @Test
  void aTrimmedEventKeepsItsRowsIdentityAndRawDigestButNotItsPayloadOrRawLine() {
    ValidatedEvent full = event("acme", "evt-1", "a");

    ValidatedEvent trimmed = full.trimmed();

    assertThat(trimmed.rows(), is(full.rows()));
    assertThat(trimmed.rawDigest(), is(full.rawDigest()));
    assertThat(trimmed.envelope().eventId(), is("evt-1"));
    assertThat(trimmed.envelope().eventTimeMillis(), is(full.envelope().eventTimeMillis()));
    assertThat(trimmed.envelope().payload() + trimmed.envelope().raw(), is(""));
    assertThat(full.rawDigest(), is(not(event("acme", "evt-1", "b").rawDigest())));
  }

  /** The copy deduplication keeps: the lowest SHA-256 of the raw line, computed here apart. */
  private static ValidatedEvent lowestDigest(ValidatedEvent... copies) {
    ValidatedEvent best = null;
    String bestHex = null;
    for (ValidatedEvent c : copies) {
      String hex = sha256Hex(c.envelope().raw());
      if (best == null || hex.compareTo(bestHex) < 0) {
        best = c;
        bestHex = hex;
      }
    }
    return best;
  }

  private static String sha256Hex(String text) {
    try {
      return java.util.HexFormat.of().formatHex(
          java.security.MessageDigest.getInstance("SHA-256").digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
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
