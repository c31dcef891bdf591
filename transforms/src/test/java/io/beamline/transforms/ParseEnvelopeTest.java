package io.beamline.transforms;

import static io.beamline.transforms.model.DeadLetterReason.INVALID_ENVELOPE_FIELD;
import static io.beamline.transforms.model.DeadLetterReason.MALFORMED_JSON;
import static io.beamline.transforms.model.DeadLetterReason.MISSING_ENVELOPE_FIELD;

import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.NullNode;
import io.beamline.transforms.model.DeadLetter;
import io.beamline.transforms.model.DeadLetterReason;
import io.beamline.transforms.model.Envelope;
import io.beamline.transforms.testing.DeadLetterSummary;
import io.beamline.transforms.testing.Envelopes;
import io.beamline.transforms.testing.TestPipelineExtension;
import java.time.Instant;
import java.util.Arrays;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.WithFailures;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(TestPipelineExtension.class)
class ParseEnvelopeTest {
  private static final long EVENT_TIME_MILLIS =
      Instant.parse(Envelopes.EVENT_TIME).toEpochMilli();
  private static final String NAME_RULE = " must match [a-z0-9_]{1,64}";
  private static final String BAD_TIME = "event_time is not ISO-8601 with an offset or Z";

  private static final Envelopes VALID = Envelopes.envelope();

  // ---- accepted envelopes ------------------------------------------------------------------

  @Test
  void parsesEncryptedEnvelopeIntoItsFields(TestPipeline p) {
    String line = VALID.line();

    WithFailures.Result<PCollection<Envelope>, DeadLetter> parsed = parse(p, line);

    PAssert.that(parsed.output())
        .containsInAnyOrder(
            new Envelope(
                "evt-0001", "acme", "shop", "orders", EVENT_TIME_MILLIS, "k1",
                VALID.sealedPayload(), line));
    PAssert.that(parsed.failures()).empty();
  }

  @Test
  void keepsUnencryptedPayloadObjectAsCompactJsonText(TestPipeline p) {
    String line =
        "{\"event_id\": \"evt-0002\", \"tenant\": \"acme\", \"source\": \"shop\","
            + " \"table\": \"orders\", \"event_time\": \"2026-11-20T13:45:12.345Z\","
            + " \"payload\": {\"order_id\": \"O-7\", \"customer\": {\"city\": \"Oslo\"}, \"n\": [1, 2]}}";

    WithFailures.Result<PCollection<Envelope>, DeadLetter> parsed = parse(p, line);

    PAssert.that(parsed.output())
        .containsInAnyOrder(
            new Envelope(
                "evt-0002", "acme", "shop", "orders", EVENT_TIME_MILLIS, null,
                "{\"order_id\":\"O-7\",\"customer\":{\"city\":\"Oslo\"},\"n\":[1,2]}", line));
    PAssert.that(parsed.failures()).empty();
  }

  @Test
  void convertsEventTimeWithOffsetToUtcMillis(TestPipeline p) {
    Envelopes plusOne = VALID.eventTime("2026-11-20T14:45:12.345+01:00");

    PCollection<Long> millis =
        parse(p, plusOne.line())
            .output()
            .apply(MapElements.into(TypeDescriptors.longs()).via(Envelope::eventTimeMillis));

    PAssert.that(millis).containsInAnyOrder(EVENT_TIME_MILLIS);
  }

  @Test
  void treatsNullKeyIdAsUnencrypted(TestPipeline p) {
    Envelopes nullKey = VALID.with("key_id", NullNode.getInstance()).payload("{\"order_id\":\"O-1\"}");
    String line = nullKey.line();

    WithFailures.Result<PCollection<Envelope>, DeadLetter> parsed = parse(p, line);

    PAssert.that(parsed.output())
        .containsInAnyOrder(
            new Envelope(
                "evt-0001", "acme", "shop", "orders", EVENT_TIME_MILLIS, null,
                "{\"order_id\":\"O-1\"}", line));
    PAssert.that(parsed.failures()).empty();
  }

