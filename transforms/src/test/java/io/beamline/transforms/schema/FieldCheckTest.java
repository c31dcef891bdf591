package io.beamline.transforms.schema;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.beamline.transforms.Json;
import io.beamline.transforms.testing.TestSchemas;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import org.junit.jupiter.api.Test;

class FieldCheckTest {
  private static final FieldSpec PRICE =
      TestSchemas.field("{\"name\":\"price\",\"type\":\"decimal\",\"scale\":2,\"min\":0,\"max\":100}");
  private static final FieldSpec UNITS = TestSchemas.field("{\"name\":\"units\",\"type\":\"decimal\",\"scale\":0}");
  private static final FieldSpec AT = TestSchemas.field("{\"name\":\"at\",\"type\":\"timestamp\"}");
  private static final FieldSpec DAY = TestSchemas.field("{\"name\":\"day\",\"type\":\"date\"}");
  private static final FieldSpec COUNT =
      TestSchemas.field("{\"name\":\"count\",\"type\":\"int\",\"min\":1,\"max\":10}");
  private static final FieldSpec BIG = TestSchemas.field("{\"name\":\"big\",\"type\":\"long\"}");
  private static final FieldSpec RATE =
      TestSchemas.field("{\"name\":\"rate\",\"type\":\"double\",\"min\":0,\"max\":0.2}");
  private static final FieldSpec FLAG = TestSchemas.field("{\"name\":\"flag\",\"type\":\"boolean\"}");
  private static final FieldSpec CODE =
      TestSchemas.field("{\"name\":\"code\",\"type\":\"string\",\"pattern\":\"[0-9]{3}\"}");
  private static final FieldSpec STATUS =
      TestSchemas.field("{\"name\":\"status\",\"type\":\"string\",\"enum\":[\"NEW\",\"PAID\"]}");

  // ---- decimal -----------------------------------------------------------------------------

  @Test
  void writesDecimalNumbersAsPlainTextWithTheFieldsScale() throws Exception {
    assertThat(check(PRICE, "12.5"), is(TextNode.valueOf("12.50")));
    assertThat(check(PRICE, "12"), is(TextNode.valueOf("12.00")));
    assertThat(check(PRICE, "0.1"), is(TextNode.valueOf("0.10")));
    assertThat(check(PRICE, "1e1"), is(TextNode.valueOf("10.00")));
  }

  @Test
  void readsDecimalsGivenAsStrings() throws Exception {
    assertThat(check(PRICE, "\"12.5\""), is(TextNode.valueOf("12.50")));
    assertThat(check(PRICE, "\"1E+1\""), is(TextNode.valueOf("10.00")));
    assertThat(check(UNITS, "\"-7\""), is(TextNode.valueOf("-7")));
  }

  @Test
  void writesScaleZeroDecimalsWithoutDecimalPoint() throws Exception {
    assertThat(check(UNITS, "1200"), is(TextNode.valueOf("1200")));
    assertThat(check(UNITS, "1.2e3"), is(TextNode.valueOf("1200")));
  }

  @Test
  void rejectsDecimalWithMoreDigitsThanItsScaleInsteadOfRounding() {
    assertThat(violation(PRICE, "12.345"), is("scale 2"));
    assertThat(violation(UNITS, "\"0.5\""), is("scale 0"));
  }

  @Test
  void acceptsTrailingZerosBeyondTheScale() throws Exception {
    assertThat(check(PRICE, "\"12.5000\""), is(TextNode.valueOf("12.50")));
  }

  @Test
  void rejectsDecimalOfMoreThan38Digits() {
    assertThat(violation(UNITS, "\"" + "9".repeat(39) + "\""), is("precision 38"));
    assertThat(violation(PRICE, "\"" + "9".repeat(37) + "\""), is("precision 38"));
  }

  @Test
  void rejectsDecimalThatIsNotANumber() {
    assertThat(violation(PRICE, "\"twelve\""), is("type decimal (got a non-numeric string)"));
    assertThat(violation(PRICE, "\"" + "1".repeat(65) + "\""), is("type decimal (got string)"));
    assertThat(violation(PRICE, "true"), is("type decimal (got boolean)"));
  }

