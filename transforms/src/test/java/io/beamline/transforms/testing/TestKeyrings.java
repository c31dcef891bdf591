package io.beamline.transforms.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.beamline.transforms.Json;
import io.beamline.transforms.Keyring;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Random;

/**
 * Deterministic keyrings for tests. {@link #keyring()} always holds the same two keys, "k1" and
 * "k2", generated from {@link #SEED}; {@link #foreignKeyring()} holds other keys under the same ids
 * (plus {@link #FOREIGN_ONLY_KEY_ID}), for "sealed with the wrong key" and "unknown key" cases.
 */
public final class TestKeyrings {
  /** Seed of {@link #keyring()}. */
  public static final long SEED = 20261120L;

  /** Seed of {@link #foreignKeyring()}. */
  public static final long FOREIGN_SEED = 19700101L;

  public static final String K1 = "k1";
  public static final String K2 = "k2";

  /** A key id that {@link #keyring()} does not hold but {@link #foreignKeyring()} does. */
  public static final String FOREIGN_ONLY_KEY_ID = "k9";

  private TestKeyrings() {}

  /** Tenants of the sample generator; {@link #keyring()} holds a pii key for each. */
  public static final List<String> PII_TENANTS = List.of("acme", "globex", "initech", "umbrella");

  /**
   * The test keyring: payload keys "k1" and "k2" for every tenant, and pii keys "pii-<tenant>" for
   * {@link #PII_TENANTS}; the same bytes on every call.
   */
  public static Keyring keyring() {
    Random random = new Random(SEED);
    return Keyring.generate(random, K1, K2).withPiiKeysFor(random, PII_TENANTS);
  }

  /** Other keys under the ids "k1", "k2" and "k9": decrypting their payloads with {@link #keyring()} fails. */
  public static Keyring foreignKeyring() {
    return Keyring.generate(new Random(FOREIGN_SEED), K1, K2, FOREIGN_ONLY_KEY_ID);
  }

  /** The keyring file text of {@link #keyring()}. Holds key bytes: tests only. */
  public static String keyringJson() {
    return keyring().toFileJson();
  }

  /**
   * A keyring with only some of {@link #keyring()}'s keys (same bytes), for example only "k2" to
   * test that retired keys are no longer accepted.
   */
  public static Keyring keyringWith(String... keyIds) {
    return Keyring.parse(subsetJson(keyIds), "TestKeyrings.keyringWith");
  }

  /** The base64 text of one of {@link #keyring()}'s keys (payload or pii), to check that it never leaks. */
  public static String keyBase64(String keyId) {
    JsonNode key = readKeyringJson().get(keyId);
    if (key == null) {
      throw new IllegalArgumentException("the test keyring has no key " + keyId);
    }
    return key.isObject() ? key.get("key").textValue() : key.textValue();
  }

  /** The raw bytes of a tenant's pii key in {@link #keyring()}. */
  public static byte[] piiKeyBytes(String tenant) {
    return keyBytes("pii-" + tenant);
  }

  /** The raw bytes of one of {@link #keyring()}'s keys. */
  public static byte[] keyBytes(String keyId) {
    return Base64.getDecoder().decode(keyBase64(keyId));
  }

  /** Writes {@link #keyringJson()} to {@code dir/keyring.json} and returns that path. */
  public static Path writeKeyringFile(Path dir) {
    return writeKeyringFile(dir.resolve("keyring.json"), keyringJson());
  }

  /** Writes keyring text to a file, for {@code --keyringPath}; returns the file. */
  public static Path writeKeyringFile(Path file, String json) {
    try {
      if (file.getParent() != null) {
        Files.createDirectories(file.getParent());
      }
      Files.writeString(file, json, StandardCharsets.UTF_8);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write test keyring " + file, e);
    }
  }

  /** A fresh, seeded source of IVs, so encrypted test data is the same on every run. */
  public static Random ivSource(long seed) {
    return new Random(seed);
  }

  private static String subsetJson(String... keyIds) {
    ObjectNode all = readKeyringJson();
    ObjectNode subset = Json.MAPPER.createObjectNode();
    for (String id : keyIds) {
      if (!all.has(id)) {
        throw new IllegalArgumentException("the test keyring has no key " + id);
      }
      subset.set(id, all.get(id));
    }
    return subset.toString();
  }

  private static ObjectNode readKeyringJson() {
    try {
      return (ObjectNode) Json.MAPPER.readTree(keyringJson());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
