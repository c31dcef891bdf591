package io.beamline.transforms;

import static io.beamline.transforms.model.DeadLetterReason.MALFORMED_JSON;
import static io.beamline.transforms.model.DeadLetterReason.OVERSIZED;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.beamline.transforms.model.DeadLetter;
import io.beamline.transforms.model.DeadLetterReason;
import io.beamline.transforms.model.ValidatedEvent;
import io.beamline.transforms.testing.DeadLetterSummary;
import io.beamline.transforms.testing.Envelopes;
import io.beamline.transforms.testing.TestKeyrings;
import io.beamline.transforms.testing.TestPipelineExtension;
import io.beamline.transforms.testing.TestSchemas;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Each record limit through the shared composite: a record just within it becomes an event, one
 * just over it an OVERSIZED dead letter whose detail names the option.
 */
@ExtendWith(TestPipelineExtension.class)
class ProcessEnvelopesLimitsTest {
  private static final RecordLimits DEFAULTS = RecordLimits.defaults();
  private static final Envelopes ENCRYPTED = Envelopes.envelope();
  private static final Envelopes UNENCRYPTED = Envelopes.envelope().unencrypted();

  /** Order O-1 (depth 3: customer.address.city; 8 values) with one more field. */
  private static ObjectNode orderWith(String field, Object value) {
    ObjectNode order = TestSchemas.order("O-1");
    order.set(field, Json.MAPPER.valueToTree(value));
    return order;
  }

  /** {@code levels} nested objects: {@code {"n": {"n": ... {"v": 1}}}}. */
  private static ObjectNode nested(int levels) {
    ObjectNode inner = Json.MAPPER.createObjectNode().put("v", 1);
    for (int i = 1; i < levels; i++) {
      ObjectNode outer = Json.MAPPER.createObjectNode();
      outer.set("n", inner);
      inner = outer;
    }
    return inner;
  }

  // ---- --maxRecordBytes --------------------------------------------------------------------

  @Test
  void recordOfMaxRecordBytesPassesAndOneByteMoreIsOversized(TestPipeline p) {
    String within = ENCRYPTED.eventId("evt-0001").line();
    String over = ENCRYPTED.eventId("evt-00002").line();
    RecordLimits limits = DEFAULTS.withMaxRecordBytes(within.length());
    assertThat(over.length(), is(within.length() + 1));

    ProcessedEnvelopes out = process(p, limits, within, over);

    assertEvents(out, "evt-0001");
    assertDeadLetters(
        out,
        dl("parse", OVERSIZED, "record has more than " + within.length() + " bytes (--maxRecordBytes)",
            null, null));
  }

  @Test
  void recordSizeIsCountedInUtf8BytesNotCharacters(TestPipeline p) {
    String within = UNENCRYPTED.eventId("evt-a").payload(orderWith("note", "Berlin")).line();
    String over = UNENCRYPTED.eventId("evt-b").payload(orderWith("note", "Bérlin")).line();
    RecordLimits limits = DEFAULTS.withMaxRecordBytes(within.length());
    assertThat(over.length(), is(within.length()));
    assertThat(over.getBytes(StandardCharsets.UTF_8).length, is(within.length() + 1));

    ProcessedEnvelopes out = process(p, limits, within, over);

    assertEvents(out, "evt-a");
    assertDeadLetters(
        out,
        dl("parse", OVERSIZED, "record has more than " + within.length() + " bytes (--maxRecordBytes)",
            null, null));
  }

  @Test
  void oversizedRecordKeepsOnlyItsFirstKibibyteInTheDeadLetter(TestPipeline p) {
    String over = ENCRYPTED.eventId("evt-big").payload(orderWith("note", "x".repeat(5000))).line();

    ProcessedEnvelopes out = process(p, DEFAULTS.withMaxRecordBytes(2000), over);

    PAssert.that(
            out.deadLetters()
                .apply(
                    "RawText",
                    MapElements.into(TypeDescriptors.strings())
                        .via((DeadLetter d) -> new String(d.rawBytes(), StandardCharsets.UTF_8))))
        .containsInAnyOrder(over.substring(0, 1024));
  }

  // ---- --maxNestingDepth -------------------------------------------------------------------

  @Test
  void encryptedPayloadAtMaxNestingDepthPassesAndOneLevelDeeperIsOversized(TestPipeline p) {
    RecordLimits limits = DEFAULTS.withMaxNestingDepth(4);
    String within = ENCRYPTED.eventId("evt-a").payload(orderWith("x", nested(3))).line();
    String over = ENCRYPTED.eventId("evt-b").payload(orderWith("x", nested(4))).line();

    ProcessedEnvelopes out = process(p, limits, within, over);

    assertEvents(out, "evt-a");
    assertDeadLetters(
        out, dl("flatten", OVERSIZED, "payload nests deeper than 4 levels (--maxNestingDepth)", "evt-b", "acme"));
  }

