package io.beamline.transforms;

import static io.beamline.transforms.model.DeadLetterReason.SCHEMA_VIOLATION;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import io.beamline.transforms.model.DeadLetter;
import io.beamline.transforms.model.Envelope;
import io.beamline.transforms.model.EtlRow;
import io.beamline.transforms.model.FlatEvent;
import io.beamline.transforms.model.FlatRow;
import io.beamline.transforms.model.ValidatedEvent;
import io.beamline.transforms.testing.DeadLetterSummary;
import io.beamline.transforms.testing.Envelopes;
import io.beamline.transforms.testing.TestPipelineExtension;
import io.beamline.transforms.testing.TestSchemas;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.WithFailures;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(TestPipelineExtension.class)
class ValidateAgainstSchemaTest {
  private static final Envelopes VALID = Envelopes.envelope();
  private static final long EVENT_TIME_MILLIS = Instant.parse(Envelopes.EVENT_TIME).toEpochMilli();
  /** 2026-11-20T13:45:12.345Z in epoch microseconds. */
  private static final long CREATED_AT_MICROS = EVENT_TIME_MILLIS * 1000;

  private static final String VALID_ORDER_COLUMNS =
      "{\"order_id\":\"O-1\",\"total\":\"25.5\",\"status\":\"PAID\","
          + "\"customer_address_city\":\"Berlin\",\"created_at\":\"2026-11-20T13:45:12.345Z\","
          + "\"item_count\":2}";

  // ---- accepted ----------------------------------------------------------------------------

  @Test
  void typesAndNormalisesEveryDeclaredColumn(TestPipeline p) {
    FlatEvent event =
        event(
            "evt-0001",
            parent(
                "{\"order_id\":\"O-1\",\"total\":25.5,\"status\":\"PAID\","
                    + "\"customer_address_city\":\"Berlin\","
                    + "\"created_at\":\"2026-11-20T14:45:12.345+01:00\",\"item_count\":2}"));

    WithFailures.Result<PCollection<ValidatedEvent>, DeadLetter> valid = validate(p, event);

    PAssert.that(valid.output())
        .containsInAnyOrder(
            validated(
                event,
                orderRow(
                    "{\"order_id\":\"O-1\",\"total\":\"25.50\",\"status\":\"PAID\","
                        + "\"customer_address_city\":\"Berlin\",\"created_at\":"
                        + CREATED_AT_MICROS + ",\"item_count\":2,\"_extra\":null}")));
    PAssert.that(valid.failures()).empty();
  }

  @Test
  void setsMissingOptionalFieldsToTheirDefaultOrNull(TestPipeline p) {
    FlatEvent event = event("evt-0001", parent("{\"order_id\":\"O-1\",\"total\":\"3\"}"));

    WithFailures.Result<PCollection<ValidatedEvent>, DeadLetter> valid = validate(p, event);

    PAssert.that(valid.output())
        .containsInAnyOrder(
            validated(
                event,
                orderRow(
                    "{\"order_id\":\"O-1\",\"total\":\"3.00\",\"status\":null,"
                        + "\"customer_address_city\":\"unknown\",\"created_at\":null,"
                        + "\"item_count\":null,\"_extra\":null}")));
  }

  @Test
  void appliesDefaultToOptionalFieldThatIsNull(TestPipeline p) {
    FlatEvent event =
        event(
            "evt-0001",
            parent(
                "{\"order_id\":\"O-1\",\"total\":\"3.00\",\"customer_address_city\":null,"
                    + "\"status\":null}"));

    WithFailures.Result<PCollection<ValidatedEvent>, DeadLetter> valid = validate(p, event);

    PAssert.that(valid.output())
        .containsInAnyOrder(
            validated(
                event,
                orderRow(
                    "{\"order_id\":\"O-1\",\"total\":\"3.00\",\"status\":null,"
                        + "\"customer_address_city\":\"unknown\",\"created_at\":null,"
                        + "\"item_count\":null,\"_extra\":null}")));
  }

  @Test
  void keepsColumnsTheSchemaDoesNotKnowInExtraAsAJsonString(TestPipeline p) {
    FlatEvent event =
        event(
            "evt-0001",
            parent(
                "{\"order_id\":\"O-1\",\"coupon\":\"WINTER\",\"total\":\"3.00\","
                    + "\"customer_name_first\":\"Ann\",\"gift\":true,\"tags\":\"[\\\"a\\\"]\"}"));

    WithFailures.Result<PCollection<ValidatedEvent>, DeadLetter> valid = validate(p, event);

    PAssert.that(valid.output())
        .containsInAnyOrder(
            validated(
                event,
                orderRow(
                    "{\"order_id\":\"O-1\",\"total\":\"3.00\",\"status\":null,"
                        + "\"customer_address_city\":\"unknown\",\"created_at\":null,"
                        + "\"item_count\":null,\"_extra\":\"{\\\"coupon\\\":\\\"WINTER\\\","
                        + "\\\"customer_name_first\\\":\\\"Ann\\\",\\\"gift\\\":true,"
                        + "\\\"tags\\\":\\\"[\\\\\\\"a\\\\\\\"]\\\"}\"}")));
  }