  @Test
  void acceptsEventIdOf256Characters(TestPipeline p) {
    String eventId = "e".repeat(256);

    PCollection<Long> count = parse(p, VALID.eventId(eventId).line()).output().apply(Count.globally());

    PAssert.thatSingleton(count).isEqualTo(1L);
  }

  // ---- MALFORMED_JSON ----------------------------------------------------------------------

  @Test
  void rejectsLineThatIsNotJsonAsMalformedJson(TestPipeline p) {
    WithFailures.Result<PCollection<Envelope>, DeadLetter> parsed = parse(p, "hello");

    PAssert.that(parsed.output()).empty();
    assertDeadLetters(
        parsed, dl(MALFORMED_JSON, "envelope is not valid JSON at line 1, column 6", null, null));
  }

  @Test
  void rejectsTruncatedJsonAsMalformedJson(TestPipeline p) {
    String truncated = "{\"event_id\":\"evt-0001\",\"tenant\":\"acme\"";

    WithFailures.Result<PCollection<Envelope>, DeadLetter> parsed = parse(p, truncated);

    PAssert.that(parsed.output()).empty();
    // The parser fails at the end of the line: one column past its last character.
    assertDeadLetters(
        parsed,
        dl(MALFORMED_JSON, "envelope is not valid JSON at line 1, column 39", null, null));
  }

  @Test
  void rejectsJsonArrayAsMalformedJson(TestPipeline p) {
    WithFailures.Result<PCollection<Envelope>, DeadLetter> parsed =
        parse(p, "[" + VALID.line() + "]");

    PAssert.that(parsed.output()).empty();
    assertDeadLetters(
        parsed, dl(MALFORMED_JSON, "envelope is a JSON array, not an object", null, null));
  }

  @Test
  void rejectsJsonScalarsAsMalformedJson(TestPipeline p) {
    WithFailures.Result<PCollection<Envelope>, DeadLetter> parsed =
        parse(p, "42", "\"evt-0001\"", "true", "null");

    PAssert.that(parsed.output()).empty();
    assertDeadLetters(
        parsed,
        dl(MALFORMED_JSON, "envelope is a JSON number, not an object", null, null),
        dl(MALFORMED_JSON, "envelope is a JSON string, not an object", null, null),
        dl(MALFORMED_JSON, "envelope is a JSON boolean, not an object", null, null),
        dl(MALFORMED_JSON, "envelope is a JSON null, not an object", null, null));
  }

  @Test
  void rejectsEmptyLineAsMalformedJson(TestPipeline p) {
    WithFailures.Result<PCollection<Envelope>, DeadLetter> parsed = parse(p, "", "   ");

    PAssert.that(parsed.output()).empty();
    assertDeadLetters(
        parsed,
        dl(MALFORMED_JSON, "envelope is empty", null, null),
        dl(MALFORMED_JSON, "envelope is empty", null, null));
  }

  @Test
  void rejectsDuplicateKeysAsMalformedJson(TestPipeline p) {
    // {"event_id":"evt-0002","event_id":"evt-0001",...}: the second event_id ends at column 33.
    String line = "{\"event_id\":\"evt-0002\"," + VALID.line().substring(1);

    WithFailures.Result<PCollection<Envelope>, DeadLetter> parsed = parse(p, line);

    PAssert.that(parsed.output()).empty();
    assertDeadLetters(
        parsed,
        dl(MALFORMED_JSON, "envelope is not valid JSON at line 1, column 34", null, null));
  }

  @Test
  void rejectsTrailingContentAfterTheObjectAsMalformedJson(TestPipeline p) {
    String line = VALID.line() + " {}";

    WithFailures.Result<PCollection<Envelope>, DeadLetter> parsed = parse(p, line);

    PAssert.that(parsed.output()).empty();
    assertDeadLetters(
        parsed,
        dl(
            MALFORMED_JSON,
            "envelope is not valid JSON at line 1, column " + (line.length() - 1),
            null,
            null));
  }

