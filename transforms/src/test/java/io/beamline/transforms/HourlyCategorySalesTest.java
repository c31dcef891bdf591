package io.beamline.transforms;

import io.beamline.transforms.model.CategorySales;
import io.beamline.transforms.model.EtlRow;
import io.beamline.transforms.testing.TestPipelineExtension;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TimestampedValue;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(TestPipelineExtension.class)
class HourlyCategorySalesTest {
  private static final Instant HOUR = Instant.parse("2026-11-20T10:00:00Z");
  private static final long START = HOUR.getMillis();
  private static final long END = HOUR.plus(Duration.standardHours(1)).getMillis();

  private static EtlRow item(String eventId, Instant at, String category, int quantity, String price) {
    return new EtlRow(
        "shop",
        "order_items",
        "acme",
        eventId,
        at.getMillis(),
        "{\"order_id\":\"O-1\",\"line_no\":1,\"sku\":\"SKU-00001\",\"category\":\"" + category
            + "\",\"quantity\":" + quantity + ",\"unit_price\":\"" + price + "\",\"discount\":0.0,\"_extra\":null}");
  }

  private static TimestampedValue<EtlRow> at(EtlRow row) {
    return TimestampedValue.of(row, new Instant(row.eventTimeMillis()));
  }

  private static Instant minutes(int m) {
    return HOUR.plus(Duration.standardMinutes(m));
  }

  private static PCollection<CategorySales> sales(TestPipeline p, TestStream<EtlRow> stream) {
    return p.apply(stream).apply(HourlyCategorySales.create());
  }

  @Test
  void sumsAnHourOnceTheWatermarkPassesIt(TestPipeline p) {
    TestStream<EtlRow> stream =
        TestStream.create(EtlRow.EtlRowCoder.of())
            .addElements(
                at(item("e1", minutes(15), "books", 2, "3.50")),
                at(item("e2", minutes(30), "books", 1, "10.00")),
                at(item("e3", minutes(45), "toys", 4, "1.25")))
            .advanceWatermarkTo(minutes(61))
            .advanceWatermarkToInfinity();

    PAssert.that(sales(p, stream))
        .containsInAnyOrder(
            new CategorySales("acme", "books", START, END, 2, 3, "17.00", 0, "ON_TIME", false),
            new CategorySales("acme", "toys", START, END, 1, 4, "5.00", 0, "ON_TIME", false));
  }

  @Test
  void givesEarlyResultsAfterTenSecondsOfProcessingTimeAndAccumulates(TestPipeline p) {
    TestStream<EtlRow> stream =
        TestStream.create(EtlRow.EtlRowCoder.of())
            .addElements(at(item("e1", minutes(5), "books", 2, "3.50")))
            .advanceProcessingTime(Duration.standardSeconds(11))
            .addElements(at(item("e2", minutes(20), "books", 1, "1.00")))
            .advanceWatermarkTo(minutes(61))
            .advanceWatermarkToInfinity();

    PAssert.that(sales(p, stream))
        .containsInAnyOrder(
            new CategorySales("acme", "books", START, END, 1, 2, "7.00", 0, "EARLY", false),
            new CategorySales("acme", "books", START, END, 2, 3, "8.00", 1, "ON_TIME", false));
  }

  @Test
  void addsALatePaneForARecordWithinTheAllowedLateness(TestPipeline p) {
    TestStream<EtlRow> stream =
        TestStream.create(EtlRow.EtlRowCoder.of())
            .addElements(at(item("e1", minutes(5), "books", 2, "3.50")))
            .advanceWatermarkTo(minutes(90))
            .addElements(at(item("late", minutes(50), "books", 1, "1.00")))
            .advanceWatermarkToInfinity();

    PAssert.that(sales(p, stream))
        .containsInAnyOrder(
            new CategorySales("acme", "books", START, END, 1, 2, "7.00", 0, "ON_TIME", false),
            new CategorySales("acme", "books", START, END, 2, 3, "8.00", 1, "LATE", false));
  }

  @Test
  void ignoresRowsOfOtherTables(TestPipeline p) {
    EtlRow order =
        new EtlRow("shop", "orders", "acme", "o1", minutes(5).getMillis(), "{\"order_id\":\"O-1\"}");
    TestStream<EtlRow> stream =
        TestStream.create(EtlRow.EtlRowCoder.of())
            .addElements(at(order), at(item("e1", minutes(6), "books", 1, "2.00")))
            .advanceWatermarkToInfinity();

    PAssert.that(sales(p, stream))
        .containsInAnyOrder(
            new CategorySales("acme", "books", START, END, 1, 1, "2.00", 0, "ON_TIME", true));
  }

  @Test
  void inBatchGivesOneFinalPanePerHourAtEventTime(TestPipeline p) {
    PCollection<CategorySales> out =
        p.apply(
                Create.of(
                    item("e1", minutes(15), "books", 2, "3.50"),
                    item("e2", minutes(75), "books", 1, "1.00")))
            .apply(HourlyCategorySales.create());

    long nextEnd = HOUR.plus(Duration.standardHours(2)).getMillis();
    PAssert.that(out)
        .containsInAnyOrder(
            new CategorySales("acme", "books", START, END, 1, 2, "7.00", 0, "ON_TIME", true),
            new CategorySales("acme", "books", END, nextEnd, 1, 1, "1.00", 0, "ON_TIME", true));
  }
}