  @Test
  void validatesARowHeldAsATreeWithoutChangingTheTree() {
    String columns = "{\"order_id\":\"O-1\",\"coupon\":\"WINTER\",\"total\":3,\"gift\":true}";
    FlatRow asTree = new FlatRow("orders", Json.objectOf(columns, "columns"), "");

    EtlRow fromTree;
    try {
      fromTree = ValidateAgainstSchema.validate(TestSchemas.shop(), VALID.toEnvelope(), asTree);
    } catch (RejectedRecordException e) {
      throw new AssertionError(e);
    }

    assertThat(
        fromTree.valuesJson(),
        is("{\"order_id\":\"O-1\",\"total\":\"3.00\",\"status\":null,"
            + "\"customer_address_city\":\"unknown\",\"created_at\":null,\"item_count\":null,"
            + "\"_extra\":\"{\\\"coupon\\\":\\\"WINTER\\\",\\\"gift\\\":true}\"}"));
    assertThat(asTree.columnsJson(), is(columns));
  }

  @Test
  void acceptsNumbersOnTheirBounds(TestPipeline p) {
    FlatEvent zero = event("e-min", parent("{\"order_id\":\"O-1\",\"total\":0}"));
    FlatEvent million = event("e-max", parent("{\"order_id\":\"O-2\",\"total\":\"1000000.00\"}"));

    WithFailures.Result<PCollection<ValidatedEvent>, DeadLetter> valid =
        validate(p, zero, million);

    PAssert.that(valid.output())
        .containsInAnyOrder(
            validated(zero, orderRow("e-min", totalOnly("O-1", "0.00"))),
            validated(million, orderRow("e-max", totalOnly("O-2", "1000000.00"))));
    PAssert.that(valid.failures()).empty();
  }

  @Test
  void validatesChildRowsAndGivesThemTheParentsIdentity(TestPipeline p) {
    FlatEvent event =
        event(
            "evt-0001",
            parent(VALID_ORDER_COLUMNS),
            child(0, "{\"line_no\":1,\"sku\":\"A\",\"quantity\":2,\"unit_price\":9.99,"
                + "\"order_id\":\"O-1\"}"),
            child(1, "{\"line_no\":2,\"sku\":\"B\",\"quantity\":1,\"order_id\":\"O-1\"}"));

    WithFailures.Result<PCollection<ValidatedEvent>, DeadLetter> valid = validate(p, event);

    PAssert.that(valid.output())
        .containsInAnyOrder(
            validated(
                event,
                orderRow(
                    "{\"order_id\":\"O-1\",\"total\":\"25.50\",\"status\":\"PAID\","
                        + "\"customer_address_city\":\"Berlin\",\"created_at\":"
                        + CREATED_AT_MICROS + ",\"item_count\":2,\"_extra\":null}"),
                new EtlRow(
                    "shop", "order_items", "acme", "evt-0001", EVENT_TIME_MILLIS,
                    "{\"line_no\":1,\"sku\":\"A\",\"quantity\":2,\"unit_price\":\"9.99\","
                        + "\"order_id\":\"O-1\",\"_extra\":null}"),
                new EtlRow(
                    "shop", "order_items", "acme", "evt-0001", EVENT_TIME_MILLIS,
                    "{\"line_no\":2,\"sku\":\"B\",\"quantity\":1,\"unit_price\":null,"
                        + "\"order_id\":\"O-1\",\"_extra\":null}").withRowIndex(1)));
    PAssert.that(valid.failures()).empty();
  }

  @Test
  void keepsChildColumnsTheChildSchemaDoesNotKnowInTheChildsExtra(TestPipeline p) {
    FlatEvent event =
        event(
            "evt-0001",
            parent(VALID_ORDER_COLUMNS),
            child(0, "{\"line_no\":1,\"sku\":\"A\",\"quantity\":2,\"gift_wrap\":true,"
                + "\"order_id\":\"O-1\"}"));

    PCollection<String> childValues =
        validate(p, event)
            .output()
            .apply(
                MapElements.into(TypeDescriptors.strings())
                    .via((ValidatedEvent v) -> v.rows().get(1).valuesJson()));

    PAssert.that(childValues)
        .containsInAnyOrder(
            "{\"line_no\":1,\"sku\":\"A\",\"quantity\":2,\"unit_price\":null,"
                + "\"order_id\":\"O-1\",\"_extra\":\"{\\\"gift_wrap\\\":true}\"}");
  }

