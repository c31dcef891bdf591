package io.beamline.transforms;

import static io.beamline.transforms.model.DeadLetterReason.UNKNOWN_KEY;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.beamline.transforms.model.DeadLetter;
import io.beamline.transforms.model.Envelope;
import io.beamline.transforms.model.EtlRow;
import io.beamline.transforms.model.ValidatedEvent;
import io.beamline.transforms.schema.TableSchema;
import io.beamline.transforms.schema.TableSchemas;
import io.beamline.transforms.testing.DeadLetterSummary;
import io.beamline.transforms.testing.Envelopes;
import io.beamline.transforms.testing.TestKeyrings;
import io.beamline.transforms.testing.TestPipelineExtension;
import io.beamline.transforms.testing.TestSchemas;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.FlatMapElements;
import org.apache.beam.sdk.transforms.WithFailures;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Expected values are computed here with the JDK alone (HMAC-SHA256, AES-GCM) from the pii key's
 * bytes and the documented labels, not with the classes under test.
 */
@ExtendWith(TestPipelineExtension.class)
class ProtectPersonalDataTest {
  private static final String PEOPLE_JSON =
      """
      {"source": "shop", "table": "people", "fields": [
        {"name": "person_id", "type": "string", "required": true, "pii": "hash"},
        {"name": "email", "type": "string", "pii": "hash"},
        {"name": "name", "type": "string", "pii": "encrypt"},
        {"name": "city", "type": "string"}],
       "unique": ["person_id"]}
      """;
  private static final TableSchemas SCHEMAS =
      TableSchemas.of(
          List.of(
              TableSchema.parse(PEOPLE_JSON, "shop/people.json"),
              TestSchemas.orders(),
              TestSchemas.orderItems()));
  private static final Keyring KEYRING = TestKeyrings.keyring();

  // ---- hash --------------------------------------------------------------------------------

  @Test
  void hashesAFieldAsHexHmacSha256UnderTheTenantsDerivedHashKey(TestPipeline p) throws Exception {
    ValidatedEvent in = person("e-1", "acme", "P-1", "ann@example.com", "Ann Lee", "Berlin");

    PCollection<String> values = protect(p, in).output().apply(valuesOfRows());

    byte[] hashKey = hmac(TestKeyrings.piiKeyBytes("acme"), "beamline pii hash v1");
    String expectedId = HexFormat.of().formatHex(hmac(hashKey, "P-1"));
    String expectedEmail = HexFormat.of().formatHex(hmac(hashKey, "ann@example.com"));
    PAssert.that(values)
        .satisfies(
            rows -> {
              JsonNode row = only(rows);
              assertThat(row.get("person_id").asText(), is(expectedId));
              assertThat(row.get("email").asText(), is(expectedEmail));
              assertThat(expectedEmail.length(), is(64));
              return null;
            });
  }

  @Test
  void hashesTheSameValueAlikeWithinATenantAndDifferentlyAcrossTenants(TestPipeline p) {
    ValidatedEvent a1 = person("e-1", "acme", "P-1", "same@example.com", null, null);
    ValidatedEvent a2 = person("e-2", "acme", "P-2", "same@example.com", null, null);
    ValidatedEvent g1 = person("e-3", "globex", "P-3", "same@example.com", null, null);

    PCollection<String> values = protect(p, a1, a2, g1).output().apply(valuesOfRows());

    PAssert.that(values)
        .satisfies(
            rows -> {
              List<String> emails = new ArrayList<>();
              List<String> tenants = new ArrayList<>();
              rows.forEach(r -> emails.add(json(r).get("email").asText()));
              rows.forEach(r -> tenants.add(json(r).get("_tenant").asText()));
              String acme = emails.get(tenants.indexOf("acme"));
              assertThat(emails.stream().filter(acme::equals).count(), is(2L));
              assertThat(emails.get(tenants.indexOf("globex")), is(not(acme)));
              return null;
            });
  }

  // ---- encrypt -----------------------------------------------------------------------------

  @Test
  void encryptsAFieldSoThatTheJdkOpensItWithTheDerivedKeyAndTheTenantAsAad(TestPipeline p)
      throws Exception {
    ValidatedEvent in = person("e-1", "acme", "P-1", null, "Zoë Müller-Łukasz", "Berlin");

    PCollection<String> values = protect(p, in).output().apply(valuesOfRows());

    byte[] encryptKey = hmac(TestKeyrings.piiKeyBytes("acme"), "beamline pii encrypt v1");
    PAssert.that(values)
        .satisfies(
            rows -> {
              JsonNode row = only(rows);
              String text = row.get("name").asText();
              assertThat(text, not(containsString("Zo")));
              assertThat(openAesGcm(encryptKey, text, "acme"), is("Zoë Müller-Łukasz"));
              assertThat(RevealPersonalData.with(KEYRING).reveal("acme", text), is("Zoë Müller-Łukasz"));
              assertThat(row.get("city").asText(), is("Berlin"));
              assertThat(row.get("email").isNull(), is(true));
              return null;
            });
  }