  @Test
  void unencryptedPayloadOneLevelTooDeepIsOversizedAtParseKeepingItsIdentity(TestPipeline p) {
    RecordLimits limits = DEFAULTS.withMaxNestingDepth(4);
    String within = UNENCRYPTED.eventId("evt-a").payload(orderWith("x", nested(3))).line();
    String over = UNENCRYPTED.eventId("evt-b").payload(orderWith("x", nested(4))).line();

    ProcessedEnvelopes out = process(p, limits, within, over);

    assertEvents(out, "evt-a");
    assertDeadLetters(
        out,
        dl("parse", OVERSIZED,
            "envelope nests deeper than 5 levels (--maxNestingDepth 4 plus 1 for the envelope)",
            "evt-b", "acme"));
  }

  @Test
  void arraysCountAsNestingLevels(TestPipeline p) {
    RecordLimits limits = DEFAULTS.withMaxNestingDepth(4);
    String within = ENCRYPTED.eventId("evt-a").payload(orderWith("x", new int[][][] {{{1}}})).line();
    String over = ENCRYPTED.eventId("evt-b").payload(orderWith("x", new int[][][][] {{{{1}}}})).line();

    ProcessedEnvelopes out = process(p, limits, within, over);

    assertEvents(out, "evt-a");
    assertDeadLetters(
        out, dl("flatten", OVERSIZED, "payload nests deeper than 4 levels (--maxNestingDepth)", "evt-b", "acme"));
  }

  // ---- --maxFieldCount ---------------------------------------------------------------------

  @Test
  void payloadWithMaxFieldCountValuesPassesAndOneMoreIsOversized(TestPipeline p) {
    // The order has 8 values; "a" and its elements make 10 or 11.
    RecordLimits limits = DEFAULTS.withMaxFieldCount(10);
    String within = ENCRYPTED.eventId("evt-a").payload(orderWith("a", new int[] {1})).line();
    String over = ENCRYPTED.eventId("evt-b").payload(orderWith("a", new int[] {1, 2})).line();

    ProcessedEnvelopes out = process(p, limits, within, over);

    assertEvents(out, "evt-a");
    assertDeadLetters(
        out, dl("flatten", OVERSIZED, "payload has more than 10 values (--maxFieldCount)", "evt-b", "acme"));
  }

  @Test
  void unencryptedPayloadIsHeldToTheExactFieldCount(TestPipeline p) {
    RecordLimits limits = DEFAULTS.withMaxFieldCount(10);
    String within = UNENCRYPTED.eventId("evt-a").payload(orderWith("a", new int[] {1})).line();
    String over = UNENCRYPTED.eventId("evt-b").payload(orderWith("a", new int[] {1, 2})).line();

    ProcessedEnvelopes out = process(p, limits, within, over);

    assertEvents(out, "evt-a");
    assertDeadLetters(
        out, dl("flatten", OVERSIZED, "payload has more than 10 values (--maxFieldCount)", "evt-b", "acme"));
  }

  @Test
  void envelopeWithFarMoreValuesThanAPayloadMayHaveIsOversizedAtParse(TestPipeline p) {
    RecordLimits limits = DEFAULTS.withMaxFieldCount(10);
    String over = UNENCRYPTED.eventId("evt-b").with("junk", Json.MAPPER
        .valueToTree(new int[30])).line();

    ProcessedEnvelopes out = process(p, limits, over);

    assertEvents(out);
    assertDeadLetters(
        out,
        dl("parse", OVERSIZED,
            "envelope has more than 26 values (--maxFieldCount 10 plus 16 for the envelope)",
            "evt-b", "acme"));
  }

  // ---- --maxStringLength -------------------------------------------------------------------

  @Test
  void stringOfMaxLengthPassesAndOneCharacterMoreIsOversized(TestPipeline p) {
    RecordLimits limits = DEFAULTS.withMaxStringLength(40);
    String within = ENCRYPTED.eventId("evt-a").payload(orderWith("note", "s".repeat(40))).line();
    String over = ENCRYPTED.eventId("evt-b").payload(orderWith("note", "s".repeat(41))).line();

    ProcessedEnvelopes out = process(p, limits, within, over);

    assertEvents(out, "evt-a");
    assertDeadLetters(
        out,
        dl("flatten", OVERSIZED, "payload has a string longer than 40 characters (--maxStringLength)",
            "evt-b", "acme"));
  }

