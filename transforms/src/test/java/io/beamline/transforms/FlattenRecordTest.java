package io.beamline.transforms;

import static io.beamline.transforms.model.DeadLetterReason.MALFORMED_JSON;
import static io.beamline.transforms.model.DeadLetterReason.SCHEMA_VIOLATION;
import static io.beamline.transforms.model.DeadLetterReason.UNKNOWN_TABLE;

import io.beamline.transforms.model.DeadLetter;
import io.beamline.transforms.model.DeadLetterReason;
import io.beamline.transforms.model.DecodedEvent;
import io.beamline.transforms.model.Envelope;
import io.beamline.transforms.model.FlatEvent;
import io.beamline.transforms.model.FlatRow;
import io.beamline.transforms.testing.DeadLetterSummary;
import io.beamline.transforms.testing.Envelopes;
import io.beamline.transforms.testing.TestPipelineExtension;
import io.beamline.transforms.testing.TestSchemas;
import java.util.Arrays;
import java.util.List;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.WithFailures;
import org.apache.beam.sdk.values.PCollection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(TestPipelineExtension.class)
class FlattenRecordTest {
  private static final Envelopes VALID = Envelopes.envelope();

  // ---- columns -----------------------------------------------------------------------------

  @Test
  void flattensNestedObjectsIntoUnderscoreJoinedColumns(TestPipeline p) {
    DecodedEvent event =
        event(
            "{\"order_id\":\"O-1\",\"customer\":{\"address\":{\"city\":\"Berlin\",\"zip\":\"10115\"},"
                + "\"tier\":\"gold\"},\"total\":\"1.00\"}");

    WithFailures.Result<PCollection<FlatEvent>, DeadLetter> flat = flatten(p, event);

    PAssert.that(flat.output())
        .containsInAnyOrder(
            flatEvent(
                event,
                row(
                    "orders",
                    "{\"order_id\":\"O-1\",\"customer_address_city\":\"Berlin\","
                        + "\"customer_address_zip\":\"10115\",\"customer_tier\":\"gold\","
                        + "\"total\":\"1.00\"}",
                    "")));
    PAssert.that(flat.failures()).empty();
  }

  @Test
  void keepsScalarValuesUntyped(TestPipeline p) {
    DecodedEvent event =
        event("{\"order_id\":\"O-1\",\"item_count\":\"3\",\"total\":2.5,\"paid\":true,\"status\":null}");

    WithFailures.Result<PCollection<FlatEvent>, DeadLetter> flat = flatten(p, event);

    PAssert.that(flat.output())
        .containsInAnyOrder(
            flatEvent(
                event,
                row(
                    "orders",
                    "{\"order_id\":\"O-1\",\"item_count\":\"3\",\"total\":2.5,\"paid\":true,"
                        + "\"status\":null}",
                    "")));
  }

  @Test
  void storesUndeclaredArraysAsJsonStrings(TestPipeline p) {
    DecodedEvent event =
        event("{\"order_id\":\"O-1\",\"tags\":[\"a\",\"b\"],\"matrix\":[[1,2],{\"x\":null}]}");

    WithFailures.Result<PCollection<FlatEvent>, DeadLetter> flat = flatten(p, event);

    PAssert.that(flat.output())
        .containsInAnyOrder(
            flatEvent(
                event,
                row(
                    "orders",
                    "{\"order_id\":\"O-1\",\"tags\":\"[\\\"a\\\",\\\"b\\\"]\","
                        + "\"matrix\":\"[[1,2],{\\\"x\\\":null}]\"}",
                    "")));
  }

  @Test
  void storesEmptyObjectAsJsonString(TestPipeline p) {
    DecodedEvent event = event("{\"order_id\":\"O-1\",\"customer\":{}}");

    WithFailures.Result<PCollection<FlatEvent>, DeadLetter> flat = flatten(p, event);

    PAssert.that(flat.output())
        .containsInAnyOrder(
            flatEvent(event, row("orders", "{\"order_id\":\"O-1\",\"customer\":\"{}\"}", "")));
  }

