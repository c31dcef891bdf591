package io.beamline.transforms;

import java.security.GeneralSecurityException;

/**
 * Opens the values {@link ProtectPersonalData} encrypted ({@code "pii": "encrypt"}), given the
 * keyring that protected them and the row's tenant; the {@code reveal} command is built on it.
 * Hashed values cannot be revealed: compare them with {@link #hash} of a candidate instead. Not
 * thread-safe.
 */
public final class RevealPersonalData {
  private final PersonalDataCipher cipher;

  private RevealPersonalData(Keyring keyring) {
    try {
      this.cipher = new PersonalDataCipher(keyring);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is not available", e);
    }
  }

  public static RevealPersonalData with(Keyring keyring) {
    return new RevealPersonalData(keyring);
  }

  /**
   * The plaintext of an encrypted value of {@code tenant}. Throws {@link IllegalArgumentException}
   * (quoting neither value nor key) when the keyring has no pii key for the tenant, or the text
   * is not one of that tenant's encrypted values.
   */
  public String reveal(String tenant, String encrypted) {
    return cipher.reveal(tenant, encrypted);
  }

  /** What {@code "pii": "hash"} stores for {@code value} of {@code tenant}: to look a value up. */
  public String hash(String tenant, String value) {
    return cipher.hash(tenant, value);
  }
}
