package io.beamline.transforms;

import static io.beamline.transforms.model.DeadLetterReason.LATE_DATA;

import io.beamline.transforms.model.CategorySales;
import io.beamline.transforms.model.DeadLetter;
import io.beamline.transforms.model.EtlRow;
import io.beamline.transforms.testing.DeadLetterSummary;
import io.beamline.transforms.testing.Envelopes;
import io.beamline.transforms.testing.TestKeyrings;
import io.beamline.transforms.testing.TestPipelineExtension;
import io.beamline.transforms.testing.TestSchemas;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.Filter;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.Values;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.transforms.windowing.AfterPane;
import org.apache.beam.sdk.transforms.windowing.AfterWatermark;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TimestampedValue;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The stream as the Kafka source stamps it: on-time records carry their event time, a record
 * already past its deadline when read carries the watermark of that moment.
 */
@ExtendWith(TestPipelineExtension.class)
class RouteLateDataTest {
  private static final Duration LATENESS = Duration.standardMinutes(20);
  private static final Duration WINDOW = Duration.standardMinutes(5);
  private static final EventTimeDeadline DEADLINE =
      EventTimeDeadline.of(LATENESS, WINDOW, Duration.standardHours(1));

  private static TimestampedValue<String> read(String eventId, String eventTime, String stampedAt) {
    String line = Envelopes.envelope().eventId(eventId).eventTime(eventTime).line();
    return TimestampedValue.of(line, Instant.parse(stampedAt));
  }

  /** e1 on time, then the watermark at 10:30; e3 (10:06, deadline 10:30) read after that; e4 late but within lateness. */
  private static TestStream<String> streamWithOneRecordPastItsDeadline() {
    return TestStream.create(StringUtf8Coder.of())
        .addElements(read("e1", "2026-11-20T10:01:00Z", "2026-11-20T10:01:00Z"))
        .advanceWatermarkTo(Instant.parse("2026-11-20T10:30:00Z"))
        .addElements(
            read("e3", "2026-11-20T10:06:00Z", "2026-11-20T10:30:00Z"),
            read("e4", "2026-11-20T10:12:00Z", "2026-11-20T10:12:00Z"))
        .advanceWatermarkToInfinity();
  }

  private static ProcessedEnvelopes process(TestPipeline p) {
    return p.apply(streamWithOneRecordPastItsDeadline())
        .apply(
            ProcessEnvelopes.with(TestKeyrings.keyring(), TestSchemas.shop())
                .deduplicatingWithin(Duration.standardMinutes(10))
                .routingLateDataPast(DEADLINE));
  }

  @Test
  void recordStampedPastItsDeadlineBecomesALateDataDeadLetter(TestPipeline p) {
    PAssert.that(process(p).deadLetters().apply(DeadLetterSummary.summarize()))
        .containsInAnyOrder(
            DeadLetterSummary.of(
                RouteLateData.STAGE,
                LATE_DATA,
                "event_time is past its window's end plus the allowed lateness (PT20M): deadline"
                    + " 2026-11-20T10:30:00Z, watermark was 2026-11-20T10:30:00Z",
                "e3",
                Envelopes.TENANT));
  }

  @Test
  void recordsOnTimeOrLateWithinTheAllowedLatenessGoOn(TestPipeline p) {
    PCollection<String> eventIds =
        process(p)
            .rows()
            .apply(Filter.by((EtlRow r) -> r.table().equals("orders")))
            .apply(MapElements.into(TypeDescriptors.strings()).via(EtlRow::eventId));
    PAssert.that(eventIds).containsInAnyOrder("e1", "e4");
  }

  @Test
  void tooLateRecordLeavesTheHourlyAggregatesAndLateWithinLatenessCounts(TestPipeline p) {
    String onTime = orderWithItem("on", "2026-11-20T10:01:00Z", 2, "9.99");
    String tooLate = orderWithItem("gone", "2026-11-20T10:06:00Z", 7, "100.00");
    String lateWithin = orderWithItem("kept", "2026-11-20T10:12:00Z", 1, "5.00");
    TestStream<String> stream =
        TestStream.create(StringUtf8Coder.of())
            .addElements(TimestampedValue.of(onTime, Instant.parse("2026-11-20T10:01:00Z")))
            .advanceWatermarkTo(Instant.parse("2026-11-20T10:30:00Z"))
            .addElements(
                TimestampedValue.of(tooLate, Instant.parse("2026-11-20T10:30:00Z")),
                TimestampedValue.of(lateWithin, Instant.parse("2026-11-20T10:12:00Z")))
            .advanceWatermarkToInfinity();
    ProcessedEnvelopes out =
        p.apply(stream)
            .apply(
                ProcessEnvelopes.with(TestKeyrings.keyring(), TestSchemas.shop())
                    .deduplicatingWithin(Duration.standardMinutes(10))
                    .routingLateDataPast(DEADLINE));
    long hour = Instant.parse("2026-11-20T10:00:00Z").getMillis();
    // One on-time pane for 10:00-11:00: the on-time item and the one late within lateness,
    // not the too-late one (2 items, 3 units, 19.98 + 5.00).
    PAssert.that(out.rows().apply(HourlyCategorySales.create().withAllowedLateness(LATENESS)))
        .containsInAnyOrder(
            new CategorySales("acme", "", hour, hour + 3_600_000L, 2, 3, "24.98", 0, "ON_TIME", true));
    PAssert.that(out.deadLetters().apply(DeadLetterSummary.summarize()))
        .satisfies(
            letters -> {
              java.util.List<String> all = new java.util.ArrayList<>();
              letters.forEach(all::add);
              org.hamcrest.MatcherAssert.assertThat(all.size(), org.hamcrest.Matchers.is(1));
              org.hamcrest.MatcherAssert.assertThat(
                  all.get(0), org.hamcrest.Matchers.startsWith("late|LATE_DATA|"));
              org.hamcrest.MatcherAssert.assertThat(
                  all.get(0), org.hamcrest.Matchers.endsWith("|gone|acme"));
              return null;
            });
  }

  private static String orderWithItem(String eventId, String eventTime, int quantity, String price) {
    return Envelopes.envelope()
        .eventId(eventId)
        .eventTime(eventTime)
        .payload(
            TestSchemas.withItems(
                TestSchemas.order("O-1"), TestSchemas.item(1, "SKU-1", quantity, price)))
        .line();
  }

  @Test
  void lateDeadLetterIsNotDroppedByTheDeadLetterZonesWindows(TestPipeline p) {
    PCollection<String> grouped =
        process(p)
            .deadLetters()
            .apply(
                Window.<DeadLetter>into(FixedWindows.of(WINDOW))
                    .triggering(AfterWatermark.pastEndOfWindow().withLateFirings(AfterPane.elementCountAtLeast(1)))
                    .withAllowedLateness(LATENESS)
                    .discardingFiredPanes())
            .apply(WithKeys.of("dlq"))
            .apply(GroupByKey.create())
            .apply(Values.create())
            .apply(
                MapElements.into(TypeDescriptors.strings())
                    .via((Iterable<DeadLetter> letters) -> letters.iterator().next().eventId()));
    PAssert.that(grouped).containsInAnyOrder("e3");
  }
}