  // ---- children ----------------------------------------------------------------------------

  @Test
  void explodesDeclaredChildArrayIntoChildRowsCarryingTheParentKey(TestPipeline p) {
    DecodedEvent event =
        event(
            "{\"order_id\":\"O-1\",\"items\":[{\"line_no\":1,\"sku\":\"A\"},"
                + "{\"line_no\":2,\"sku\":\"B\"}],\"total\":\"9.00\"}");

    WithFailures.Result<PCollection<FlatEvent>, DeadLetter> flat = flatten(p, event);

    PAssert.that(flat.output())
        .containsInAnyOrder(
            flatEvent(
                event,
                row("orders", "{\"order_id\":\"O-1\",\"total\":\"9.00\"}", ""),
                row("order_items", "{\"line_no\":1,\"sku\":\"A\",\"order_id\":\"O-1\"}", "items[0]"),
                row("order_items", "{\"line_no\":2,\"sku\":\"B\",\"order_id\":\"O-1\"}", "items[1]")));
    PAssert.that(flat.failures()).empty();
  }

  @Test
  void flattensNestedObjectsInsideChildElements(TestPipeline p) {
    DecodedEvent event =
        event(
            "{\"order_id\":\"O-1\",\"items\":[{\"line_no\":1,\"product\":{\"sku\":\"A\","
                + "\"dims\":{\"w\":2}},\"labels\":[\"x\"]}]}");

    WithFailures.Result<PCollection<FlatEvent>, DeadLetter> flat = flatten(p, event);

    PAssert.that(flat.output())
        .containsInAnyOrder(
            flatEvent(
                event,
                row("orders", "{\"order_id\":\"O-1\"}", ""),
                row(
                    "order_items",
                    "{\"line_no\":1,\"product_sku\":\"A\",\"product_dims_w\":2,"
                        + "\"labels\":\"[\\\"x\\\"]\",\"order_id\":\"O-1\"}",
                    "items[0]")));
  }

  @Test
  void carriesNullParentKeyWhenTheParentLacksIt(TestPipeline p) {
    DecodedEvent event = event("{\"items\":[{\"line_no\":1}]}");

    WithFailures.Result<PCollection<FlatEvent>, DeadLetter> flat = flatten(p, event);

    PAssert.that(flat.output())
        .containsInAnyOrder(
            flatEvent(
                event,
                row("orders", "{}", ""),
                row("order_items", "{\"line_no\":1,\"order_id\":null}", "items[0]")));
  }

  @Test
  void producesNoChildRowsForEmptyOrNullChildArray(TestPipeline p) {
    DecodedEvent empty = event("e-empty", "{\"order_id\":\"O-1\",\"items\":[]}");
    DecodedEvent nullItems = event("e-null", "{\"order_id\":\"O-2\",\"items\":null}");

    WithFailures.Result<PCollection<FlatEvent>, DeadLetter> flat = flatten(p, empty, nullItems);

    PAssert.that(flat.output())
        .containsInAnyOrder(
            flatEvent(empty, row("orders", "{\"order_id\":\"O-1\"}", "")),
            flatEvent(nullItems, row("orders", "{\"order_id\":\"O-2\"}", "")));
  }

  // ---- SCHEMA_VIOLATION --------------------------------------------------------------------

  @Test
  void rejectsChildPathThatIsNotAnArray(TestPipeline p) {
    WithFailures.Result<PCollection<FlatEvent>, DeadLetter> flat =
        flatten(
            p,
            event("e-object", "{\"order_id\":\"O-1\",\"items\":{\"line_no\":1}}"),
            event("e-string", "{\"order_id\":\"O-1\",\"items\":\"[]\"}"));

    PAssert.that(flat.output()).empty();
    assertDeadLetters(
        flat,
        dl(SCHEMA_VIOLATION, "orders.items: child array expected", "e-object"),
        dl(SCHEMA_VIOLATION, "orders.items: child array expected", "e-string"));
  }

