package io.beamline.benchmarks.baseline;

import static io.beamline.transforms.model.DeadLetterReason.UNKNOWN_KEY;

import io.beamline.transforms.schema.PiiProtection;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Replaces the values of a row's pii columns as Beamline's {@code ProtectPersonalData} does (the
 * formulas of docs/FORMATS.md, "Personal data"): {@code hash} = hex of HMAC(HMAC(K, "beamline pii
 * hash v1"), value); {@code encrypt} = base64 of nonce || AES-256-GCM(HMAC(K, "beamline pii
 * encrypt v1")) with the tenant as additional data and a nonce derived from event, table, row,
 * field and value. Beamline's own cipher class is package-private; this one keeps a Mac pair and a
 * Cipher per worker, the derived keys per tenant, so no crypto object is built per record.
 */
final class PersonalDataProtector {
  private static final String HMAC = "HmacSHA256";

  private final KeyringKeys keys;
  private final Cipher cipher;
  /** Per tenant its derived keys; a tenant without a pii key maps to {@link #NO_KEY}. */
  private final Map<String, TenantKeys> byTenant = new HashMap<>();
  private static final TenantKeys NO_KEY = new TenantKeys();

  private static final class TenantKeys {
    final Mac hash;
    final Mac nonce;
    final SecretKeySpec encrypt;

    TenantKeys() {
      hash = null;
      nonce = null;
      encrypt = null;
    }

    TenantKeys(byte[] piiKey) throws GeneralSecurityException {
      hash = mac(derive(piiKey, "beamline pii hash v1"));
      nonce = mac(derive(piiKey, "beamline pii nonce v1"));
      encrypt = new SecretKeySpec(derive(piiKey, "beamline pii encrypt v1"), "AES");
    }
  }

  private TenantKeys lastKeys;
  private byte[] lastNonce;
  private byte[] lastPlain;
  private String lastText;

  PersonalDataProtector(KeyringKeys keys) throws GeneralSecurityException {
    this.keys = keys;
    this.cipher = Cipher.getInstance("AES/GCM/NoPadding");
  }

  /** Protects the row's pii columns in place (values already validated). */
  void protect(FlatRow row, Envelope e) throws Rejection {
    TablePlan plan = row.plan;
    if (plan.piiPositions.length == 0) {
      return;
    }
    TenantKeys k = keysOf(e.tenant);
    if (k == NO_KEY) {
      throw new Rejection(UNKNOWN_KEY, plan.table() + ": no pii key for tenant " + e.tenant + " in the keyring");
    }
    for (int i = 0; i < plan.piiPositions.length; i++) {
      int at = plan.piiPositions[i];
      Object value = row.values[at];
      if (value == null) {
        continue;
      }
      String text = (String) value;
      row.values[at] = plan.piiModes[i] == PiiProtection.HASH
          ? HexFormat.of().formatHex(k.hash.doFinal(text.getBytes(StandardCharsets.UTF_8)))
          : encrypt(k, e.tenant, text, e.eventId, plan.table(), row.rowIndex, plan.columns[at].name());
    }
  }

  private String encrypt(TenantKeys k, String tenant, String value, String eventId, String table, int rowIndex, String field) {
    byte[] plain = value.getBytes(StandardCharsets.UTF_8);
    lengthPrefixed(k.nonce, eventId.getBytes(StandardCharsets.UTF_8));
    lengthPrefixed(k.nonce, table.getBytes(StandardCharsets.UTF_8));
    lengthPrefixed(k.nonce, Integer.toString(rowIndex).getBytes(StandardCharsets.UTF_8));
    lengthPrefixed(k.nonce, field.getBytes(StandardCharsets.UTF_8));
    lengthPrefixed(k.nonce, plain);
    byte[] nonce = Arrays.copyOf(k.nonce.doFinal(), 12);
    // As Beamline's cipher: the JDK refuses GCM's previous key and nonce, which a duplicate repeats.
    if (k == lastKeys && Arrays.equals(nonce, lastNonce) && Arrays.equals(plain, lastPlain)) {
      return lastText;
    }
    try {
      cipher.init(Cipher.ENCRYPT_MODE, k.encrypt, new GCMParameterSpec(128, nonce));
      cipher.updateAAD(tenant.getBytes(StandardCharsets.UTF_8));
      byte[] out = new byte[12 + cipher.getOutputSize(plain.length)];
      System.arraycopy(nonce, 0, out, 0, 12);
      cipher.doFinal(plain, 0, plain.length, out, 12);
      lastKeys = k;
      lastNonce = nonce;
      lastPlain = plain;
      lastText = Base64.getEncoder().encodeToString(out);
      return lastText;
    } catch (GeneralSecurityException ex) {
      throw new IllegalStateException("AES-GCM encryption of a pii value failed");
    }
  }

  private static void lengthPrefixed(Mac mac, byte[] bytes) {
    int n = bytes.length;
    mac.update((byte) (n >>> 24));
    mac.update((byte) (n >>> 16));
    mac.update((byte) (n >>> 8));
    mac.update((byte) n);
    mac.update(bytes);
  }

  private TenantKeys keysOf(String tenant) {
    TenantKeys k = byTenant.get(tenant);
    if (k == null) {
      byte[] piiKey = keys.piiKey(tenant);
      try {
        k = piiKey == null ? NO_KEY : new TenantKeys(piiKey);
      } catch (GeneralSecurityException ex) {
        throw new IllegalStateException("HMAC-SHA256 is not available");
      }
      byTenant.put(tenant, k);
    }
    return k;
  }

  private static byte[] derive(byte[] key, String label) throws GeneralSecurityException {
    return mac(key).doFinal(label.getBytes(StandardCharsets.UTF_8));
  }

  private static Mac mac(byte[] key) throws GeneralSecurityException {
    Mac mac = Mac.getInstance(HMAC);
    mac.init(new SecretKeySpec(key, HMAC));
    return mac;
  }
}