  @Test
  void malformedJsonDetailNeverQuotesTheInput(TestPipeline p) {
    PCollection<String> details =
        parse(p, "{\"event_id\": secret-value}")
            .failures()
            .apply(MapElements.into(TypeDescriptors.strings()).via(DeadLetter::detail));

    PAssert.that(details).containsInAnyOrder("envelope is not valid JSON at line 1, column 20");
  }

  // ---- MISSING_ENVELOPE_FIELD --------------------------------------------------------------

  @Test
  void rejectsMissingEventId(TestPipeline p) {
    WithFailures.Result<PCollection<Envelope>, DeadLetter> parsed =
        parse(p, VALID.without("event_id").line());

    PAssert.that(parsed.output()).empty();
    assertDeadLetters(
        parsed, dl(MISSING_ENVELOPE_FIELD, "event_id is missing or empty", null, "acme"));
  }

  @Test
  void rejectsEmptyEventId(TestPipeline p) {
    WithFailures.Result<PCollection<Envelope>, DeadLetter> parsed =
        parse(p, VALID.eventId("").line());

    PAssert.that(parsed.output()).empty();
    assertDeadLetters(
        parsed, dl(MISSING_ENVELOPE_FIELD, "event_id is missing or empty", null, "acme"));
  }

  @Test
  void rejectsNullEventId(TestPipeline p) {
    WithFailures.Result<PCollection<Envelope>, DeadLetter> parsed =
        parse(p, VALID.with("event_id", NullNode.getInstance()).line());

    PAssert.that(parsed.output()).empty();
    assertDeadLetters(
        parsed, dl(MISSING_ENVELOPE_FIELD, "event_id is missing or empty", null, "acme"));
  }

  @Test
  void namesEachMissingEnvelopeField(TestPipeline p) {
    WithFailures.Result<PCollection<Envelope>, DeadLetter> parsed =
        parse(
            p,
            VALID.eventId("e-tenant").without("tenant").line(),
            VALID.eventId("e-source").without("source").line(),
            VALID.eventId("e-table").without("table").line(),
            VALID.eventId("e-time").without("event_time").line(),
            VALID.eventId("e-payload").without("payload").line());

    PAssert.that(parsed.output()).empty();
    assertDeadLetters(
        parsed,
        dl(MISSING_ENVELOPE_FIELD, "tenant is missing or empty", "e-tenant", null),
        dl(MISSING_ENVELOPE_FIELD, "source is missing or empty", "e-source", "acme"),
        dl(MISSING_ENVELOPE_FIELD, "table is missing or empty", "e-table", "acme"),
        dl(MISSING_ENVELOPE_FIELD, "event_time is missing or empty", "e-time", "acme"),
        dl(MISSING_ENVELOPE_FIELD, "payload is missing or empty", "e-payload", "acme"));
  }

  @Test
  void namesEachEmptyEnvelopeField(TestPipeline p) {
    WithFailures.Result<PCollection<Envelope>, DeadLetter> parsed =
        parse(
            p,
            VALID.eventId("e-tenant").tenant("").line(),
            VALID.eventId("e-source").source("").line(),
            VALID.eventId("e-table").table("").line(),
            VALID.eventId("e-time").eventTime("").line(),
            VALID.eventId("e-payload").rawPayload("").line(),
            VALID.eventId("e-null-payload").rawPayload(NullNode.getInstance()).line());

    PAssert.that(parsed.output()).empty();
    assertDeadLetters(
        parsed,
        dl(MISSING_ENVELOPE_FIELD, "tenant is missing or empty", "e-tenant", null),
        dl(MISSING_ENVELOPE_FIELD, "source is missing or empty", "e-source", "acme"),
        dl(MISSING_ENVELOPE_FIELD, "table is missing or empty", "e-table", "acme"),
        dl(MISSING_ENVELOPE_FIELD, "event_time is missing or empty", "e-time", "acme"),
        dl(MISSING_ENVELOPE_FIELD, "payload is missing or empty", "e-payload", "acme"),
        dl(MISSING_ENVELOPE_FIELD, "payload is missing or empty", "e-null-payload", "acme"));
  }

  // ---- INVALID_ENVELOPE_FIELD --------------------------------------------------------------

