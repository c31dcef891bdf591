package io.beamline.transforms.testing;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.beamline.transforms.Json;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The envelope builder other modules' tests rely on. */
class EnvelopesTest {
  @Test
  void writesTheEnvelopeFieldsInContractOrder() throws Exception {
    assertThat(
        fieldNames(Envelopes.envelope().line()),
        contains("event_id", "tenant", "source", "table", "event_time", "key_id", "payload"));
  }

  @Test
  void producesTheSameLineEveryTime() {
    assertThat(Envelopes.envelope().line(), is(Envelopes.envelope().line()));
  }

  @Test
  void changesOnlyTheCiphertextWithTheIvSeed() throws Exception {
    ObjectNode a = (ObjectNode) Json.MAPPER.readTree(Envelopes.envelope().line());
    ObjectNode b = (ObjectNode) Json.MAPPER.readTree(Envelopes.envelope().ivSeed(5).line());

    assertThat(a.get("payload"), not(b.get("payload")));
    a.remove("payload");
    b.remove("payload");
    assertThat(a, is(b));
  }

  @Test
  void writesAnUnencryptedPayloadAsTheObjectWithoutKeyId() throws Exception {
    JsonNode line =
        Json.MAPPER.readTree(Envelopes.envelope().unencrypted().payload("{\"a\":1}").line());

    assertThat(line.has("key_id"), is(false));
    assertThat(line.get("payload"), is(Json.MAPPER.readTree("{\"a\":1}")));
  }

  @Test
  void omitsOrOverridesAnyField() throws Exception {
    Envelopes envelope =
        Envelopes.envelope().without("tenant").with("table", IntNode.valueOf(3)).with("extra", "x");

    JsonNode line = Json.MAPPER.readTree(envelope.line());

    assertThat(line.has("tenant"), is(false));
    assertThat(line.get("table"), is(IntNode.valueOf(3)));
    assertThat(
        fieldNames(envelope.line()),
        contains("event_id", "source", "table", "event_time", "key_id", "payload", "extra"));
  }

  @Test
  void writesARawPayloadVerbatim() throws Exception {
    JsonNode line = Json.MAPPER.readTree(Envelopes.envelope().rawPayload("%%%").line());

    assertThat(line.get("payload").textValue(), is("%%%"));
  }

  @Test
  void tampersWithExactlyOneByteOfTheSealedPayload() {
    byte[] sealed = Base64.getDecoder().decode(Envelopes.envelope().sealedPayload());
    byte[] tag = Base64.getDecoder().decode(Envelopes.envelope().tamperTag().sealedPayload());
    byte[] body = Base64.getDecoder().decode(Envelopes.envelope().tamperCiphertext().sealedPayload());

    assertThat(differingIndexes(sealed, tag), contains(sealed.length - 1));
    assertThat(differingIndexes(sealed, body), contains(12));
  }

  private static List<String> fieldNames(String line) throws Exception {
    List<String> names = new ArrayList<>();
    Json.MAPPER.readTree(line).fieldNames().forEachRemaining(names::add);
    return names;
  }

  private static List<Integer> differingIndexes(byte[] a, byte[] b) {
    List<Integer> diff = new ArrayList<>();
    for (int i = 0; i < a.length; i++) {
      if (a[i] != b[i]) {
        diff.add(i);
      }
    }
    return diff;
  }
}
