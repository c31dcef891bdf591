package io.beamline.transforms;

import java.nio.ByteBuffer;
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
 * Hashes, encrypts and reveals personal-data values with a tenant's pii key. Three keys are
 * derived from it, one per use, as HMAC-SHA256(pii key, label): {@value #HASH_LABEL} keys the
 * hash, {@value #ENCRYPT_LABEL} is the AES-256-GCM key, {@value #NONCE_LABEL} keys the nonce.
 *
 * <p>The nonce is the first 12 bytes of an HMAC over the value and where it sits (event id,
 * table, row, field): as unpredictable as a random one, and two different values never share a
 * nonce, yet a rerun of the same input writes the same text, as every zone promises. Not
 * thread-safe: one per DoFn instance.
 */
final class PersonalDataCipher {
  static final String HASH_LABEL = "beamline pii hash v1";
  static final String ENCRYPT_LABEL = "beamline pii encrypt v1";
  static final String NONCE_LABEL = "beamline pii nonce v1";
  private static final String HMAC = "HmacSHA256";

  private final Keyring keyring;
  private final Map<String, TenantKeys> byTenant = new HashMap<>();
  private final Cipher cipher;
  // The JDK refuses to init GCM for encryption with the key and nonce of its previous init, which
  // a repeated value (a replayed or duplicate row) produces: its text is then the previous one.
  private String lastTenant;
  private byte[] lastNonce;
  private byte[] lastPlain;
  private String lastText;

  /** A tenant's derived keys; absent from the map's values when the tenant has no pii key. */
  private static final class TenantKeys {
    final Mac hash;
    final Mac nonce;
    final SecretKeySpec encrypt;

    TenantKeys(byte[] piiKey) throws GeneralSecurityException {
      this.hash = mac(derive(piiKey, HASH_LABEL));
      this.nonce = mac(derive(piiKey, NONCE_LABEL));
      this.encrypt = new SecretKeySpec(derive(piiKey, ENCRYPT_LABEL), "AES");
    }
  }

  PersonalDataCipher(Keyring keyring) throws GeneralSecurityException {
    this.keyring = keyring;
    this.cipher = Cipher.getInstance(PayloadCipher.TRANSFORMATION);
  }

  /** Whether the keyring holds a pii key for the tenant. */
  boolean hasKeyFor(String tenant) {
    return keys(tenant) != null;
  }

  /** HMAC-SHA256 of the value's UTF-8 bytes, as 64 lowercase hex digits. */
  String hash(String tenant, String value) {
    TenantKeys k = required(tenant);
    return HexFormat.of().formatHex(k.hash.doFinal(value.getBytes(StandardCharsets.UTF_8)));
  }

  /**
   * AES-256-GCM with additional authenticated data = the tenant's UTF-8 bytes, so a value moved to
   * another tenant does not open; base64 of {@code nonce (12) || ciphertext || tag (16)}.
   */
  String encrypt(String tenant, String value, String... where) {
    TenantKeys k = required(tenant);
    byte[] plain = value.getBytes(StandardCharsets.UTF_8);
    for (String part : where) {
      k.nonce.update(lengthPrefixed(part.getBytes(StandardCharsets.UTF_8)));
    }
    byte[] nonce = Arrays.copyOf(k.nonce.doFinal(lengthPrefixed(plain)), PayloadCipher.IV_BYTES);
    if (tenant.equals(lastTenant) && Arrays.equals(nonce, lastNonce) && Arrays.equals(plain, lastPlain)) {
      return lastText;
    }
    try {
      cipher.init(Cipher.ENCRYPT_MODE, k.encrypt, new GCMParameterSpec(PayloadCipher.TAG_BITS, nonce));
      cipher.updateAAD(tenant.getBytes(StandardCharsets.UTF_8));
      byte[] sealed = cipher.doFinal(plain);
      byte[] out = new byte[nonce.length + sealed.length];
      System.arraycopy(nonce, 0, out, 0, nonce.length);
      System.arraycopy(sealed, 0, out, nonce.length, sealed.length);
      String text = Base64.getEncoder().encodeToString(out);
      lastTenant = tenant;
      lastNonce = nonce;
      lastPlain = plain;
      lastText = text;
      return text;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM encryption of a pii value failed", e);
    }
  }

  /** The plaintext of {@link #encrypt}'s text; fails without quoting the text or the key. */
  String reveal(String tenant, String text) {
    TenantKeys k = required(tenant);
    byte[] sealed;
    try {
      sealed = Base64.getDecoder().decode(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("the value is not base64");
    }
    if (sealed.length < PayloadCipher.IV_BYTES + PayloadCipher.TAG_BITS / 8) {
      throw new IllegalArgumentException("the value is shorter than nonce and tag");
    }
    try {
      cipher.init(
          Cipher.DECRYPT_MODE,
          k.encrypt,
          new GCMParameterSpec(PayloadCipher.TAG_BITS, sealed, 0, PayloadCipher.IV_BYTES));
      cipher.updateAAD(tenant.getBytes(StandardCharsets.UTF_8));
      byte[] plain =
          cipher.doFinal(sealed, PayloadCipher.IV_BYTES, sealed.length - PayloadCipher.IV_BYTES);
      return new String(plain, StandardCharsets.UTF_8);
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException(
          "the value does not open with tenant " + tenant + "'s pii key (another tenant's, or altered)");
    }
  }

  private TenantKeys required(String tenant) {
    TenantKeys k = keys(tenant);
    if (k == null) {
      throw new IllegalArgumentException("the keyring has no pii key for tenant " + tenant);
    }
    return k;
  }

  private TenantKeys keys(String tenant) {
    return byTenant.computeIfAbsent(
        tenant,
        t -> {
          byte[] piiKey = keyring.piiKey(t);
          if (piiKey == null) {
            return null;
          }
          try {
            return new TenantKeys(piiKey);
          } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is not available", e);
          }
        });
  }

  static byte[] derive(byte[] key, String label) throws GeneralSecurityException {
    return mac(key).doFinal(label.getBytes(StandardCharsets.UTF_8));
  }

  private static Mac mac(byte[] key) throws GeneralSecurityException {
    Mac mac = Mac.getInstance(HMAC);
    mac.init(new SecretKeySpec(key, HMAC));
    return mac;
  }

  private static byte[] lengthPrefixed(byte[] bytes) {
    return ByteBuffer.allocate(4 + bytes.length).putInt(bytes.length).put(bytes).array();
  }
}
