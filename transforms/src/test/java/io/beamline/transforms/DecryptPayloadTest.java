package io.beamline.transforms;

import static io.beamline.transforms.model.DeadLetterReason.DECRYPT_FAILED;
import static io.beamline.transforms.model.DeadLetterReason.MALFORMED_JSON;
import static io.beamline.transforms.model.DeadLetterReason.UNKNOWN_KEY;

import io.beamline.transforms.model.DeadLetter;
import io.beamline.transforms.model.DeadLetterReason;
import io.beamline.transforms.model.DecodedEvent;
import io.beamline.transforms.model.Envelope;
import io.beamline.transforms.testing.DeadLetterSummary;
import io.beamline.transforms.testing.Envelopes;
import io.beamline.transforms.testing.TestKeyrings;
import io.beamline.transforms.testing.TestPipelineExtension;
import io.beamline.transforms.testing.TestSchemas;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Random;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.WithFailures;
import org.apache.beam.sdk.values.PCollection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(TestPipelineExtension.class)
class DecryptPayloadTest {
  private static final String AUTH_FAILED =
      "authentication failed: wrong key, tampered payload or payload of another event_id";
  private static final Envelopes VALID = Envelopes.envelope();
  private static final String ORDER = TestSchemas.order("O-1").toString();

  // ---- decrypted ---------------------------------------------------------------------------

  @Test
  void decryptsPayloadWithTheKeyNamedByKeyId(TestPipeline p) {
    Envelope envelope = VALID.toEnvelope();

    WithFailures.Result<PCollection<DecodedEvent>, DeadLetter> decoded = decrypt(p, envelope);

    PAssert.that(decoded.output()).containsInAnyOrder(new DecodedEvent(envelope, ORDER));
    PAssert.that(decoded.failures()).empty();
  }

  @Test
  void decryptsWithEveryKeyOfTheKeyring(TestPipeline p) {
    Envelope withK1 = VALID.eventId("e-1").keyId("k1").toEnvelope();
    Envelope withK2 = VALID.eventId("e-2").keyId("k2").toEnvelope();

    WithFailures.Result<PCollection<DecodedEvent>, DeadLetter> decoded =
        decrypt(p, withK1, withK2);

    PAssert.that(decoded.output())
        .containsInAnyOrder(new DecodedEvent(withK1, ORDER), new DecodedEvent(withK2, ORDER));
    PAssert.that(decoded.failures()).empty();
  }

  @Test
  void decryptsNonAsciiUtf8Plaintext(TestPipeline p) {
    String plaintext = "{\"city\":\"Zürich\",\"note\":\"✓ 東京\"}";
    Envelope envelope = VALID.payload(plaintext).toEnvelope();

    WithFailures.Result<PCollection<DecodedEvent>, DeadLetter> decoded = decrypt(p, envelope);

    PAssert.that(decoded.output()).containsInAnyOrder(new DecodedEvent(envelope, plaintext));
  }

  @Test
  void passesUnencryptedPayloadThroughUnchanged(TestPipeline p) {
    Envelope envelope = VALID.unencrypted().payload("{\"order_id\":\"O-9\"}").toEnvelope();

    WithFailures.Result<PCollection<DecodedEvent>, DeadLetter> decoded = decrypt(p, envelope);

    PAssert.that(decoded.output())
        .containsInAnyOrder(new DecodedEvent(envelope, "{\"order_id\":\"O-9\"}"));
    PAssert.that(decoded.failures()).empty();
  }

  @Test
  void leavesJudgingTheDecryptedJsonToLaterStages(TestPipeline p) {
    Envelope envelope = VALID.payload("[\"not\", \"an object\"]").toEnvelope();

    WithFailures.Result<PCollection<DecodedEvent>, DeadLetter> decoded = decrypt(p, envelope);

    PAssert.that(decoded.output())
        .containsInAnyOrder(new DecodedEvent(envelope, "[\"not\", \"an object\"]"));
    PAssert.that(decoded.failures()).empty();
  }