  @Test
  void rejectsNonStringEventId(TestPipeline p) {
    WithFailures.Result<PCollection<Envelope>, DeadLetter> parsed =
        parse(p, VALID.with("event_id", IntNode.valueOf(42)).line());

    PAssert.that(parsed.output()).empty();
    assertDeadLetters(parsed, dl(INVALID_ENVELOPE_FIELD, "event_id must be a string", null, "acme"));
  }

  @Test
  void rejectsEventIdLongerThan256Characters(TestPipeline p) {
    WithFailures.Result<PCollection<Envelope>, DeadLetter> parsed =
        parse(p, VALID.eventId("e".repeat(257)).line());

    PAssert.that(parsed.output()).empty();
    assertDeadLetters(
        parsed,
        dl(INVALID_ENVELOPE_FIELD, "event_id is longer than 256 characters", null, "acme"));
  }

  @Test
  void rejectsNonStringTenant(TestPipeline p) {
    WithFailures.Result<PCollection<Envelope>, DeadLetter> parsed =
        parse(p, VALID.with("tenant", IntNode.valueOf(7)).line());

    PAssert.that(parsed.output()).empty();
    assertDeadLetters(
        parsed, dl(INVALID_ENVELOPE_FIELD, "tenant must be a string", "evt-0001", null));
  }

  @Test
  void rejectsTenantSourceOrTableContainingSlash(TestPipeline p) {
    WithFailures.Result<PCollection<Envelope>, DeadLetter> parsed =
        parse(
            p,
            VALID.eventId("e-1").tenant("acme/other").line(),
            VALID.eventId("e-2").source("shop/x").line(),
            VALID.eventId("e-3").table("/orders").line());

    PAssert.that(parsed.output()).empty();
    assertDeadLetters(
        parsed,
        dl(INVALID_ENVELOPE_FIELD, "tenant" + NAME_RULE, "e-1", null),
        dl(INVALID_ENVELOPE_FIELD, "source" + NAME_RULE, "e-2", "acme"),
        dl(INVALID_ENVELOPE_FIELD, "table" + NAME_RULE, "e-3", "acme"));
  }

  @Test
  void rejectsTenantSourceOrTableContainingDotDot(TestPipeline p) {
    WithFailures.Result<PCollection<Envelope>, DeadLetter> parsed =
        parse(
            p,
            VALID.eventId("e-1").tenant("..").line(),
            VALID.eventId("e-2").source("..").line(),
            VALID.eventId("e-3").table("orders..").line());

    PAssert.that(parsed.output()).empty();
    assertDeadLetters(
        parsed,
        dl(INVALID_ENVELOPE_FIELD, "tenant" + NAME_RULE, "e-1", null),
        dl(INVALID_ENVELOPE_FIELD, "source" + NAME_RULE, "e-2", "acme"),
        dl(INVALID_ENVELOPE_FIELD, "table" + NAME_RULE, "e-3", "acme"));
  }

  @Test
  void rejectsTenantSourceOrTableWithUpperCase(TestPipeline p) {
    WithFailures.Result<PCollection<Envelope>, DeadLetter> parsed =
        parse(
            p,
            VALID.eventId("e-1").tenant("Acme").line(),
            VALID.eventId("e-2").source("SHOP").line(),
            VALID.eventId("e-3").table("Orders").line());

    PAssert.that(parsed.output()).empty();
    assertDeadLetters(
        parsed,
        dl(INVALID_ENVELOPE_FIELD, "tenant" + NAME_RULE, "e-1", null),
        dl(INVALID_ENVELOPE_FIELD, "source" + NAME_RULE, "e-2", "acme"),
        dl(INVALID_ENVELOPE_FIELD, "table" + NAME_RULE, "e-3", "acme"));
  }

  @Test
  void rejectsNamesLongerThan64Characters(TestPipeline p) {
    WithFailures.Result<PCollection<Envelope>, DeadLetter> parsed =
        parse(p, VALID.eventId("e-1").tenant("a".repeat(65)).line(),
            VALID.eventId("e-2").tenant("a".repeat(64)).table("unknown_but_valid").line());

    PAssert.that(parsed.output().apply(Count.globally())).containsInAnyOrder(1L);
    assertDeadLetters(parsed, dl(INVALID_ENVELOPE_FIELD, "tenant" + NAME_RULE, "e-1", null));
  }