  @Test
  void rejectsChildElementThatIsNotAnObject(TestPipeline p) {
    WithFailures.Result<PCollection<FlatEvent>, DeadLetter> flat =
        flatten(p, event("{\"order_id\":\"O-1\",\"items\":[{\"line_no\":1},42]}"));

    PAssert.that(flat.output()).empty();
    assertDeadLetters(
        flat, dl(SCHEMA_VIOLATION, "orders.items[1]: child element is not an object", "evt-0001"));
  }

  @Test
  void rejectsChildElementWhoseOwnParentKeyDiffersFromTheParents(TestPipeline p) {
    WithFailures.Result<PCollection<FlatEvent>, DeadLetter> flat =
        flatten(p, event("{\"order_id\":\"O-1\",\"items\":[{\"order_id\":\"O-2\",\"line_no\":1}]}"));

    PAssert.that(flat.output()).empty();
    assertDeadLetters(
        flat,
        dl(SCHEMA_VIOLATION, "order_items.items[0].order_id: differs from the parent key", "evt-0001"));
  }

  @Test
  void acceptsChildElementRepeatingItsParentKey(TestPipeline p) {
    DecodedEvent e = event("{\"order_id\":\"O-1\",\"items\":[{\"order_id\":\"O-1\",\"line_no\":1}]}");
    WithFailures.Result<PCollection<FlatEvent>, DeadLetter> flat = flatten(p, e);

    PAssert.that(flat.output())
        .containsInAnyOrder(
            flatEvent(
                e,
                row("orders", "{\"order_id\":\"O-1\"}", ""),
                row("order_items", "{\"order_id\":\"O-1\",\"line_no\":1}", "items[0]")));
    PAssert.that(flat.failures()).empty();
  }

  @Test
  void rejectsNestedKeyThatCollidesWithAFlatColumnName(TestPipeline p) {
    WithFailures.Result<PCollection<FlatEvent>, DeadLetter> flat =
        flatten(
            p,
            event(
                "{\"customer\":{\"address\":{\"city\":\"Berlin\"}},"
                    + "\"customer_address_city\":\"Paris\"}"));

    PAssert.that(flat.output()).empty();
    assertDeadLetters(
        flat,
        dl(SCHEMA_VIOLATION, "orders.customer_address_city: column name collision", "evt-0001"));
  }

  // ---- UNKNOWN_TABLE -----------------------------------------------------------------------

  @Test
  void rejectsTableWithoutSchema(TestPipeline p) {
    Envelope refund = VALID.table("refunds").toEnvelope();

    WithFailures.Result<PCollection<FlatEvent>, DeadLetter> flat =
        flatten(p, new DecodedEvent(refund, "{\"refund_id\":\"R-1\"}"));

    PAssert.that(flat.output()).empty();
    assertDeadLetters(flat, dl(UNKNOWN_TABLE, "no schema for shop/refunds", "evt-0001"));
  }

  @Test
  void rejectsSourceWithoutSchemas(TestPipeline p) {
    Envelope crm = VALID.source("crm").toEnvelope();

    WithFailures.Result<PCollection<FlatEvent>, DeadLetter> flat =
        flatten(p, new DecodedEvent(crm, "{\"order_id\":\"O-1\"}"));

    PAssert.that(flat.output()).empty();
    assertDeadLetters(flat, dl(UNKNOWN_TABLE, "no schema for crm/orders", "evt-0001"));
  }

  @Test
  void flattensChildTableArrivingAsATableOfItsOwn(TestPipeline p) {
    // order_items has a schema of its own, so it may also arrive as a table of its own.
    Envelope item = VALID.table("order_items").toEnvelope();
    DecodedEvent event = new DecodedEvent(item, "{\"line_no\":1}");

    WithFailures.Result<PCollection<FlatEvent>, DeadLetter> flat = flatten(p, event);

    PAssert.that(flat.output())
        .containsInAnyOrder(flatEvent(event, row("order_items", "{\"line_no\":1}", "")));
    PAssert.that(flat.failures()).empty();
  }