  @Test
  void keepsDecryptingAfterAPayloadFailsAuthentication(TestPipeline p) {
    Envelope good1 = VALID.eventId("e-1").toEnvelope();
    Envelope bad = VALID.eventId("e-2").tamperTag().toEnvelope();
    Envelope good2 = VALID.eventId("e-3").keyId("k2").toEnvelope();
    Envelope unknown = VALID.eventId("e-4").keyring(TestKeyrings.foreignKeyring()).keyId("k9")
        .toEnvelope();
    Envelope good3 = VALID.eventId("e-5").toEnvelope();

    WithFailures.Result<PCollection<DecodedEvent>, DeadLetter> decoded =
        decrypt(p, good1, bad, good2, unknown, good3);

    PAssert.that(decoded.output())
        .containsInAnyOrder(
            new DecodedEvent(good1, ORDER),
            new DecodedEvent(good2, ORDER),
            new DecodedEvent(good3, ORDER));
    assertDeadLetters(
        decoded,
        dl(DECRYPT_FAILED, AUTH_FAILED, "e-2"),
        dl(UNKNOWN_KEY, "key_id is not in the keyring", "e-4"));
  }

  // ---- keys scoped to a tenant -------------------------------------------------------------

  /** The test keyring plus "k-globex", a payload key only tenant globex may use. */
  private static final Keyring SCOPED =
      TestKeyrings.keyring().withTenantKey(new Random(5), "k-globex", "globex");

  @Test
  void decryptsARecordOfTheTenantAKeyIsScopedTo(TestPipeline p) {
    Envelope globex =
        VALID.keyring(SCOPED).tenant("globex").keyId("k-globex").toEnvelope();

    WithFailures.Result<PCollection<DecodedEvent>, DeadLetter> decoded =
        p.apply(Create.of(globex)).apply(DecryptPayload.with(SCOPED));

    PAssert.that(decoded.output()).containsInAnyOrder(new DecodedEvent(globex, ORDER));
    PAssert.that(decoded.failures()).empty();
  }

  @Test
  void rejectsARecordOfOneTenantSealedWithAKeyScopedToAnother(TestPipeline p) {
    // Sealed with globex's key and correct in every byte: only the scope stops it.
    Envelope acme = VALID.keyring(SCOPED).tenant("acme").keyId("k-globex").toEnvelope();
    Envelope globex =
        VALID.keyring(SCOPED).eventId("e-2").tenant("globex").keyId("k-globex").toEnvelope();

    WithFailures.Result<PCollection<DecodedEvent>, DeadLetter> decoded =
        p.apply(Create.of(acme, globex)).apply(DecryptPayload.with(SCOPED));

    PAssert.that(decoded.output()).containsInAnyOrder(new DecodedEvent(globex, ORDER));
    assertDeadLetters(
        decoded, dl(DECRYPT_FAILED, "key_id is scoped to another tenant", "evt-0001"));
  }

  @Test
  void rejectsAPiiKeyNamedAsThePayloadKey(TestPipeline p) {
    Envelope envelope = VALID.keyId("pii-acme").sealedWithKeyId("k1").toEnvelope();

    WithFailures.Result<PCollection<DecodedEvent>, DeadLetter> decoded = decrypt(p, envelope);

    PAssert.that(decoded.output()).empty();
    assertDeadLetters(decoded, dl(UNKNOWN_KEY, "key_id is not in the keyring", "evt-0001"));
  }

  // ---- UNKNOWN_KEY -------------------------------------------------------------------------

  @Test
  void rejectsKeyIdThatIsNotInTheKeyring(TestPipeline p) {
    Envelope envelope = VALID.keyring(TestKeyrings.foreignKeyring()).keyId("k9").toEnvelope();

    WithFailures.Result<PCollection<DecodedEvent>, DeadLetter> decoded = decrypt(p, envelope);

    PAssert.that(decoded.output()).empty();
    assertDeadLetters(decoded, dl(UNKNOWN_KEY, "key_id is not in the keyring", "evt-0001"));
  }

  @Test
  void rejectsKeyRetiredFromTheKeyring(TestPipeline p) {
    Envelope sealedWithK1 = VALID.toEnvelope();

    WithFailures.Result<PCollection<DecodedEvent>, DeadLetter> decoded =
        p.apply(Create.of(sealedWithK1))
            .apply(DecryptPayload.with(TestKeyrings.keyringWith("k2")));

    PAssert.that(decoded.output()).empty();
    assertDeadLetters(decoded, dl(UNKNOWN_KEY, "key_id is not in the keyring", "evt-0001"));
  }

