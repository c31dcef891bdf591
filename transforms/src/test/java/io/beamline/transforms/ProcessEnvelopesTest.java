package io.beamline.transforms;

import static io.beamline.transforms.testing.BeamlineCounters.counter;
import static io.beamline.transforms.model.DeadLetterReason.DECRYPT_FAILED;
import static io.beamline.transforms.model.DeadLetterReason.INVALID_ENVELOPE_FIELD;
import static io.beamline.transforms.model.DeadLetterReason.MALFORMED_JSON;
import static io.beamline.transforms.model.DeadLetterReason.MISSING_ENVELOPE_FIELD;
import static io.beamline.transforms.model.DeadLetterReason.SCHEMA_VIOLATION;
import static io.beamline.transforms.model.DeadLetterReason.UNKNOWN_KEY;
import static io.beamline.transforms.model.DeadLetterReason.UNKNOWN_TABLE;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.beamline.transforms.model.EtlRow;
import io.beamline.transforms.testing.DeadLetterSummary;
import io.beamline.transforms.testing.Envelopes;
import io.beamline.transforms.testing.TestKeyrings;
import io.beamline.transforms.testing.TestPipelineExtension;
import io.beamline.transforms.testing.TestSchemas;
import java.time.Instant;
import java.util.Arrays;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.metrics.MetricQueryResults;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.Sum;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(TestPipelineExtension.class)
class ProcessEnvelopesTest {
  private static final String AUTH_FAILED =
      "authentication failed: wrong key, tampered payload or payload of another event_id";
  private static final long EVENT_TIME_MILLIS = Instant.parse(Envelopes.EVENT_TIME).toEpochMilli();
  private static final long CREATED_AT_MICROS =
      Instant.parse(TestSchemas.CREATED_AT).toEpochMilli() * 1000;

  /** Order O-1 with two items, encrypted with k1. */
  private static final Envelopes ORDER_WITH_ITEMS =
      Envelopes.envelope()
          .payload(
              TestSchemas.withItems(
                  TestSchemas.order("O-1"),
                  TestSchemas.item(1, "SKU-1", 2, "9.99"),
                  TestSchemas.item(2, "SKU-2", 1, "0.5")));

  private static final String ORDER_VALUES =
      "{\"order_id\":\"O-1\",\"total\":\"25.50\",\"status\":\"NEW\","
          + "\"customer_address_city\":\"Berlin\",\"created_at\":" + CREATED_AT_MICROS
          + ",\"item_count\":2,\"_extra\":null}";
  private static final String ITEM_1_VALUES =
      "{\"line_no\":1,\"sku\":\"SKU-1\",\"quantity\":2,\"unit_price\":\"9.99\","
          + "\"order_id\":\"O-1\",\"_extra\":null}";
  private static final String ITEM_2_VALUES =
      "{\"line_no\":2,\"sku\":\"SKU-2\",\"quantity\":1,\"unit_price\":\"0.50\","
          + "\"order_id\":\"O-1\",\"_extra\":null}";

  // ---- accepted ----------------------------------------------------------------------------

  @Test
  void turnsAnEncryptedOrderWithItemsIntoParentAndChildRows(TestPipeline p) {
    ProcessedEnvelopes out = process(p, ORDER_WITH_ITEMS.line());

    PAssert.that(out.rows())
        .containsInAnyOrder(
            row("orders", "evt-0001", ORDER_VALUES),
            row("order_items", "evt-0001", ITEM_1_VALUES),
            row("order_items", "evt-0001", ITEM_2_VALUES).withRowIndex(1));
    PAssert.that(out.deadLetters()).empty();
    PAssert.that(out.duplicates()).empty();
  }

  @Test
  void passesAnUnencryptedPayloadThroughToTheSameRows(TestPipeline p) {
    ProcessedEnvelopes out = process(p, ORDER_WITH_ITEMS.unencrypted().line());

    PAssert.that(out.rows())
        .containsInAnyOrder(
            row("orders", "evt-0001", ORDER_VALUES),
            row("order_items", "evt-0001", ITEM_1_VALUES),
            row("order_items", "evt-0001", ITEM_2_VALUES).withRowIndex(1));
    PAssert.that(out.deadLetters()).empty();
  }