  @Test
  void encryptsTheSameRowToTheSameTextOnEveryRunButAnotherEventsToAnother(TestPipeline p) {
    ValidatedEvent first = person("e-1", "acme", "P-1", null, "Ann", null);
    ValidatedEvent again = person("e-1", "acme", "P-1", null, "Ann", null);
    ValidatedEvent other = person("e-2", "acme", "P-2", null, "Ann", null);

    PCollection<String> values = protect(p, first, again, other).output().apply(valuesOfRows());

    PAssert.that(values)
        .satisfies(
            rows -> {
              List<String> names = new ArrayList<>();
              rows.forEach(r -> names.add(json(r).get("name").asText()));
              assertThat(names.size(), is(3));
              assertThat(names.stream().distinct().count(), is(2L));
              return null;
            });
  }

  @Test
  void encryptsTheSameValueTwiceInARowToTheSameText() {
    PersonalDataCipher cipher = newCipher();

    String first = cipher.encrypt("acme", "Ann Lee", "e-1", "people", "0", "name");
    String again = cipher.encrypt("acme", "Ann Lee", "e-1", "people", "0", "name");
    String other = cipher.encrypt("acme", "Ann Lee", "e-2", "people", "0", "name");
    String firstOnceMore = cipher.encrypt("acme", "Ann Lee", "e-1", "people", "0", "name");

    assertThat(again, is(first));
    assertThat(firstOnceMore, is(first));
    assertThat(other, is(not(first)));
    assertThat(cipher.reveal("acme", again), is("Ann Lee"));
  }

  @Test
  void revealRefusesAValueOfAnotherTenantWithoutQuotingIt() {
    PersonalDataCipher cipher = newCipher();
    String acmeText = cipher.encrypt("acme", "Ann Lee", "e-1", "people", "0", "name");

    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> RevealPersonalData.with(KEYRING).reveal("globex", acmeText));