  @Test
  void comparesDecimalBoundsNumerically() throws Exception {
    assertThat(check(PRICE, "\"100.00\""), is(TextNode.valueOf("100.00")));
    assertThat(violation(PRICE, "100.01"), is("max 100"));
    assertThat(violation(PRICE, "-0.01"), is("min 0"));
  }

  @Test
  void rejectsHugeDecimalExponentQuickly() {
    assertTimeoutPreemptively(
        Duration.ofSeconds(2), () -> assertThat(violation(PRICE, "\"1e30000000\""), is("precision 38")));
    assertTimeoutPreemptively(
        Duration.ofSeconds(2), () -> assertThat(violation(PRICE, "1e-30000000"), is("scale 2")));
  }

  // ---- timestamp ---------------------------------------------------------------------------

  @Test
  void convertsTimestampToEpochMicros() throws Exception {
    long micros = Instant.parse("2026-11-20T13:45:12.345Z").toEpochMilli() * 1000;

    assertThat(check(AT, "\"2026-11-20T13:45:12.345Z\""), is(LongNode.valueOf(micros)));
  }

  @Test
  void convertsTimestampWithOffsetToTheSameInstant() throws Exception {
    long micros = Instant.parse("2026-11-20T13:45:12.345Z").toEpochMilli() * 1000;

    assertThat(check(AT, "\"2026-11-20T15:45:12.345+02:00\""), is(LongNode.valueOf(micros)));
  }

  @Test
  void keepsMicrosecondsOfATimestamp() throws Exception {
    assertThat(check(AT, "\"1970-01-01T00:00:00.000001Z\""), is(LongNode.valueOf(1)));
    assertThat(check(AT, "\"1970-01-01T00:00:01.123456Z\""), is(LongNode.valueOf(1_123_456)));
  }

  @Test
  void convertsTimestampBeforeTheEpochToNegativeMicros() throws Exception {
    assertThat(check(AT, "\"1969-12-31T23:59:59Z\""), is(LongNode.valueOf(-1_000_000)));
  }

  @Test
  void rejectsTimestampWithoutOffsetOrOfTheWrongType() {
    assertThat(violation(AT, "\"2026-11-20T13:45:12\""), is("timestamp format ISO-8601 with offset"));
    assertThat(violation(AT, "\"2026-11-20\""), is("timestamp format ISO-8601 with offset"));
    assertThat(violation(AT, "1700000000000"), is("type timestamp (got number)"));
  }

  @Test
  void rejectsTimestampOutsideYears1To9999() {
    assertThat(violation(AT, "\"+10000-01-01T00:00:00Z\""), is("timestamp range 0001..9999"));
    assertThat(violation(AT, "\"0000-06-01T00:00:00Z\""), is("timestamp range 0001..9999"));
  }

  // ---- date --------------------------------------------------------------------------------

  @Test
  void convertsDateToEpochDays() throws Exception {
    assertThat(check(DAY, "\"1970-01-01\""), is(IntNode.valueOf(0)));
    assertThat(check(DAY, "\"1970-01-02\""), is(IntNode.valueOf(1)));
    assertThat(check(DAY, "\"1969-12-31\""), is(IntNode.valueOf(-1)));
    assertThat(
        check(DAY, "\"2026-11-20\""),
        is(IntNode.valueOf((int) LocalDate.of(2026, 11, 20).toEpochDay())));
  }

  @Test
  void rejectsDateThatIsNotAValidCalendarDate() {
    assertThat(violation(DAY, "\"2026-02-30\""), is("date format YYYY-MM-DD"));
    assertThat(violation(DAY, "\"20261120\""), is("date format YYYY-MM-DD"));
    assertThat(violation(DAY, "\"2026-11-20T00:00:00Z\""), is("date format YYYY-MM-DD"));
    assertThat(violation(DAY, "20261120"), is("type date (got number)"));
  }

