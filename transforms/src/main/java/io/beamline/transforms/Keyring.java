package io.beamline.transforms;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Random;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Key id to AES-256 key. Loaded once before the pipeline starts and shipped inside the decrypt
 * DoFn; {@link #toString()} and every error message name key ids only, never key bytes.
 */
public final class Keyring implements Serializable {
  private static final long serialVersionUID = 1L;
  private final Map<String, byte[]> keys;

  private Keyring(Map<String, byte[]> keys) {
    this.keys = keys;
  }

  /** Parses a keyring file's JSON; {@code origin} names it in error messages. */
  public static Keyring parse(String json, String origin) {
    JsonNode root;
    try {
      root = Json.MAPPER.readTree(json);
    } catch (IOException e) {
      throw new IllegalArgumentException(origin + ": keyring is not valid JSON");
    }
    if (root == null || !root.isObject() || root.isEmpty()) {
      throw new IllegalArgumentException(origin + ": keyring must be a non-empty JSON object");
    }
    Map<String, byte[]> keys = new HashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      byte[] key;
      try {
        key = Base64.getDecoder().decode(e.getValue().asText(""));
      } catch (IllegalArgumentException badBase64) {
        throw new IllegalArgumentException(origin + ": key '" + e.getKey() + "' is not base64");
      }
      if (key.length != 32) {
        throw new IllegalArgumentException(
            origin + ": key '" + e.getKey() + "' must be 32 bytes (AES-256)");
      }
      keys.put(e.getKey(), key);
    }
    return new Keyring(keys);
  }

  /** Loads {@code --keyringPath}; fails naming the option when the file is missing or bad. */
  public static Keyring load(Path path) {
    if (!Files.exists(path)) {
      throw new IllegalArgumentException("--keyringPath " + path + " does not exist");
    }
    if (!Files.isRegularFile(path)) {
      throw new IllegalArgumentException("--keyringPath " + path + " is not a file");
    }
    try {
      return parse(Files.readString(path), "--keyringPath " + path);
    } catch (IOException e) {
      throw new IllegalArgumentException("--keyringPath " + path + " cannot be read");
    }
  }

  /** A keyring of fresh random keys, for sample data and tests. */
  public static Keyring generate(Random random, String... keyIds) {
    Map<String, byte[]> keys = new HashMap<>();
    for (String id : keyIds) {
      byte[] key = new byte[32];
      random.nextBytes(key);
      keys.put(id, key);
    }
    return new Keyring(keys);
  }

  /** The keyring file's JSON text. Holds the key bytes: write it only to the keyring file. */
  public String toFileJson() {
    ObjectNode root = Json.MAPPER.createObjectNode();
    for (String id : keyIds()) {
      root.put(id, Base64.getEncoder().encodeToString(keys.get(id)));
    }
    return root.toPrettyString();
  }

  /**
   * Encrypts a payload as the envelope format wants it: base64 of {@code iv || ciphertext || tag},
   * AES-256-GCM with the event id as additional authenticated data.
   */
  public String encrypt(String keyId, String eventId, byte[] plaintext, Random ivSource) {
    byte[] key = keys.get(keyId);
    if (key == null) {
      throw new IllegalArgumentException("unknown key id " + keyId);
    }
    try {
      byte[] iv = new byte[PayloadCipher.IV_BYTES];
      ivSource.nextBytes(iv);
      Cipher cipher = Cipher.getInstance(PayloadCipher.TRANSFORMATION);
      cipher.init(
          Cipher.ENCRYPT_MODE,
          new SecretKeySpec(key, "AES"),
          new GCMParameterSpec(PayloadCipher.TAG_BITS, iv));
      cipher.updateAAD(eventId.getBytes(StandardCharsets.UTF_8));
      byte[] sealed = cipher.doFinal(plaintext);
      byte[] out = new byte[iv.length + sealed.length];
      System.arraycopy(iv, 0, out, 0, iv.length);
      System.arraycopy(sealed, 0, out, iv.length, sealed.length);
      return Base64.getEncoder().encodeToString(out);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM encryption failed for key id " + keyId);
    }
  }

  /** The key for an id, or null when the id is unknown. */
  byte[] key(String keyId) {
    return keys.get(keyId);
  }

  public Set<String> keyIds() {
    return new TreeSet<>(keys.keySet());
  }

  @Override
  public String toString() {
    return "Keyring" + keyIds();
  }
}