  // ---- SCHEMA_VIOLATION --------------------------------------------------------------------

  @Test
  void rejectsMissingRequiredField(TestPipeline p) {
    WithFailures.Result<PCollection<ValidatedEvent>, DeadLetter> valid =
        validate(p, event("evt-0001", parent("{\"total\":\"1.00\"}")));

    PAssert.that(valid.output()).empty();
    assertDeadLetters(valid, dl("orders.order_id: required", "evt-0001"));
  }

  @Test
  void rejectsRequiredFieldThatIsNull(TestPipeline p) {
    WithFailures.Result<PCollection<ValidatedEvent>, DeadLetter> valid =
        validate(p, event("evt-0001", parent("{\"order_id\":\"O-1\",\"total\":null}")));

    PAssert.that(valid.output()).empty();
    assertDeadLetters(valid, dl("orders.total: required", "evt-0001"));
  }

  @Test
  void rejectsValueOfTheWrongType(TestPipeline p) {
    WithFailures.Result<PCollection<ValidatedEvent>, DeadLetter> valid =
        validate(
            p,
            event("e-int", parent("{\"order_id\":\"O-1\",\"total\":1,\"item_count\":\"3\"}")),
            event("e-int-fraction", parent("{\"order_id\":\"O-1\",\"total\":1,\"item_count\":1.5}")),
            event("e-string", parent("{\"order_id\":5,\"total\":1}")),
            event("e-decimal", parent("{\"order_id\":\"O-1\",\"total\":true}")),
            event("e-decimal-text", parent("{\"order_id\":\"O-1\",\"total\":\"ten\"}")),
            event("e-timestamp",
                parent("{\"order_id\":\"O-1\",\"total\":1,\"created_at\":1700000000}")));

    PAssert.that(valid.output()).empty();
    assertDeadLetters(
        valid,
        dl("orders.item_count: type int (got string)", "e-int"),
        dl("orders.item_count: type int (got number)", "e-int-fraction"),
        dl("orders.order_id: type string (got number)", "e-string"),
        dl("orders.total: type decimal (got boolean)", "e-decimal"),
        dl("orders.total: type decimal (got a non-numeric string)", "e-decimal-text"),
        dl("orders.created_at: type timestamp (got number)", "e-timestamp"));
  }

  @Test
  void rejectsNumberBelowItsMin(TestPipeline p) {
    WithFailures.Result<PCollection<ValidatedEvent>, DeadLetter> valid =
        validate(p, event("evt-0001", parent("{\"order_id\":\"O-1\",\"total\":-0.01}")));

    PAssert.that(valid.output()).empty();
    assertDeadLetters(valid, dl("orders.total: min 0", "evt-0001"));
  }

  @Test
  void rejectsNumberAboveItsMax(TestPipeline p) {
    WithFailures.Result<PCollection<ValidatedEvent>, DeadLetter> valid =
        validate(p, event("evt-0001", parent("{\"order_id\":\"O-1\",\"total\":\"1000000.01\"}")));

    PAssert.that(valid.output()).empty();
    assertDeadLetters(valid, dl("orders.total: max 1000000", "evt-0001"));
  }

  @Test
  void rejectsDecimalWithMoreDigitsThanItsScale(TestPipeline p) {
    WithFailures.Result<PCollection<ValidatedEvent>, DeadLetter> valid =
        validate(p, event("evt-0001", parent("{\"order_id\":\"O-1\",\"total\":1.005}")));

    PAssert.that(valid.output()).empty();
    assertDeadLetters(valid, dl("orders.total: scale 2", "evt-0001"));
  }

  @Test
  void rejectsStringBreakingItsPatternWithoutQuotingTheValue(TestPipeline p) {
    WithFailures.Result<PCollection<ValidatedEvent>, DeadLetter> valid =
        validate(
            p,
            event("evt-0001", parent("{\"order_id\":\"ann@example.com\",\"total\":1}")));

    PAssert.that(valid.output()).empty();
    assertDeadLetters(valid, dl("orders.order_id: pattern ^O-[0-9]+$", "evt-0001"));
  }

  @Test
  void rejectsValueOutsideItsEnum(TestPipeline p) {
    WithFailures.Result<PCollection<ValidatedEvent>, DeadLetter> valid =
        validate(
            p, event("evt-0001", parent("{\"order_id\":\"O-1\",\"total\":1,\"status\":\"new\"}")));

    PAssert.that(valid.output()).empty();
    assertDeadLetters(
        valid, dl("orders.status: enum [NEW, PAID, SHIPPED, CANCELLED]", "evt-0001"));
  }

