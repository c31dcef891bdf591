package io.beamline.io.jdbc;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * A salted PBKDF2-HMAC-SHA256 hash of a password, {@code pbkdf2-sha256$<iterations>$<salt>$<hash>}
 * (base64): enough to tell whether a password is the one a data directory was created with,
 * never enough to get it back. PostgreSQL keeps a similar verifier (SCRAM) in the same directory.
 */
final class PasswordCheck {
  private static final String PREFIX = "pbkdf2-sha256";
  private static final int ITERATIONS = 100_000;

  private PasswordCheck() {}

  static String create(String password) {
    byte[] salt = new byte[16];
    new SecureRandom().nextBytes(salt);
    return PREFIX + "$" + ITERATIONS + "$" + b64(salt) + "$" + b64(hash(password, salt, ITERATIONS));
  }

  /** Whether the password matches; true for a stored value this class cannot read. */
  static boolean matches(String stored, String password) {
    String[] parts = stored.split("\\$");
    if (parts.length != 4 || !parts[0].equals(PREFIX)) {
      return true; // not ours to judge: let the server decide
    }
    try {
      int iterations = Integer.parseInt(parts[1]);
      byte[] salt = Base64.getDecoder().decode(parts[2]);
      byte[] expected = Base64.getDecoder().decode(parts[3]);
      return MessageDigest.isEqual(expected, hash(password, salt, iterations));
    } catch (IllegalArgumentException e) {
      return true;
    }
  }

  private static byte[] hash(String password, byte[] salt, int iterations) {
    try {
      PBEKeySpec spec = new PBEKeySpec(password.toCharArray(), salt, iterations, 256);
      try {
        return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
      } finally {
        spec.clearPassword();
      }
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("PBKDF2WithHmacSHA256 is not available", e);
    }
  }

  private static String b64(byte[] bytes) {
    return new String(Base64.getEncoder().encode(bytes), StandardCharsets.US_ASCII);
  }
}