  @Test
  void rejectsDateOutsideYears1To9999() {
    assertThat(violation(DAY, "\"+10000-01-01\""), is("date range 0001..9999"));
  }

  // ---- other types -------------------------------------------------------------------------

  @Test
  void checksIntRangeAndBounds() throws Exception {
    assertThat(check(COUNT, "10"), is(IntNode.valueOf(10)));
    assertThat(violation(COUNT, "0"), is("min 1"));
    assertThat(violation(COUNT, "11"), is("max 10"));
    assertThat(violation(COUNT, "2147483648"), is("type int (got number)"));
    assertThat(violation(COUNT, "2.0"), is("type int (got number)"));
  }

  @Test
  void acceptsLongBeyondIntRange() throws Exception {
    assertThat(check(BIG, "2147483648"), is(LongNode.valueOf(2147483648L)));
    assertThat(violation(BIG, "9223372036854775808"), is("type long (got number)"));
  }

  @Test
  void readsAnyFiniteNumberAsDouble() throws Exception {
    assertThat(check(RATE, "0"), is(DoubleNode.valueOf(0.0)));
    assertThat(check(RATE, "0.2"), is(DoubleNode.valueOf(0.2)));
    assertThat(violation(RATE, "0.2000001"), is("max 0.2"));
    assertThat(violation(RATE, "\"0.1\""), is("type double (got string)"));
  }

  @Test
  void acceptsOnlyJsonBooleansAsBoolean() throws Exception {
    assertThat(check(FLAG, "false"), is(BooleanNode.FALSE));
    assertThat(violation(FLAG, "\"true\""), is("type boolean (got string)"));
    assertThat(violation(FLAG, "1"), is("type boolean (got number)"));
  }

  @Test
  void appliesPatternAsASearchNotAFullMatch() throws Exception {
    assertThat(check(CODE, "\"code 123!\""), is(TextNode.valueOf("code 123!")));
    assertThat(violation(CODE, "\"12\""), is("pattern [0-9]{3}"));
  }

  @Test
  void acceptsOnlyEnumValuesWithTheirExactCase() throws Exception {
    assertThat(check(STATUS, "\"PAID\""), is(TextNode.valueOf("PAID")));
    assertThat(violation(STATUS, "\"paid\""), is("enum [NEW, PAID]"));
  }

  @Test
  void rejectsNonStringForAStringField() {
    assertThat(violation(STATUS, "1"), is("type string (got number)"));
    assertThat(violation(STATUS, "true"), is("type string (got boolean)"));
  }

  @Test
  void patternEndAnchorDoesNotAcceptATrailingLineBreak() {
    FieldSpec id =
        TestSchemas.field("{\"name\":\"id\",\"type\":\"string\",\"pattern\":\"^O-[0-9]+$\"}");
    assertThat(violation(id, "\"O-1\\n\""), is("pattern ^O-[0-9]+$"));
  }

  @Test
  void patternDollarInsideACharacterClassStaysLiteral() throws Exception {
    FieldSpec price =
        TestSchemas.field("{\"name\":\"p\",\"type\":\"string\",\"pattern\":\"^[$]?[0-9]+$\"}");
    assertThat(check(price, "\"$12\"").textValue(), is("$12"));
  }

  @Test
  void timestampsBeforeTheEpochRoundDownToTheMicrosecond() throws Exception {
    assertThat(check(AT, "\"1969-12-31T23:59:59.9999995Z\"").longValue(), is(-1L));
  }

  @Test
  void decimalKeepsTrailingZerosOfTheInputExactly() throws Exception {
    assertThat(check(PRICE, "10.0").textValue(), is("10.00"));
  }

  // ---- helpers -----------------------------------------------------------------------------

  /** Checks a value given as JSON text, read with the pipeline's mapper. */
  private static JsonNode check(FieldSpec field, String valueJson) throws Exception {
    return FieldCheck.check(field, Json.MAPPER.readTree(valueJson));
  }

  private static String violation(FieldSpec field, String valueJson) {
    return assertThrows(FieldCheck.Violation.class, () -> check(field, valueJson)).rule();
  }
}
