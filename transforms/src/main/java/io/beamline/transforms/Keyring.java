package io.beamline.transforms;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Key id to AES-256 key, each key with a purpose ({@code payload}: decrypts envelope payloads;
 * {@code pii}: protects a tenant's personal-data fields) and optionally scoped to one tenant.
 * Loaded once before the pipeline starts and shipped inside the DoFns that use it; {@link
 * #toString()} and every error message name key ids and tenants only, never key bytes.
 */
public final class Keyring implements Serializable {
  private static final long serialVersionUID = 2L;
  private static final Pattern TENANT = Pattern.compile("[a-z0-9_]{1,64}");
  private static final Set<String> ENTRY_FIELDS = Set.of("key", "tenant", "purpose");
  static final String PAYLOAD = "payload";
  static final String PII = "pii";

  /** One key of the keyring: its bytes, the tenant it is scoped to (null: every tenant), its purpose. */
  private static final class Entry implements Serializable {
    private static final long serialVersionUID = 1L;
    final byte[] key;
    final String tenant;
    final String purpose;

    Entry(byte[] key, String tenant, String purpose) {
      this.key = key;
      this.tenant = tenant;
      this.purpose = purpose;
    }

    boolean isPii() {
      return PII.equals(purpose);
    }
  }

  private final Map<String, Entry> entries;

  private Keyring(Map<String, Entry> entries) {
    this.entries = entries;
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
    Map<String, Entry> entries = new LinkedHashMap<>();
    Map<String, String> piiIdByTenant = new HashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      Entry entry = entry(e.getKey(), e.getValue(), origin);
      if (entry.isPii()) {
        String other = piiIdByTenant.put(entry.tenant, e.getKey());
        if (other != null) {
          throw new IllegalArgumentException(
              origin + ": keys '" + other + "' and '" + e.getKey() + "' are both the pii key of tenant "
                  + entry.tenant);
        }
      }
      entries.put(e.getKey(), entry);
    }
    return new Keyring(entries);
  }

  /** A plain string is a payload key for every tenant (the original format); an object says more. */
  private static Entry entry(String id, JsonNode value, String origin) {
    String where = origin + ": key '" + id + "'";
    JsonNode keyText = value;
    String tenant = null;
    String purpose = PAYLOAD;
    if (value.isObject()) {
      for (Iterator<String> names = value.fieldNames(); names.hasNext(); ) {
        String name = names.next();
        if (!ENTRY_FIELDS.contains(name)) {
          throw new IllegalArgumentException(where + ": unknown field '" + name + "'");
        }
      }
      keyText = value.path("key");
      if (value.has("tenant")) {
        tenant = value.get("tenant").asText("");
        if (!value.get("tenant").isTextual() || !TENANT.matcher(tenant).matches()) {
          throw new IllegalArgumentException(where + ": 'tenant' must match [a-z0-9_]{1,64}");
        }
      }
      if (value.has("purpose")) {
        purpose = value.get("purpose").asText("");
        if (!PAYLOAD.equals(purpose) && !PII.equals(purpose)) {
          throw new IllegalArgumentException(where + ": 'purpose' must be 'payload' or 'pii'");
        }
      }
      if (PII.equals(purpose) && tenant == null) {
        throw new IllegalArgumentException(where + ": a pii key needs a 'tenant'");
      }
    }
    byte[] key;
    try {
      key = Base64.getDecoder().decode(keyText.asText(""));
    } catch (IllegalArgumentException badBase64) {
      throw new IllegalArgumentException(where + " is not base64");
    }
    if (key.length != 32) {
      throw new IllegalArgumentException(where + " must be 32 bytes (AES-256)");
    }
    return new Entry(key, tenant, purpose);
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

  /** A keyring of fresh random payload keys for every tenant, for sample data and tests. */
  public static Keyring generate(Random random, String... keyIds) {
    Map<String, Entry> entries = new LinkedHashMap<>();
    for (String id : keyIds) {
      entries.put(id, new Entry(randomKey(random), null, PAYLOAD));
    }
    return new Keyring(entries);
  }

  /**
   * This keyring plus a fresh random pii key for each tenant that has none yet, under the id
   * {@code pii-<tenant>}.
   */
  public Keyring withPiiKeysFor(Random random, Collection<String> tenants) {
    Map<String, Entry> more = new LinkedHashMap<>(entries);
    for (String tenant : tenants) {
      if (piiEntryId(tenant) == null) {
        more.put("pii-" + tenant, new Entry(randomKey(random), tenant, PII));
      }
    }
    return new Keyring(more);
  }

  /** This keyring plus a fresh random payload key {@code id} usable only by {@code tenant}. */
  public Keyring withTenantKey(Random random, String id, String tenant) {
    Map<String, Entry> more = new LinkedHashMap<>(entries);
    more.put(id, new Entry(randomKey(random), tenant, PAYLOAD));
    return new Keyring(more);
  }

  private static byte[] randomKey(Random random) {
    byte[] key = new byte[32];
    random.nextBytes(key);
    return key;
  }

  /** The keyring file's JSON text. Holds the key bytes: write it only to the keyring file. */
  public String toFileJson() {
    ObjectNode root = Json.MAPPER.createObjectNode();
    for (Map.Entry<String, Entry> e : new TreeMap<>(entries).entrySet()) {
      String key = Base64.getEncoder().encodeToString(e.getValue().key);
      if (e.getValue().tenant == null && !e.getValue().isPii()) {
        root.put(e.getKey(), key);
      } else {
        ObjectNode entry = root.putObject(e.getKey());
        entry.put("key", key);
        entry.put("tenant", e.getValue().tenant);
        if (e.getValue().isPii()) {
          entry.put("purpose", PII);
        }
      }
    }
    return root.toPrettyString();
  }

  /**
   * Encrypts a payload as the envelope format wants it: base64 of {@code iv || ciphertext || tag},
   * AES-256-GCM with the event id as additional authenticated data.
   */
  public String encrypt(String keyId, String eventId, byte[] plaintext, Random ivSource) {
    byte[] key = key(keyId);
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

  /** The payload key for an id, or null when the id is unknown or names a pii key. */
  byte[] key(String keyId) {
    Entry e = entries.get(keyId);
    return e == null || e.isPii() ? null : e.key;
  }

  /** The tenant a payload key is scoped to, or null when every tenant may use it. */
  String tenantOf(String keyId) {
    Entry e = entries.get(keyId);
    return e == null ? null : e.tenant;
  }

  /** The pii key of a tenant, or null when the keyring has none for it. */
  byte[] piiKey(String tenant) {
    String id = piiEntryId(tenant);
    return id == null ? null : entries.get(id).key;
  }

  private String piiEntryId(String tenant) {
    for (Map.Entry<String, Entry> e : entries.entrySet()) {
      if (e.getValue().isPii() && e.getValue().tenant.equals(tenant)) {
        return e.getKey();
      }
    }
    return null;
  }

  /** Ids of the payload keys, scoped or not. */
  public Set<String> keyIds() {
    Set<String> ids = new TreeSet<>();
    entries.forEach((id, e) -> {
      if (!e.isPii()) {
        ids.add(id);
      }
    });
    return ids;
  }

  /** Ids of the payload keys every tenant may use. */
  public Set<String> sharedKeyIds() {
    Set<String> ids = new TreeSet<>();
    entries.forEach((id, e) -> {
      if (!e.isPii() && e.tenant == null) {
        ids.add(id);
      }
    });
    return ids;
  }

  /** Every id of the file, payload and pii keys. */
  public Set<String> allKeyIds() {
    return new TreeSet<>(entries.keySet());
  }

  /** Tenants that have a pii key. */
  public Set<String> piiTenants() {
    Set<String> tenants = new TreeSet<>();
    entries.values().forEach(e -> {
      if (e.isPii()) {
        tenants.add(e.tenant);
      }
    });
    return tenants;
  }

  @Override
  public String toString() {
    return "Keyring" + keyIds();
  }
}