  @Test
  void givesChildRowsTheParentsEventIdTenantAndEventTime(TestPipeline p) {
    Envelopes globex =
        ORDER_WITH_ITEMS.eventId("evt-77").tenant("globex").eventTime("2026-01-02T03:04:05Z");
    long eventTime = Instant.parse("2026-01-02T03:04:05Z").toEpochMilli();

    ProcessedEnvelopes out = process(p, globex.line());

    PAssert.that(out.rows())
        .containsInAnyOrder(
            new EtlRow("shop", "orders", "globex", "evt-77", eventTime, ORDER_VALUES),
            new EtlRow("shop", "order_items", "globex", "evt-77", eventTime, ITEM_1_VALUES),
            new EtlRow("shop", "order_items", "globex", "evt-77", eventTime, ITEM_2_VALUES).withRowIndex(1));
  }

  @Test
  void keepsUnknownFieldsInExtraAndAppliesDefaults(TestPipeline p) {
    ObjectNode payload = TestSchemas.order("O-1");
    payload.remove("customer");
    payload.put("coupon", "WINTER");
    payload.putObject("shipping").put("carrier", "DHL");
    Envelopes envelope = Envelopes.envelope().payload(payload);

    ProcessedEnvelopes out = process(p, envelope.line());

    PAssert.that(out.rows())
        .containsInAnyOrder(
            row(
                "orders",
                "evt-0001",
                "{\"order_id\":\"O-1\",\"total\":\"25.50\",\"status\":\"NEW\","
                    + "\"customer_address_city\":\"unknown\",\"created_at\":" + CREATED_AT_MICROS
                    + ",\"item_count\":0,"
                    + "\"_extra\":\"{\\\"coupon\\\":\\\"WINTER\\\",\\\"shipping_carrier\\\":\\\"DHL\\\"}\"}"));
  }

  @Test
  void envelopesOutputHoldsEveryWellFormedEnvelopeEvenIfRejectedLater(TestPipeline p) {
    ProcessedEnvelopes out =
        process(
            p,
            ORDER_WITH_ITEMS.eventId("ok").line(),
            ORDER_WITH_ITEMS.eventId("tampered").tamperTag().line(),
            ORDER_WITH_ITEMS.eventId("unknown-table").table("refunds").line(),
            "not json");

    PAssert.thatSingleton(out.envelopes().apply(Count.globally())).isEqualTo(3L);
  }

  // ---- rejected ----------------------------------------------------------------------------

  @Test
  void routesEveryRejectionOfEveryStageToTheDeadLetters(TestPipeline p) {
    Envelopes base = Envelopes.envelope();
    ObjectNode badItem = TestSchemas.withItems(
        TestSchemas.order("O-5"), TestSchemas.item(1, "SKU-1", 0, "1.00"));
    ObjectNode noOrderId = TestSchemas.order("O-4");
    noOrderId.remove("order_id");

    ProcessedEnvelopes out =
        process(
            p,
            "not json",
            base.eventId("evt-missing").without("tenant").line(),
            base.eventId("evt-invalid").tenant("../x").line(),
            base.eventId("evt-unknown-key").keyring(TestKeyrings.foreignKeyring()).keyId("k9")
                .line(),
            base.eventId("evt-tampered").tamperCiphertext().line(),
            base.eventId("evt-unknown-table").table("refunds").line(),
            base.eventId("evt-not-object").payload("[1, 2]").line(),
            base.eventId("evt-schema").payload(noOrderId).line(),
            base.eventId("evt-child").payload(badItem).line(),
            base.eventId("evt-ok").line());

    PAssert.that(out.deadLetters().apply(DeadLetterSummary.summarize()))
        .containsInAnyOrder(
            DeadLetterSummary.of(
                "parse", MALFORMED_JSON, "envelope is not valid JSON at line 1, column 4", null,
                null),
            DeadLetterSummary.of(
                "parse", MISSING_ENVELOPE_FIELD, "tenant is missing or empty", "evt-missing",
                null),
            DeadLetterSummary.of(
                "parse", INVALID_ENVELOPE_FIELD, "tenant must match [a-z0-9_]{1,64}",
                "evt-invalid", null),
            DeadLetterSummary.of(
                "decrypt", UNKNOWN_KEY, "key_id is not in the keyring", "evt-unknown-key", "acme"),
            DeadLetterSummary.of("decrypt", DECRYPT_FAILED, AUTH_FAILED, "evt-tampered", "acme"),
            DeadLetterSummary.of(
                "flatten", UNKNOWN_TABLE, "no schema for shop/refunds", "evt-unknown-table",
                "acme"),
            DeadLetterSummary.of(
                "flatten", MALFORMED_JSON, "payload is not a JSON object", "evt-not-object",
                "acme"),
            DeadLetterSummary.of(
                "validate", SCHEMA_VIOLATION, "orders.order_id: required", "evt-schema", "acme"),
            DeadLetterSummary.of(
                "validate", SCHEMA_VIOLATION, "order_items.items[0].quantity: min 1", "evt-child",
                "acme"));
    PAssert.that(out.rows())
        .containsInAnyOrder(
            row(
                "orders",
                "evt-ok",
                "{\"order_id\":\"O-1\",\"total\":\"25.50\",\"status\":\"NEW\","
                    + "\"customer_address_city\":\"Berlin\",\"created_at\":" + CREATED_AT_MICROS
                    + ",\"item_count\":0,\"_extra\":null}"));
  }

