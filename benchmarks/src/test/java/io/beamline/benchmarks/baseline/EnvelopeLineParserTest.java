package io.beamline.benchmarks.baseline;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.beamline.transforms.model.DeadLetterReason;
import org.junit.jupiter.api.Test;

class EnvelopeLineParserTest {
  private final EnvelopeLineParser parser = new EnvelopeLineParser();

  private Rejection rejected(String line) {
    return assertThrows(Rejection.class, () -> parser.parse(line, new Envelope()));
  }

  @Test
  void anUnencryptedPayloadIsTheObjectsTextInTheLine() throws Exception {
    Envelope e = new Envelope();
    parser.parse(
        "{\"payload\": {\"a\": [1, {\"b\": \"}\"}]} , \"event_id\":\"e1\",\"tenant\":\"acme\",\"source\":\"shop\","
            + "\"table\":\"orders\",\"event_time\":\"2026-11-20T13:45:12.345+01:00\"}",
        e);
    assertThat(e.payload, equalTo("{\"a\": [1, {\"b\": \"}\"}]}"));
    assertThat(e.eventTimeMillis, equalTo(java.time.Instant.parse("2026-11-20T12:45:12.345Z").toEpochMilli()));
  }

  @Test
  void fieldsAreCheckedInBeamlinesOrderWhateverTheirOrderInTheLine() {
    Rejection r = rejected("{\"tenant\":\"ACME\",\"source\":\"shop\"}");
    assertThat(r.reason(), equalTo(DeadLetterReason.MISSING_ENVELOPE_FIELD));
    assertThat(r.detail(), equalTo("event_id is missing or empty"));
  }

  @Test
  void aDuplicateKeyIsMalformed() {
    assertThat(rejected("{\"event_id\":\"a\",\"event_id\":\"b\"}").reason(), equalTo(DeadLetterReason.MALFORMED_JSON));
  }

  @Test
  void trailingContentIsMalformed() {
    assertThat(rejected("{\"event_id\":\"a\"} {}").reason(), equalTo(DeadLetterReason.MALFORMED_JSON));
  }

  @Test
  void aLoneSurrogateIsMalformed() {
    assertThat(rejected("{\"event_id\":\"a\\ud800\"}").reason(), equalTo(DeadLetterReason.MALFORMED_JSON));
  }

  @Test
  void nestingBeyondTheEnvelopesLimitIsOversized() {
    Rejection r = rejected("{\"x\":" + "[".repeat(70) + "]".repeat(70) + "}");
    assertThat(r.reason(), equalTo(DeadLetterReason.OVERSIZED));
    assertThat(
        r.detail(),
        equalTo("envelope nests deeper than 65 levels (--maxNestingDepth 64 plus 1 for the envelope)"));
  }
}
