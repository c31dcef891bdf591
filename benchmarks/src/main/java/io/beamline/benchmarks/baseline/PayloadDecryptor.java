package io.beamline.benchmarks.baseline;

import static io.beamline.transforms.model.DeadLetterReason.DECRYPT_FAILED;
import static io.beamline.transforms.model.DeadLetterReason.MALFORMED_JSON;
import static io.beamline.transforms.model.DeadLetterReason.OVERSIZED;
import static io.beamline.transforms.model.DeadLetterReason.UNKNOWN_KEY;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Opens encrypted payloads as Beamline's {@code DecryptPayload} does: base64 of {@code iv (12) ||
 * ciphertext || tag (16)}, AES-256-GCM, additional authenticated data = the event id's UTF-8
 * bytes, a tenant-scoped key only for its tenant, plaintext strict UTF-8. One Cipher and one
 * UTF-8 decoder per worker, key specs built once per key id. Not thread-safe.
 */
final class PayloadDecryptor {
  private static final int IV_BYTES = 12;
  private static final int TAG_BITS = 128;
  private static final int MAX_RECORD_BYTES = 1_048_576;

  private final KeyringKeys keys;
  private final Cipher cipher;
  private final Map<String, SecretKeySpec> specs = new HashMap<>();
  private final CharsetDecoder utf8 =
      StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT);

  PayloadDecryptor(KeyringKeys keys) throws GeneralSecurityException {
    this.keys = keys;
    this.cipher = Cipher.getInstance("AES/GCM/NoPadding");
  }

  /** The plaintext of the envelope's payload. */
  String decrypt(Envelope e) throws Rejection {
    String payload = e.payload;
    // Base64 holds 3 bytes in 4 characters: refuse before allocating the decoded bytes.
    if ((long) payload.length() / 4 * 3 > MAX_RECORD_BYTES) {
      throw new Rejection(
          OVERSIZED, "payload decodes to more than " + MAX_RECORD_BYTES + " bytes (--maxRecordBytes)");
    }
    byte[] sealed;
    try {
      sealed = Base64.getDecoder().decode(payload);
    } catch (IllegalArgumentException badBase64) {
      throw new Rejection(DECRYPT_FAILED, "payload is not valid base64");
    }
    SecretKeySpec spec = specs.get(e.keyId);
    if (spec == null) {
      byte[] key = keys.payloadKey(e.keyId);
      if (key == null) {
        throw new Rejection(UNKNOWN_KEY, "key_id is not in the keyring");
      }
      spec = new SecretKeySpec(key, "AES");
      specs.put(e.keyId, spec);
    }
    String scope = keys.tenantOf(e.keyId);
    if (scope != null && !scope.equals(e.tenant)) {
      throw new Rejection(DECRYPT_FAILED, "key_id is scoped to another tenant");
    }
    if (sealed.length < IV_BYTES + TAG_BITS / 8) {
      throw new Rejection(DECRYPT_FAILED, "payload is shorter than iv and tag");
    }
    byte[] plain;
    try {
      cipher.init(Cipher.DECRYPT_MODE, spec, new GCMParameterSpec(TAG_BITS, sealed, 0, IV_BYTES));
      cipher.updateAAD(e.eventId.getBytes(StandardCharsets.UTF_8));
      plain = cipher.doFinal(sealed, IV_BYTES, sealed.length - IV_BYTES);
    } catch (AEADBadTagException bad) {
      throw new Rejection(
          DECRYPT_FAILED,
          "authentication failed: wrong key, tampered payload or payload of another event_id");
    } catch (GeneralSecurityException bad) {
      throw new Rejection(DECRYPT_FAILED, "cannot decrypt: " + bad.getClass().getSimpleName());
    }
    return utf8OrReject(plain, 0, plain.length, "decrypted payload is not valid UTF-8");
  }

  /**
   * Strict UTF-8: the JDK's fast decoder first; only text that came out with a replacement
   * character is decoded again strictly to tell a real U+FFFD from broken bytes.
   */
  String utf8OrReject(byte[] bytes, int from, int length, String detail) throws Rejection {
    String text = new String(bytes, from, length, StandardCharsets.UTF_8);
    if (text.indexOf('\uFFFD') >= 0) {
      try {
        utf8.reset();
        utf8.decode(ByteBuffer.wrap(bytes, from, length));
      } catch (CharacterCodingException notUtf8) {
        throw new Rejection(MALFORMED_JSON, detail);
      }
    }
    return text;
  }
}