  @Test
  void rejectsTheParentWithoutAnyRowWhenOneChildBreaksItsSchema(TestPipeline p) {
    Envelopes envelope =
        Envelopes.envelope()
            .payload(
                TestSchemas.withItems(
                    TestSchemas.order("O-1"),
                    TestSchemas.item(1, "SKU-1", 1, "1.00"),
                    TestSchemas.item(2, "SKU-2", 1, "1.001")));

    ProcessedEnvelopes out = process(p, envelope.line());

    PAssert.that(out.rows()).empty();
    PAssert.that(out.events()).empty();
    PAssert.that(out.deadLetters().apply(DeadLetterSummary.summarize()))
        .containsInAnyOrder(
            DeadLetterSummary.of(
                "validate", SCHEMA_VIOLATION, "order_items.items[1].unit_price: scale 2",
                "evt-0001", "acme"));
  }

  // ---- duplicates --------------------------------------------------------------------------

  @Test
  void keepsOneCopyOfARepeatedEventAndReportsTheOthers(TestPipeline p) {
    ProcessedEnvelopes out =
        process(
            p,
            ORDER_WITH_ITEMS.line(),
            ORDER_WITH_ITEMS.ivSeed(1).line(),
            ORDER_WITH_ITEMS.line());

    PAssert.that(out.rows())
        .containsInAnyOrder(
            row("orders", "evt-0001", ORDER_VALUES),
            row("order_items", "evt-0001", ITEM_1_VALUES),
            row("order_items", "evt-0001", ITEM_2_VALUES).withRowIndex(1));
    PAssert.that(out.duplicates()).containsInAnyOrder("evt-0001", "evt-0001");
    PAssert.that(out.deadLetters()).empty();
  }

  @Test
  void keepsTheValidCopyWhenAnotherCopyOfTheEventIsRejected(TestPipeline p) {
    ProcessedEnvelopes out =
        process(p, ORDER_WITH_ITEMS.tamperTag().line(), ORDER_WITH_ITEMS.line());

    PAssert.that(out.rows().apply(Count.globally())).containsInAnyOrder(3L);
    PAssert.that(out.duplicates()).empty();
    PAssert.that(out.deadLetters().apply(DeadLetterSummary.summarize()))
        .containsInAnyOrder(
            DeadLetterSummary.of("decrypt", DECRYPT_FAILED, AUTH_FAILED, "evt-0001", "acme"));
  }

  // ---- accounting --------------------------------------------------------------------------

  @Test
  void accountsForEveryInputAsAcceptedEventDeadLetterOrDuplicate(TestPipeline p) {
    Envelopes base = ORDER_WITH_ITEMS;
    String[] lines = {
      base.eventId("a").line(),
      base.eventId("a").ivSeed(1).line(),
      base.eventId("a").ivSeed(2).line(),
      base.eventId("b").unencrypted().line(),
      base.eventId("c").keyId("k2").line(),
      base.eventId("c").keyId("k2").tamperTag().line(),
      base.eventId("d").tenant("globex").line(),
      base.eventId("d").line(),
      "",
      "[]",
      base.eventId("e").without("event_time").line(),
      base.eventId("f").table("refunds").line(),
      base.eventId("g").payload("{\"order_id\":\"bad\"}").line(),
    };
    // accepted: a, b, c, d@globex, d@acme = 5; dead letters: tampered c, "", [], e, f, g = 6;
    // duplicates: two extra copies of a = 2.
    ProcessedEnvelopes out = process(p, lines);

    PCollection<Long> events = out.events().apply("CountEvents", Count.globally());
    PCollection<Long> deadLetters = out.deadLetters().apply("CountDeadLetters", Count.globally());
    PCollection<Long> duplicates = out.duplicates().apply("CountDuplicates", Count.globally());
    PCollection<Long> total =
        PCollectionList.of(events).and(deadLetters).and(duplicates)
            .apply(Flatten.pCollections())
            .apply(Sum.longsGlobally());

    assertThat(lines.length, is(13));
    PAssert.thatSingleton("events", events).isEqualTo(5L);
    PAssert.thatSingleton("dead letters", deadLetters).isEqualTo(6L);
    PAssert.thatSingleton("duplicates", duplicates).isEqualTo(2L);
    PAssert.thatSingleton("total", total).isEqualTo((long) lines.length);
  }