  @Test
  void fieldNameLongerThanMaxStringLengthIsOversized(TestPipeline p) {
    RecordLimits limits = DEFAULTS.withMaxStringLength(40);
    String within = UNENCRYPTED.eventId("evt-a").payload(orderWith("k".repeat(40), 1)).line();
    String over = UNENCRYPTED.eventId("evt-b").payload(orderWith("k".repeat(41), 1)).line();

    ProcessedEnvelopes out = process(p, limits, within, over);

    assertEvents(out, "evt-a");
    assertDeadLetters(
        out,
        dl("flatten", OVERSIZED,
            "payload has a field name longer than 40 characters (--maxStringLength)", "evt-b", "acme"));
  }

  // ---- --maxNumberLength -------------------------------------------------------------------

  @Test
  void numberOfMaxLengthPassesAndOneCharacterMoreIsOversized(TestPipeline p) {
    RecordLimits limits = DEFAULTS.withMaxNumberLength(10);
    String within = ENCRYPTED.eventId("evt-a").payload(withRawField("\"n\":-123456.78")).line();
    String over = ENCRYPTED.eventId("evt-b").payload(withRawField("\"n\":12345678901")).line();

    ProcessedEnvelopes out = process(p, limits, within, over);

    assertEvents(out, "evt-a");
    assertDeadLetters(
        out,
        dl("flatten", OVERSIZED, "payload has a number longer than 10 characters (--maxNumberLength)",
            "evt-b", "acme"));
  }

  @Test
  void unencryptedNumberOverTheLimitIsOversizedAtParse(TestPipeline p) {
    RecordLimits limits = DEFAULTS.withMaxNumberLength(10);
    // Written into the line verbatim: the builder would normalise the number.
    String over =
        UNENCRYPTED.eventId("evt-b").payload(orderWith("n", "NUMBER")).line()
            .replace("\"NUMBER\"", "1e+0000000001");

    ProcessedEnvelopes out = process(p, limits, over);

    assertEvents(out);
    assertDeadLetters(
        out,
        dl("parse", OVERSIZED, "envelope has a number longer than 10 characters (--maxNumberLength)",
            "evt-b", "acme"));
  }

  // ---- unpaired surrogates -----------------------------------------------------------------

  @Test
  void escapedSurrogatePairPassesAndALoneSurrogateIsMalformed(TestPipeline p) {
    String within = ENCRYPTED.eventId("evt-a").payload(withRawField("\"note\":\"\\ud83d\\ude00\"")).line();
    String over = ENCRYPTED.eventId("evt-b").payload(withRawField("\"note\":\"x\\ud800y\"")).line();

    ProcessedEnvelopes out = process(p, DEFAULTS, within, over);

    assertEvents(out, "evt-a");
    assertDeadLetters(
        out,
        dl("flatten", MALFORMED_JSON, "payload has a string with an unpaired UTF-16 surrogate",
            "evt-b", "acme"));
  }

  // ---- helpers -----------------------------------------------------------------------------

  /** The test order's JSON text with one more member written verbatim, e.g. {@code "n":1e5}. */
  private static String withRawField(String member) {
    String order = TestSchemas.order("O-1").toString();
    return order.substring(0, order.length() - 1) + "," + member + "}";
  }

  private static ProcessedEnvelopes process(TestPipeline p, RecordLimits limits, String... lines) {
    return p.apply("Lines", Create.of(Arrays.asList(lines)).withCoder(StringUtf8Coder.of()))
        .apply(
            "Process",
            ProcessEnvelopes.with(TestKeyrings.keyring(), TestSchemas.shop()).withLimits(limits));
  }

  private static void assertEvents(ProcessedEnvelopes out, String... eventIds) {
    PAssert.that(
            out.events()
                .apply(
                    "EventIds",
                    MapElements.into(TypeDescriptors.strings())
                        .via((ValidatedEvent e) -> e.envelope().eventId())))
        .containsInAnyOrder(eventIds);
  }

  private static void assertDeadLetters(ProcessedEnvelopes out, String... expected) {
    PAssert.that(out.deadLetters().apply("Summaries", DeadLetterSummary.summarize()))
        .containsInAnyOrder(expected);
  }

  private static String dl(
      String stage, DeadLetterReason reason, String detail, String eventId, String tenant) {
    return DeadLetterSummary.of(stage, reason, detail, eventId, tenant);
  }
}