    assertThat(
        e.getMessage(),
        is("the value does not open with tenant globex's pii key (another tenant's, or altered)"));
    assertThat(e.getMessage(), not(containsString(acmeText)));
  }

  @Test
  void revealOfATenantWithoutPiiKeyFailsNamingTheTenantOnly() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> RevealPersonalData.with(KEYRING).reveal("hooli", "AAAA"));

    assertThat(e.getMessage(), is("the keyring has no pii key for tenant hooli"));
  }

  @Test
  void leavesTheTreeOfTheRowItProtectsAsValidationMadeIt() throws Exception {
    String values = "{\"person_id\":\"P-1\",\"email\":null,\"name\":\"Ann Lee\",\"city\":\"Berlin\",\"_extra\":null}";
    Envelope e = Envelopes.envelope().eventId("e-1").tenant("acme").toEnvelope();
    EtlRow row = new EtlRow("shop", "people", "acme", "e-1", e.eventTimeMillis(), Json.objectOf(values, "values"));
    ProtectPersonalData.Protect protect = new ProtectPersonalData.Protect(KEYRING, SCHEMAS);
    protect.setup();

    ValidatedEvent out = protect.apply(new ValidatedEvent(e, List.of(row)));

    assertThat(row.valuesJson(), is(values));
    assertThat(out.rows().get(0).valuesJson(), not(containsString("Ann Lee")));
    assertThat(out.rows().get(0).values().get("city").asText(), is("Berlin"));
  }

  // ---- left alone --------------------------------------------------------------------------

  @Test
  void passesRowsOfTablesWithoutPiiFieldsThroughUnchanged(TestPipeline p) {
    Envelope e = Envelopes.envelope().eventId("e-9").tenant("hooli").toEnvelope();
    EtlRow order = new EtlRow("shop", "orders", "hooli", "e-9", e.eventTimeMillis(), "{\"order_id\":\"O-1\"}");
    ValidatedEvent in = new ValidatedEvent(e, List.of(order));

    WithFailures.Result<PCollection<ValidatedEvent>, DeadLetter> out = protect(p, in);

    PAssert.that(out.output()).containsInAnyOrder(in);
    PAssert.that(out.failures()).empty();
  }

  // ---- rejected ----------------------------------------------------------------------------

  @Test
  void rejectsAnEventWhoseTenantHasNoPiiKeyAsUnknownKey(TestPipeline p) {
    ValidatedEvent hooli = person("e-1", "hooli", "P-1", "ann@example.com", "Ann", null);
    ValidatedEvent acme = person("e-2", "acme", "P-2", "bob@example.com", "Bob", null);

    WithFailures.Result<PCollection<ValidatedEvent>, DeadLetter> out = protect(p, hooli, acme);

    PAssert.that(out.output().apply("Count", org.apache.beam.sdk.transforms.Count.globally()))
        .containsInAnyOrder(1L);
    PAssert.that(out.failures().apply(DeadLetterSummary.summarize()))
        .containsInAnyOrder(
            DeadLetterSummary.of(
                "protect", UNKNOWN_KEY, "people: no pii key for tenant hooli in the keyring", "e-1", "hooli"));
  }

  // ---- the shared composite ----------------------------------------------------------------

  @Test
  void theSharedCompositeHandsOnOnlyProtectedValuesOfTheShippedCustomersSchema(TestPipeline p)
      throws Exception {
    ObjectNode customer = (ObjectNode) Json.MAPPER.readTree(
        "{\"customer_id\":\"C-7\",\"email\":\"hannah.schmidt@example.com\","
            + "\"name\":{\"first\":\"Hannah\",\"last\":\"Schmidt\"},"
            + "\"signed_up_at\":\"2026-01-02T03:04:05Z\"}");
    String line =
        Envelopes.envelope().eventId("c-1").table("customers").payload(customer).line();

    PCollection<String> values =
        p.apply(Create.of(line))
            .apply(ProcessEnvelopes.with(KEYRING, TestSchemas.shipped()))
            .rows()
            .apply(
                org.apache.beam.sdk.transforms.MapElements.into(TypeDescriptors.strings())
                    .via(EtlRow::valuesJson));

    byte[] piiKey = TestKeyrings.piiKeyBytes("acme");
    String email = HexFormat.of().formatHex(hmac(hmac(piiKey, "beamline pii hash v1"), "hannah.schmidt@example.com"));
    byte[] encryptKey = hmac(piiKey, "beamline pii encrypt v1");
    PAssert.that(values)
        .satisfies(
            rows -> {
              String text = rows.iterator().next();
              assertThat(text, not(containsString("Hannah")));
              assertThat(text, not(containsString("Schmidt")));
              assertThat(text, not(containsString("hannah")));
              JsonNode row = json(text);
              assertThat(row.get("email").asText(), is(email));
              assertThat(openAesGcm(encryptKey, row.get("name_first").asText(), "acme"), is("Hannah"));
              assertThat(openAesGcm(encryptKey, row.get("name_last").asText(), "acme"), is("Schmidt"));
              assertThat(row.get("customer_id").asText(), is("C-7"));
              return null;
            });
  }

  // ---- helpers -----------------------------------------------------------------------------

  private static ValidatedEvent person(
      String eventId, String tenant, String id, String email, String name, String city) {
    Envelope e = Envelopes.envelope().eventId(eventId).tenant(tenant).table("people").toEnvelope();
    ObjectNode values = Json.MAPPER.createObjectNode();
    values.put("person_id", id);
    values.put("email", email);
    values.put("name", name);
    values.put("city", city);
    values.putNull("_extra");
    return new ValidatedEvent(
        e,
        List.of(new EtlRow("shop", "people", tenant, eventId, e.eventTimeMillis(), values.toString())));
  }

  private static WithFailures.Result<PCollection<ValidatedEvent>, DeadLetter> protect(
      TestPipeline p, ValidatedEvent... events) {
    return p.apply("Events", Create.of(Arrays.asList(events)))
        .apply("Protect", ProtectPersonalData.with(KEYRING, SCHEMAS));
  }

  /** Each row's values, with its tenant added as "_tenant" so tests can tell rows apart. */
  private static FlatMapElements<ValidatedEvent, String> valuesOfRows() {
    return FlatMapElements.into(TypeDescriptors.strings())
        .via(
            (ValidatedEvent ev) -> {
              List<String> out = new ArrayList<>();
              for (EtlRow r : ev.rows()) {
                ObjectNode v = (ObjectNode) json(r.valuesJson());
                v.put("_tenant", r.tenant());
                out.add(v.toString());
              }
              return out;
            });
  }

  private static JsonNode only(Iterable<String> rows) {
    List<String> all = new ArrayList<>();
    rows.forEach(all::add);
    assertThat(all.size(), is(1));
    return json(all.get(0));
  }

  private static JsonNode json(String text) {
    try {
      return Json.MAPPER.readTree(text);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static PersonalDataCipher newCipher() {
    try {
      return new PersonalDataCipher(KEYRING);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static byte[] hmac(byte[] key, String message) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(message.getBytes(StandardCharsets.UTF_8));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static String openAesGcm(byte[] key, String base64, String aad) {
    try {
      byte[] sealed = Base64.getDecoder().decode(base64);
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, sealed, 0, 12));
      c.updateAAD(aad.getBytes(StandardCharsets.UTF_8));
      return new String(c.doFinal(sealed, 12, sealed.length - 12), StandardCharsets.UTF_8);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