  @Test
  void rejectsANumberBeyondDoubleRangeRatherThanChangingIt(TestPipeline p) {
    ObjectNode payload = TestSchemas.order("O-1");
    payload.remove("customer");
    String line =
        Envelopes.envelope()
            .payload(payload.toString().replace("}", ",\"customer_address_city\":1e400}"))
            .line();

    ProcessedEnvelopes out = process(p, line);

    PAssert.that(out.rows()).empty();
    PAssert.that(out.deadLetters().apply(DeadLetterSummary.summarize()))
        .containsInAnyOrder(
            DeadLetterSummary.of(
                "flatten", MALFORMED_JSON,
                "payload is not usable JSON: a number is beyond the range of a double",
                "evt-0001", "acme"));
  }

  @Test
  void rejectsANumberBeyondDoubleRangeInAnUnencryptedPayload(TestPipeline p) {
    String line = Envelopes.envelope().unencrypted().line().replace("\"payload\":{", "\"payload\":{\"weight\":-1e400,");
    assertThat(line, containsString("-1e400"));

    ProcessedEnvelopes out = process(p, line);

    PAssert.that(out.rows()).empty();
    PAssert.that(out.deadLetters().apply(DeadLetterSummary.summarize()))
        .containsInAnyOrder(
            DeadLetterSummary.of(
                "parse", MALFORMED_JSON,
                "envelope is not usable JSON: a number is beyond the range of a double",
                "evt-0001", "acme"));
  }

  @Test
  void keepsDecimalTextOfUnknownNumbersExactlyInExtra(TestPipeline p) {
    String payload = TestSchemas.order("O-1").toString().replace("}}", "}},\"weight\":10.50");
    String line = Envelopes.envelope().payload(payload).line();

    ProcessedEnvelopes out = process(p, line);

    PAssert.that(out.rows())
        .satisfies(
            rows -> {
              for (EtlRow r : rows) {
                if (r.table().equals("orders")) {
                  assertThat(readExtra(r).get("weight").toString(), is("10.50"));
                }
              }
              return null;
            });
  }

  @Test
  void countsWhatEachStagePassesOnAndRejectsAsBeamMetrics(TestPipeline p) {
    process(
        p,
        Envelopes.envelope().line(),
        Envelopes.envelope().eventId("evt-0002").line(),
        Envelopes.envelope().eventId("evt-0003").keyring(TestKeyrings.foreignKeyring()).keyId("k9").line(),
        "not json");

    MetricQueryResults metrics = p.run().metrics().queryMetrics(MetricsFilter.builder().build());

    assertThat(counter(metrics, "records_out.parse"), is(3L));
    assertThat(counter(metrics, "dead_letters.parse.MALFORMED_JSON"), is(1L));
    assertThat(counter(metrics, "records_out.decrypt"), is(2L));
    assertThat(counter(metrics, "dead_letters.decrypt.UNKNOWN_KEY"), is(1L));
    assertThat(counter(metrics, "records_out.validate"), is(2L));
    assertThat(counter(metrics, "duplicates"), is(0L));
  }

  // ---- helpers -----------------------------------------------------------------------------

  private static ProcessedEnvelopes process(TestPipeline p, String... lines) {
    return p.apply("Lines", Create.of(Arrays.asList(lines)).withCoder(StringUtf8Coder.of()))
        .apply(
            "Process", ProcessEnvelopes.with(TestKeyrings.keyring(), TestSchemas.shop()));
  }

  private static EtlRow row(String table, String eventId, String valuesJson) {
    return new EtlRow("shop", table, "acme", eventId, EVENT_TIME_MILLIS, valuesJson);
  }

  private static JsonNode readExtra(EtlRow row) {
    try {
      return Json.MAPPER.readTree(Json.MAPPER.readTree(row.valuesJson()).get("_extra").textValue());
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }
}
