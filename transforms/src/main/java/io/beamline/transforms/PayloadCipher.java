package io.beamline.transforms;

import io.beamline.transforms.model.DeadLetterReason;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HashMap;
import java.util.Map;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Decrypts envelope payloads. Not thread-safe: one per DoFn instance, created in {@code @Setup},
 * so the Cipher and key specs are built once, not per element.
 */
final class PayloadCipher {
  static final String TRANSFORMATION = "AES/GCM/NoPadding";
  static final int IV_BYTES = 12;
  static final int TAG_BITS = 128;

  private final Keyring keyring;
  private final Cipher cipher;
  private final Map<String, SecretKeySpec> specs = new HashMap<>();

  PayloadCipher(Keyring keyring) throws GeneralSecurityException {
    this.keyring = keyring;
    this.cipher = Cipher.getInstance(TRANSFORMATION);
  }

  /**
   * Decrypts {@code iv || ciphertext || tag}; the event id must match the one sealed in, and a key
   * scoped to a tenant opens only that tenant's records.
   */
  byte[] decrypt(String keyId, String tenant, String eventId, byte[] sealed)
      throws RejectedRecordException {
    SecretKeySpec spec = specs.computeIfAbsent(keyId, this::specFor);
    if (spec == null) {
      throw new RejectedRecordException(
          DeadLetterReason.UNKNOWN_KEY,
          "key_id is not in the keyring");
    }
    String scope = keyring.tenantOf(keyId);
    if (scope != null && !scope.equals(tenant)) {
      // Never tried: a tenant's key must not open another tenant's data, even if it would.
      throw new RejectedRecordException(
          DeadLetterReason.DECRYPT_FAILED,
          "key_id is scoped to another tenant");
    }
    if (sealed.length < IV_BYTES + TAG_BITS / 8) {
      throw new RejectedRecordException(
          DeadLetterReason.DECRYPT_FAILED,
          "payload is shorter than iv and tag");
    }
    try {
      cipher.init(
          Cipher.DECRYPT_MODE, spec, new GCMParameterSpec(TAG_BITS, sealed, 0, IV_BYTES));
      cipher.updateAAD(eventId.getBytes(StandardCharsets.UTF_8));
      return cipher.doFinal(sealed, IV_BYTES, sealed.length - IV_BYTES);
    } catch (AEADBadTagException e) {
      throw new RejectedRecordException(
          DeadLetterReason.DECRYPT_FAILED,
          "authentication failed: wrong key, tampered payload or payload of another event_id");
    } catch (GeneralSecurityException e) {
      throw new RejectedRecordException(
          DeadLetterReason.DECRYPT_FAILED,
          "cannot decrypt: " + e.getClass().getSimpleName());
    }
  }

  private SecretKeySpec specFor(String keyId) {
    byte[] key = keyring.key(keyId);
    return key == null ? null : new SecretKeySpec(key, "AES");
  }
}
