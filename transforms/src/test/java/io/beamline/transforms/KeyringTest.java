package io.beamline.transforms;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.beamline.transforms.testing.TestKeyrings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.Random;
import org.apache.beam.sdk.util.SerializableUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyringTest {
  private static final String K1 = TestKeyrings.keyBase64("k1");
  private static final String K2 = TestKeyrings.keyBase64("k2");
  private static final byte[] PLAINTEXT = "{\"a\":1}".getBytes(StandardCharsets.UTF_8);

  @TempDir Path dir;

  // ---- accepted ----------------------------------------------------------------------------

  @Test
  void parsesEveryKeyIdOfTheFile() {
    Keyring keyring = Keyring.parse(TestKeyrings.keyringJson(), "keyring.json");

    assertThat(keyring.keyIds(), contains("k1", "k2"));
  }

  @Test
  void parsesTheSameKeyBytesItWrites() {
    Keyring parsed = Keyring.parse(TestKeyrings.keyringJson(), "keyring.json");

    assertThat(sealWith(parsed, "k1"), is(sealWith(TestKeyrings.keyring(), "k1")));
    assertThat(sealWith(parsed, "k2"), is(sealWith(TestKeyrings.keyring(), "k2")));
  }

  @Test
  void loadsTheKeyringFile() {
    Path file = TestKeyrings.writeKeyringFile(dir);

    Keyring loaded = Keyring.load(file);

    assertThat(loaded.keyIds(), contains("k1", "k2"));
    assertThat(sealWith(loaded, "k1"), is(sealWith(TestKeyrings.keyring(), "k1")));
  }

  @Test
  void generatesTheSameKeysFromTheSameSeed() {
    assertThat(
        Keyring.generate(new Random(7), "a", "b").toFileJson(),
        is(Keyring.generate(new Random(7), "a", "b").toFileJson()));
    assertThat(
        Keyring.generate(new Random(7), "a").toFileJson(),
        not(Keyring.generate(new Random(8), "a").toFileJson()));
  }

  @Test
  void survivesJavaSerializationAsPipelinesShipIt() {
    Keyring copy = SerializableUtils.clone(TestKeyrings.keyring());

    assertThat(sealWith(copy, "k2"), is(sealWith(TestKeyrings.keyring(), "k2")));
  }

  @Test
  void namesKeyIdsButNoKeyBytesInToString() {
    String text = TestKeyrings.keyring().toString();

    assertThat(text, is("Keyring[k1, k2]"));
  }

  // ---- tenant scopes and pii keys ---------------------------------------------------------

  private static final String KEY_A = Base64.getEncoder().encodeToString(new byte[32]);
  private static final String KEY_B =
      Base64.getEncoder().encodeToString("0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII));

  @Test
  void readsPayloadKeysScopedToATenantAndPiiKeysBesidePlainOnes() {
    Keyring keyring =
        Keyring.parse(
            "{\"k1\": \"" + KEY_A + "\","
                + " \"k-acme\": {\"key\": \"" + KEY_B + "\", \"tenant\": \"acme\"},"
                + " \"pii-acme\": {\"key\": \"" + KEY_B + "\", \"tenant\": \"acme\", \"purpose\": \"pii\"}}",
            "keyring.json");

    assertThat(keyring.keyIds(), contains("k-acme", "k1"));
    assertThat(keyring.sharedKeyIds(), contains("k1"));
    assertThat(keyring.allKeyIds(), contains("k-acme", "k1", "pii-acme"));
    assertThat(keyring.piiTenants(), contains("acme"));
    assertThat(keyring.tenantOf("k-acme"), is("acme"));
    assertThat(keyring.tenantOf("k1"), is(nullValue()));
    assertThat(keyring.key("pii-acme"), is(nullValue()));
    assertThat(Base64.getEncoder().encodeToString(keyring.piiKey("acme")), is(KEY_B));
    assertThat(keyring.piiKey("globex"), is(nullValue()));
  }

  @Test
  void writesScopedAndPiiKeysSoThatTheyReadBackTheSame() {
    Keyring keyring =
        TestKeyrings.keyring().withTenantKey(new Random(3), "k-globex", "globex");

    Keyring back = Keyring.parse(keyring.toFileJson(), "keyring.json");

    assertThat(back.toFileJson(), is(keyring.toFileJson()));
    assertThat(back.tenantOf("k-globex"), is("globex"));
    assertThat(back.piiTenants(), contains("acme", "globex", "initech", "umbrella"));
    assertThat(
        keyring.toFileJson(),
        containsString("\"pii-acme\" : {\n    \"key\" : \"" + TestKeyrings.keyBase64("pii-acme")
            + "\",\n    \"tenant\" : \"acme\",\n    \"purpose\" : \"pii\"\n  }"));
  }

  @Test
  void rejectsAPiiKeyWithoutATenant() {
    IllegalArgumentException e =
        parseFails("{\"pii\": {\"key\": \"" + KEY_A + "\", \"purpose\": \"pii\"}}");

    assertThat(e.getMessage(), is("keyring.json: key 'pii': a pii key needs a 'tenant'"));
  }

  @Test
  void rejectsTwoPiiKeysForOneTenant() {
    IllegalArgumentException e =
        parseFails(
            "{\"a\": {\"key\": \"" + KEY_A + "\", \"tenant\": \"acme\", \"purpose\": \"pii\"},"
                + " \"b\": {\"key\": \"" + KEY_B + "\", \"tenant\": \"acme\", \"purpose\": \"pii\"}}");

    assertThat(e.getMessage(), is("keyring.json: keys 'a' and 'b' are both the pii key of tenant acme"));
  }

  @Test
  void rejectsAnUnknownPurposeOrEntryField() {
    assertThat(
        parseFails("{\"a\": {\"key\": \"" + KEY_A + "\", \"purpose\": \"mac\"}}").getMessage(),
        is("keyring.json: key 'a': 'purpose' must be 'payload' or 'pii'"));
    assertThat(
        parseFails("{\"a\": {\"key\": \"" + KEY_A + "\", \"tenants\": \"acme\"}}").getMessage(),
        is("keyring.json: key 'a': unknown field 'tenants'"));
    assertThat(
        parseFails("{\"a\": {\"key\": \"" + KEY_A + "\", \"tenant\": \"Acme/..\"}}").getMessage(),
        is("keyring.json: key 'a': 'tenant' must match [a-z0-9_]{1,64}"));
  }

  @Test
  void rejectsAScopedKeyOfTheWrongLengthNamingOnlyItsId() {
    String short16 = Base64.getEncoder().encodeToString(new byte[16]);

    IllegalArgumentException e =
        parseFails("{\"a\": {\"key\": \"" + short16 + "\", \"tenant\": \"acme\"}}");

    assertThat(e.getMessage(), is("keyring.json: key 'a' must be 32 bytes (AES-256)"));
    assertThat(e.getMessage(), not(containsString(short16)));
  }

  // ---- rejected, never showing key bytes ---------------------------------------------------

  @Test
  void rejectsTextThatIsNotJsonWithoutQuotingIt() {
    String json = "{\"k1\": \"" + K1 + "\", \"k2\": \"" + K2 + "\",}";

    IllegalArgumentException e = parseFails(json);

    assertThat(e.getMessage(), is("keyring.json: keyring is not valid JSON"));
    assertNoKeyMaterial(e);
  }

  @Test
  void rejectsDuplicateKeyIds() {
    String json = "{\"k1\": \"" + K1 + "\", \"k1\": \"" + K2 + "\"}";

    IllegalArgumentException e = parseFails(json);

    assertThat(e.getMessage(), is("keyring.json: keyring is not valid JSON"));
    assertNoKeyMaterial(e);
  }

  @Test
  void rejectsJsonThatIsNotANonEmptyObject() {
    for (String json : new String[] {"{}", "[\"" + K1 + "\"]", "\"" + K1 + "\"", "null", ""}) {
      IllegalArgumentException e = parseFails(json);

      assertThat(e.getMessage(), is("keyring.json: keyring must be a non-empty JSON object"));
      assertNoKeyMaterial(e);
    }
  }

  @Test
  void rejectsKeyThatIsNotBase64NamingOnlyItsId() {
    String json = "{\"k1\": \"" + K1 + "\", \"k2\": \"" + K2.replace('A', '*') + "!\"}";

    IllegalArgumentException e = parseFails(json);

    assertThat(e.getMessage(), is("keyring.json: key 'k2' is not base64"));
    assertNoKeyMaterial(e);
  }

  @Test
  void rejectsKeyThatIsNot32BytesNamingOnlyItsId() {
    String short16 = Base64.getEncoder().encodeToString(
        Arrays.copyOf(TestKeyrings.keyBytes("k1"), 16));
    String long33 = Base64.getEncoder().encodeToString(
        Arrays.copyOf(TestKeyrings.keyBytes("k2"), 33));

    IllegalArgumentException tooShort = parseFails("{\"k1\": \"" + short16 + "\"}");
    IllegalArgumentException tooLong = parseFails("{\"k2\": \"" + long33 + "\"}");

    assertThat(tooShort.getMessage(), is("keyring.json: key 'k1' must be 32 bytes (AES-256)"));
    assertThat(tooLong.getMessage(), is("keyring.json: key 'k2' must be 32 bytes (AES-256)"));
    assertThat(tooShort.getMessage(), not(containsString(short16)));
    assertThat(tooLong.getMessage(), not(containsString(long33)));
    assertNoKeyMaterial(tooShort);
    assertNoKeyMaterial(tooLong);
  }

  @Test
  void rejectsKeyThatIsNotAString() {
    IllegalArgumentException e = parseFails("{\"k1\": 12345678}");

    assertThat(e.getMessage(), is("keyring.json: key 'k1' must be 32 bytes (AES-256)"));
  }

  @Test
  void rejectsMissingKeyringFileNamingTheOption() {
    Path missing = dir.resolve("nope.json");

    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Keyring.load(missing));

    assertThat(e.getMessage(), is("--keyringPath " + missing + " does not exist"));
  }

  @Test
  void rejectsDirectoryAsKeyringFile() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Keyring.load(dir));

    assertThat(e.getMessage(), is("--keyringPath " + dir + " is not a file"));
  }

  @Test
  void rejectsInvalidKeyringFileNamingTheOptionAndKeyIdOnly() throws IOException {
    String bad = Base64.getEncoder().encodeToString(
        Arrays.copyOf(TestKeyrings.keyBytes("k2"), 31));
    Path file = TestKeyrings.writeKeyringFile(
        dir.resolve("keyring.json"), "{\"k1\": \"" + K1 + "\", \"k2\": \"" + bad + "\"}");

    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Keyring.load(file));

    assertThat(
        e.getMessage(), is("--keyringPath " + file + ": key 'k2' must be 32 bytes (AES-256)"));
    assertThat(e.getMessage(), not(containsString(bad)));
    assertNoKeyMaterial(e);
    assertThat(Files.readString(file), containsString(K1));
  }

  @Test
  void refusesToEncryptWithAnUnknownKeyIdNamingOnlyTheId() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> TestKeyrings.keyring().encrypt("k9", "evt-1", PLAINTEXT, new Random(1)));

    assertThat(e.getMessage(), is("unknown key id k9"));
  }

  // ---- helpers -----------------------------------------------------------------------------

  private static String sealWith(Keyring keyring, String keyId) {
    return keyring.encrypt(keyId, "evt-1", PLAINTEXT, new Random(99));
  }

  private static IllegalArgumentException parseFails(String json) {
    return assertThrows(IllegalArgumentException.class, () -> Keyring.parse(json, "keyring.json"));
  }

  /** Neither the message nor any cause holds a key's base64 or a piece of it. */
  private static void assertNoKeyMaterial(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      String text = String.valueOf(t.getMessage()) + " " + t;
      for (String key : new String[] {K1, K2}) {
        assertThat(text, not(containsString(key)));
        assertThat(text, not(containsString(key.substring(0, 8))));
        assertThat(text, not(containsString(key.substring(key.length() - 12, key.length() - 4))));
      }
    }
    assertThat(e.getCause(), is(nullValue()));
  }
}