  @Test
  void rejectsUnparseableEventTime(TestPipeline p) {
    WithFailures.Result<PCollection<Envelope>, DeadLetter> parsed =
        parse(
            p,
            VALID.eventId("e-words").eventTime("yesterday").line(),
            VALID.eventId("e-no-offset").eventTime("2026-11-20T13:45:12.345").line(),
            VALID.eventId("e-date-only").eventTime("2026-11-20").line(),
            VALID.eventId("e-month-13").eventTime("2026-13-01T00:00:00Z").line(),
            VALID.eventId("e-epoch").with("event_time", IntNode.valueOf(1_700_000_000)).line());

    PAssert.that(parsed.output()).empty();
    assertDeadLetters(
        parsed,
        dl(INVALID_ENVELOPE_FIELD, BAD_TIME, "e-words", "acme"),
        dl(INVALID_ENVELOPE_FIELD, BAD_TIME, "e-no-offset", "acme"),
        dl(INVALID_ENVELOPE_FIELD, BAD_TIME, "e-date-only", "acme"),
        dl(INVALID_ENVELOPE_FIELD, BAD_TIME, "e-month-13", "acme"),
        dl(INVALID_ENVELOPE_FIELD, "event_time must be a string", "e-epoch", "acme"));
  }

  @Test
  void rejectsEventTimeOutsideYears1To9999(TestPipeline p) {
    WithFailures.Result<PCollection<Envelope>, DeadLetter> parsed =
        parse(
            p,
            VALID.eventId("e-late").eventTime("+10000-01-01T00:00:00Z").line(),
            VALID.eventId("e-early").eventTime("0000-12-31T23:00:00Z").line());

    PAssert.that(parsed.output()).empty();
    assertDeadLetters(
        parsed,
        dl(INVALID_ENVELOPE_FIELD, "event_time is outside 0001..9999", "e-late", "acme"),
        dl(INVALID_ENVELOPE_FIELD, "event_time is outside 0001..9999", "e-early", "acme"));
  }

  @Test
  void rejectsPayloadThatIsNotAnObjectWhenKeyIdIsAbsent(TestPipeline p) {
    String detail = "payload must be a JSON object when key_id is absent";
    WithFailures.Result<PCollection<Envelope>, DeadLetter> parsed =
        parse(
            p,
            VALID.eventId("e-string").unencrypted().rawPayload(VALID.sealedPayload()).line(),
            VALID.eventId("e-array").unencrypted().payload("[{\"order_id\":\"O-1\"}]").line(),
            VALID.eventId("e-number").unencrypted().rawPayload(IntNode.valueOf(1)).line());

    PAssert.that(parsed.output()).empty();
    assertDeadLetters(
        parsed,
        dl(INVALID_ENVELOPE_FIELD, detail, "e-string", "acme"),
        dl(INVALID_ENVELOPE_FIELD, detail, "e-array", "acme"),
        dl(INVALID_ENVELOPE_FIELD, detail, "e-number", "acme"));
  }

  @Test
  void rejectsObjectPayloadWhenKeyIdIsSet(TestPipeline p) {
    WithFailures.Result<PCollection<Envelope>, DeadLetter> parsed =
        parse(p, VALID.rawPayload(VALID.unencrypted().payloadNode()).line());

    PAssert.that(parsed.output()).empty();
    assertDeadLetters(
        parsed,
        dl(
            INVALID_ENVELOPE_FIELD,
            "payload must be a base64 string when key_id is set",
            "evt-0001",
            "acme"));
  }