  // ---- MALFORMED_JSON ----------------------------------------------------------------------

  @Test
  void rejectsDecryptedPlaintextThatIsNotJson(TestPipeline p) {
    WithFailures.Result<PCollection<FlatEvent>, DeadLetter> flat =
        flatten(p, event("not json"));

    PAssert.that(flat.output()).empty();
    assertDeadLetters(
        flat, dl(MALFORMED_JSON, "payload is not valid JSON at line 1, column 4", "evt-0001"));
  }

  @Test
  void rejectsDecryptedPlaintextThatIsNotAJsonObject(TestPipeline p) {
    WithFailures.Result<PCollection<FlatEvent>, DeadLetter> flat =
        flatten(
            p,
            event("e-array", "[{\"order_id\":\"O-1\"}]"),
            event("e-string", "\"O-1\""),
            event("e-number", "12"),
            event("e-null", "null"),
            event("e-empty", ""));

    PAssert.that(flat.output()).empty();
    assertDeadLetters(
        flat,
        dl(MALFORMED_JSON, "payload is not a JSON object", "e-array"),
        dl(MALFORMED_JSON, "payload is not a JSON object", "e-string"),
        dl(MALFORMED_JSON, "payload is not a JSON object", "e-number"),
        dl(MALFORMED_JSON, "payload is not a JSON object", "e-null"),
        dl(MALFORMED_JSON, "payload is not a JSON object", "e-empty"));
  }

  @Test
  void rejectsDecryptedPlaintextWithDuplicateKeys(TestPipeline p) {
    WithFailures.Result<PCollection<FlatEvent>, DeadLetter> flat =
        flatten(p, event("{\"order_id\":\"O-1\",\"order_id\":\"O-2\"}"));

    PAssert.that(flat.output()).empty();
    assertDeadLetters(
        flat, dl(MALFORMED_JSON, "payload is not valid JSON at line 1, column 29", "evt-0001"));
  }

  @Test
  void rejectsDecryptedPlaintextWithTrailingContent(TestPipeline p) {
    WithFailures.Result<PCollection<FlatEvent>, DeadLetter> flat =
        flatten(p, event("{\"order_id\":\"O-1\"}{}"));

    PAssert.that(flat.output()).empty();
    assertDeadLetters(
        flat, dl(MALFORMED_JSON, "payload is not valid JSON at line 1, column 19", "evt-0001"));
  }

  // ---- helpers -----------------------------------------------------------------------------

  /** A decoded event of evt-0001 (shop/orders) whose decrypted payload is {@code payloadJson}. */
  private static DecodedEvent event(String payloadJson) {
    return event("evt-0001", payloadJson);
  }

  private static DecodedEvent event(String eventId, String payloadJson) {
    return new DecodedEvent(VALID.eventId(eventId).payload(payloadJson).toEnvelope(), payloadJson);
  }

  private static FlatRow row(String table, String columnsJson, String location) {
    return new FlatRow(table, columnsJson, location);
  }

  private static FlatEvent flatEvent(DecodedEvent event, FlatRow... rows) {
    return new FlatEvent(event.envelope(), List.of(rows));
  }

  private static WithFailures.Result<PCollection<FlatEvent>, DeadLetter> flatten(
      TestPipeline p, DecodedEvent... events) {
    return p.apply("Events", Create.of(Arrays.asList(events)))
        .apply("Flatten", FlattenRecord.with(TestSchemas.shop()));
  }

  private static void assertDeadLetters(
      WithFailures.Result<PCollection<FlatEvent>, DeadLetter> flat, String... expected) {
    PAssert.that(flat.failures().apply("Summaries", DeadLetterSummary.summarize()))
        .containsInAnyOrder(expected);
  }

  private static String dl(DeadLetterReason reason, String detail, String eventId) {
    return DeadLetterSummary.of("flatten", reason, detail, eventId, "acme");
  }
}
