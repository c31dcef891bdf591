package io.beamline.benchmarks.baseline;

import com.fasterxml.jackson.databind.JsonNode;
import io.beamline.transforms.Json;
import io.beamline.transforms.Keyring;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * The key bytes of a keyring file. The file is first loaded and checked by Beamline's {@link
 * Keyring#load} (same format, same errors); Keyring keeps its bytes to its own package, so they are
 * read here again from the checked file. Never prints a key: {@link #toString()} names ids only.
 */
final class KeyringKeys {
  private record Entry(byte[] key, String tenant, boolean pii) {}

  private final Map<String, Entry> byId = new HashMap<>();
  private final Map<String, byte[]> piiByTenant = new HashMap<>();

  static KeyringKeys load(Path path) {
    Keyring.load(path);
    try {
      return new KeyringKeys(Json.MAPPER.readTree(Files.readString(path)));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read --keyringPath " + path, e);
    }
  }

  private KeyringKeys(JsonNode root) {
    for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      JsonNode v = e.getValue();
      JsonNode keyText = v.isObject() ? v.path("key") : v;
      String tenant = v.isObject() && v.hasNonNull("tenant") ? v.get("tenant").asText() : null;
      boolean pii = v.isObject() && "pii".equals(v.path("purpose").asText("payload"));
      byte[] key = Base64.getDecoder().decode(keyText.asText());
      byId.put(e.getKey(), new Entry(key, tenant, pii));
      if (pii) {
        piiByTenant.put(tenant, key);
      }
    }
  }

  /** The payload key of an id, or null when the id is unknown or names a pii key. */
  byte[] payloadKey(String keyId) {
    Entry e = byId.get(keyId);
    return e == null || e.pii() ? null : e.key();
  }

  /** The tenant a payload key is scoped to, or null when every tenant may use it. */
  String tenantOf(String keyId) {
    Entry e = byId.get(keyId);
    return e == null ? null : e.tenant();
  }

  /** The pii key of a tenant, or null. */
  byte[] piiKey(String tenant) {
    return piiByTenant.get(tenant);
  }

  @Override
  public String toString() {
    return "KeyringKeys" + new java.util.TreeSet<>(byId.keySet());
  }
}