  @Test
  void rejectsEmptyOrNonStringKeyId(TestPipeline p) {
    WithFailures.Result<PCollection<Envelope>, DeadLetter> parsed =
        parse(
            p,
            VALID.eventId("e-empty").keyId("").rawPayload(VALID.sealedPayload()).line(),
            VALID.eventId("e-number").with("key_id", IntNode.valueOf(1))
                .rawPayload(VALID.sealedPayload()).line());

    PAssert.that(parsed.output()).empty();
    assertDeadLetters(
        parsed,
        dl(INVALID_ENVELOPE_FIELD, "key_id must be a non-empty string", "e-empty", "acme"),
        dl(INVALID_ENVELOPE_FIELD, "key_id must be a non-empty string", "e-number", "acme"));
  }

  // ---- what a dead letter carries ----------------------------------------------------------

  @Test
  void deadLetterKeepsTheRawLineAndEveryReadableField(TestPipeline p) {
    String line = VALID.table("Orders").line();

    PCollection<DeadLetter> deadLetters =
        parse(p, line).failures().apply(DeadLetterSummary.atTimeZero());

    PAssert.that(deadLetters)
        .containsInAnyOrder(
            DeadLetter.builder("parse", INVALID_ENVELOPE_FIELD, "table" + NAME_RULE)
                .raw(line)
                .eventId("evt-0001")
                .tenant("acme")
                .source("shop")
                .eventTimeMillis(EVENT_TIME_MILLIS)
                .build()
                .withRejectedAtMillis(0));
  }

  @Test
  void deadLetterOfUnparseableEventTimeHasNoEventTime(TestPipeline p) {
    String line = VALID.eventTime("2026-11-20 13:45").line();

    PCollection<DeadLetter> deadLetters =
        parse(p, line).failures().apply(DeadLetterSummary.atTimeZero());

    PAssert.that(deadLetters)
        .containsInAnyOrder(
            DeadLetter.builder("parse", INVALID_ENVELOPE_FIELD, BAD_TIME)
                .raw(line)
                .eventId("evt-0001")
                .tenant("acme")
                .source("shop")
                .table("orders")
                .build()
                .withRejectedAtMillis(0));
  }

  @Test
  void deadLetterOfLineThatIsNotJsonKeepsOnlyTheRawLine(TestPipeline p) {
    String line = "{\"event_id\":\"evt-0001\",\"tenant\":\"acme\"";

    PCollection<DeadLetter> deadLetters =
        parse(p, line).failures().apply(DeadLetterSummary.atTimeZero());

    PAssert.that(deadLetters)
        .containsInAnyOrder(
            DeadLetter.builder(
                    "parse", MALFORMED_JSON, "envelope is not valid JSON at line 1, column 39")
                .raw(line)
                .build()
                .withRejectedAtMillis(0));
  }

  @Test
  void sendsEveryLineToExactlyOneOutput(TestPipeline p) {
    WithFailures.Result<PCollection<Envelope>, DeadLetter> parsed =
        parse(
            p,
            VALID.eventId("ok-1").line(),
            VALID.eventId("ok-2").unencrypted().line(),
            VALID.eventId("ok-3").keyId("k2").line(),
            "not json",
            VALID.eventId("bad-1").without("tenant").line(),
            VALID.eventId("bad-2").table("../x").line());

    PAssert.thatSingleton(parsed.output().apply("CountOk", Count.globally())).isEqualTo(3L);
    PAssert.thatSingleton(parsed.failures().apply("CountBad", Count.globally())).isEqualTo(3L);
  }

  // ---- helpers -----------------------------------------------------------------------------

  private static WithFailures.Result<PCollection<Envelope>, DeadLetter> parse(
      TestPipeline p, String... lines) {
    return p.apply("Lines", Create.of(Arrays.asList(lines)).withCoder(StringUtf8Coder.of()))
        .apply("Parse", ParseEnvelope.create());
  }

  private static void assertDeadLetters(
      WithFailures.Result<PCollection<Envelope>, DeadLetter> parsed, String... expected) {
    PAssert.that(parsed.failures().apply("Summaries", DeadLetterSummary.summarize()))
        .containsInAnyOrder(expected);
  }

  private static String dl(DeadLetterReason reason, String detail, String eventId, String tenant) {
    return DeadLetterSummary.of("parse", reason, detail, eventId, tenant);
  }
}