  @Test
  void deadLetterCarriesTheEnvelopeIdentityAndRawLine(TestPipeline p) {
    Envelopes unknownKey = VALID.keyring(TestKeyrings.foreignKeyring()).keyId("k9");

    PCollection<DeadLetter> deadLetters =
        decrypt(p, unknownKey.toEnvelope()).failures().apply(DeadLetterSummary.atTimeZero());

    PAssert.that(deadLetters)
        .containsInAnyOrder(
            DeadLetter.builder("decrypt", UNKNOWN_KEY, "key_id is not in the keyring")
                .raw(unknownKey.line())
                .eventId("evt-0001")
                .tenant("acme")
                .source("shop")
                .table("orders")
                .eventTimeMillis(unknownKey.eventTimeMillis())
                .build()
                .withRejectedAtMillis(0));
  }

  // ---- DECRYPT_FAILED ----------------------------------------------------------------------

  @Test
  void rejectsTamperedCiphertext(TestPipeline p) {
    WithFailures.Result<PCollection<DecodedEvent>, DeadLetter> decoded =
        decrypt(p, VALID.tamperCiphertext().toEnvelope());

    PAssert.that(decoded.output()).empty();
    assertDeadLetters(decoded, dl(DECRYPT_FAILED, AUTH_FAILED, "evt-0001"));
  }

  @Test
  void rejectsTamperedTag(TestPipeline p) {
    WithFailures.Result<PCollection<DecodedEvent>, DeadLetter> decoded =
        decrypt(p, VALID.tamperTag().toEnvelope());

    PAssert.that(decoded.output()).empty();
    assertDeadLetters(decoded, dl(DECRYPT_FAILED, AUTH_FAILED, "evt-0001"));
  }

  @Test
  void rejectsTamperedIv(TestPipeline p) {
    WithFailures.Result<PCollection<DecodedEvent>, DeadLetter> decoded =
        decrypt(p, VALID.tamperIv().toEnvelope());

    PAssert.that(decoded.output()).empty();
    assertDeadLetters(decoded, dl(DECRYPT_FAILED, AUTH_FAILED, "evt-0001"));
  }

  @Test
  void rejectsPayloadMovedToAnotherEventId(TestPipeline p) {
    // The payload sealed for evt-0001, copied into the envelope of evt-0002.
    Envelope moved = VALID.eventId("evt-0002").rawPayload(VALID.sealedPayload()).toEnvelope();

    WithFailures.Result<PCollection<DecodedEvent>, DeadLetter> decoded = decrypt(p, moved);

    PAssert.that(decoded.output()).empty();
    assertDeadLetters(decoded, dl(DECRYPT_FAILED, AUTH_FAILED, "evt-0002"));
  }

  @Test
  void rejectsPayloadSealedWithAnotherKeyUnderTheSameId(TestPipeline p) {
    WithFailures.Result<PCollection<DecodedEvent>, DeadLetter> decoded =
        decrypt(p, VALID.keyring(TestKeyrings.foreignKeyring()).toEnvelope());

    PAssert.that(decoded.output()).empty();
    assertDeadLetters(decoded, dl(DECRYPT_FAILED, AUTH_FAILED, "evt-0001"));
  }

  @Test
  void rejectsPayloadSealedWithTheOtherKeyOfTheKeyring(TestPipeline p) {
    WithFailures.Result<PCollection<DecodedEvent>, DeadLetter> decoded =
        decrypt(p, VALID.keyId("k1").sealedWithKeyId("k2").toEnvelope());

    PAssert.that(decoded.output()).empty();
    assertDeadLetters(decoded, dl(DECRYPT_FAILED, AUTH_FAILED, "evt-0001"));
  }

  @Test
  void rejectsPayloadThatIsNotBase64(TestPipeline p) {
    WithFailures.Result<PCollection<DecodedEvent>, DeadLetter> decoded =
        decrypt(
            p,
            VALID.eventId("e-chars").rawPayload("not base64!").toEnvelope(),
            VALID.eventId("e-url").rawPayload("a-_b").toEnvelope(),
            VALID.eventId("e-newline")
                .rawPayload(VALID.sealedPayload().substring(0, 8) + "\n"
                    + VALID.sealedPayload().substring(8))
                .toEnvelope());

    PAssert.that(decoded.output()).empty();
    assertDeadLetters(
        decoded,
        dl(DECRYPT_FAILED, "payload is not valid base64", "e-chars"),
        dl(DECRYPT_FAILED, "payload is not valid base64", "e-url"),
        dl(DECRYPT_FAILED, "payload is not valid base64", "e-newline"));
  }