  @Test
  void rejectsTimestampWithoutOffset(TestPipeline p) {
    WithFailures.Result<PCollection<ValidatedEvent>, DeadLetter> valid =
        validate(
            p,
            event(
                "evt-0001",
                parent(
                    "{\"order_id\":\"O-1\",\"total\":1,\"created_at\":\"2026-11-20T13:45:12\"}")));

    PAssert.that(valid.output()).empty();
    assertDeadLetters(
        valid, dl("orders.created_at: timestamp format ISO-8601 with offset", "evt-0001"));
  }

  @Test
  void rejectsWholeEventWhenAChildRowBreaksItsSchema(TestPipeline p) {
    FlatEvent event =
        event(
            "evt-0001",
            parent(VALID_ORDER_COLUMNS),
            child(0, "{\"line_no\":1,\"sku\":\"A\",\"quantity\":2,\"order_id\":\"O-1\"}"),
            child(1, "{\"line_no\":2,\"sku\":\"B\",\"quantity\":0,\"order_id\":\"O-1\"}"));

    WithFailures.Result<PCollection<ValidatedEvent>, DeadLetter> valid = validate(p, event);

    PAssert.that(valid.output()).empty();
    assertDeadLetters(valid, dl("order_items.items[1].quantity: min 1", "evt-0001"));
  }

  @Test
  void rejectsWholeEventWhenAChildRowMissesARequiredField(TestPipeline p) {
    FlatEvent event =
        event(
            "evt-0001",
            parent(VALID_ORDER_COLUMNS),
            child(0, "{\"line_no\":1,\"quantity\":2,\"order_id\":\"O-1\"}"));

    WithFailures.Result<PCollection<ValidatedEvent>, DeadLetter> valid = validate(p, event);

    PAssert.that(valid.output()).empty();
    assertDeadLetters(valid, dl("order_items.items[0].sku: required", "evt-0001"));
  }

  @Test
  void deadLetterCarriesTheEnvelopeIdentityAndRawLine(TestPipeline p) {
    Envelopes envelope = VALID.eventId("evt-0042");
    FlatEvent event =
        new FlatEvent(envelope.toEnvelope(), List.of(parent("{\"total\":\"1.00\"}")));

    PCollection<DeadLetter> deadLetters =
        validate(p, event).failures().apply(DeadLetterSummary.atTimeZero());

    PAssert.that(deadLetters)
        .containsInAnyOrder(
            DeadLetter.builder("validate", SCHEMA_VIOLATION, "orders.order_id: required")
                .raw(envelope.line())
                .eventId("evt-0042")
                .tenant("acme")
                .source("shop")
                .table("orders")
                .eventTimeMillis(EVENT_TIME_MILLIS)
                .build()
                .withRejectedAtMillis(0));
  }

  // ---- helpers -----------------------------------------------------------------------------

  private static FlatRow parent(String columnsJson) {
    return new FlatRow("orders", columnsJson, "");
  }

  private static FlatRow child(int index, String columnsJson) {
    return new FlatRow("order_items", columnsJson, "items[" + index + "]");
  }

  private static FlatEvent event(String eventId, FlatRow... rows) {
    return new FlatEvent(VALID.eventId(eventId).toEnvelope(), List.of(rows));
  }

  private static EtlRow orderRow(String valuesJson) {
    return orderRow("evt-0001", valuesJson);
  }

  private static EtlRow orderRow(String eventId, String valuesJson) {
    return new EtlRow("shop", "orders", "acme", eventId, EVENT_TIME_MILLIS, valuesJson);
  }

  private static String totalOnly(String orderId, String total) {
    return "{\"order_id\":\"" + orderId + "\",\"total\":\"" + total + "\",\"status\":null,"
        + "\"customer_address_city\":\"unknown\",\"created_at\":null,\"item_count\":null,"
        + "\"_extra\":null}";
  }

  private static ValidatedEvent validated(FlatEvent event, EtlRow... rows) {
    Envelope envelope = event.envelope();
    return new ValidatedEvent(envelope, List.of(rows));
  }

  private static WithFailures.Result<PCollection<ValidatedEvent>, DeadLetter> validate(
      TestPipeline p, FlatEvent... events) {
    return p.apply("Events", Create.of(Arrays.asList(events)))
        .apply("Validate", ValidateAgainstSchema.with(TestSchemas.shop()));
  }

  private static void assertDeadLetters(
      WithFailures.Result<PCollection<ValidatedEvent>, DeadLetter> valid, String... expected) {
    PAssert.that(valid.failures().apply("Summaries", DeadLetterSummary.summarize()))
        .containsInAnyOrder(expected);
  }

  private static String dl(String detail, String eventId) {
    return DeadLetterSummary.of("validate", SCHEMA_VIOLATION, detail, eventId, "acme");
  }
}