  @Test
  void rejectsPayloadShorterThanIvAndTag(TestPipeline p) {
    String twentySevenBytes = Base64.getEncoder().encodeToString(new byte[27]);

    WithFailures.Result<PCollection<DecodedEvent>, DeadLetter> decoded =
        decrypt(p, VALID.rawPayload(twentySevenBytes).toEnvelope());

    PAssert.that(decoded.output()).empty();
    assertDeadLetters(decoded, dl(DECRYPT_FAILED, "payload is shorter than iv and tag", "evt-0001"));
  }

  @Test
  void rejectsPayloadOfIvAndTagOnlyThatFailsAuthentication(TestPipeline p) {
    String twentyEightBytes = Base64.getEncoder().encodeToString(new byte[28]);

    WithFailures.Result<PCollection<DecodedEvent>, DeadLetter> decoded =
        decrypt(p, VALID.rawPayload(twentyEightBytes).toEnvelope());

    PAssert.that(decoded.output()).empty();
    assertDeadLetters(decoded, dl(DECRYPT_FAILED, AUTH_FAILED, "evt-0001"));
  }

  // ---- MALFORMED_JSON ----------------------------------------------------------------------

  @Test
  void rejectsDecryptedPlaintextThatIsNotUtf8AsMalformedJson(TestPipeline p) {
    byte[] latin1 = "{\"city\":\"Zürich\"}".getBytes(StandardCharsets.ISO_8859_1);

    WithFailures.Result<PCollection<DecodedEvent>, DeadLetter> decoded =
        decrypt(p, VALID.payloadBytes(latin1).toEnvelope());

    PAssert.that(decoded.output()).empty();
    assertDeadLetters(
        decoded, dl(MALFORMED_JSON, "decrypted payload is not valid UTF-8", "evt-0001"));
  }

  // ---- OVERSIZED ---------------------------------------------------------------------------

  @Test
  void payloadDecodingToAtMostMaxRecordBytesIsDecrypted(TestPipeline p) {
    Envelope envelope = VALID.toEnvelope();
    int decodedBytes = envelope.payload().length() / 4 * 3;

    WithFailures.Result<PCollection<DecodedEvent>, DeadLetter> decoded =
        p.apply(Create.of(envelope))
            .apply(
                DecryptPayload.with(TestKeyrings.keyring())
                    .withLimits(RecordLimits.defaults().withMaxRecordBytes(decodedBytes)));

    PAssert.that(decoded.output()).containsInAnyOrder(new DecodedEvent(envelope, ORDER));
    PAssert.that(decoded.failures()).empty();
  }

  @Test
  void payloadDecodingToMoreThanMaxRecordBytesIsOversizedBeforeDecoding(TestPipeline p) {
    Envelope envelope = VALID.toEnvelope();
    int limit = envelope.payload().length() / 4 * 3 - 1;

    WithFailures.Result<PCollection<DecodedEvent>, DeadLetter> decoded =
        p.apply(Create.of(envelope))
            .apply(
                DecryptPayload.with(TestKeyrings.keyring())
                    .withLimits(RecordLimits.defaults().withMaxRecordBytes(limit)));

    PAssert.that(decoded.output()).empty();
    assertDeadLetters(
        decoded,
        dl(
            DeadLetterReason.OVERSIZED,
            "payload decodes to more than " + limit + " bytes (--maxRecordBytes)",
            "evt-0001"));
  }

  // ---- helpers -----------------------------------------------------------------------------

  private static WithFailures.Result<PCollection<DecodedEvent>, DeadLetter> decrypt(
      TestPipeline p, Envelope... envelopes) {
    return p.apply("Envelopes", Create.of(Arrays.asList(envelopes)))
        .apply("Decrypt", DecryptPayload.with(TestKeyrings.keyring()));
  }

  private static void assertDeadLetters(
      WithFailures.Result<PCollection<DecodedEvent>, DeadLetter> decoded, String... expected) {
    PAssert.that(decoded.failures().apply("Summaries", DeadLetterSummary.summarize()))
        .containsInAnyOrder(expected);
  }

  private static String dl(DeadLetterReason reason, String detail, String eventId) {
    return DeadLetterSummary.of("decrypt", reason, detail, eventId, "acme");
  }
}
