package io.beamline.transforms.schema;

import java.util.Locale;

/** How a personal-data field ({@code "pii"} in a schema file) is protected before it is stored. */
public enum PiiProtection {
  /** Keyed HMAC-SHA256 as 64 lowercase hex digits: the same value of a tenant gives the same text. */
  HASH,
  /** AES-256-GCM, base64 of {@code nonce || ciphertext || tag}: revealed with the tenant's key. */
  ENCRYPT;

  /** The schema keyword's value: {@code hash} or {@code encrypt}. */
  public String keyword() {
    return name().toLowerCase(Locale.ROOT);
  }

  static PiiProtection parse(String keyword) {
    for (PiiProtection p : values()) {
      if (p.keyword().equals(keyword)) {
        return p;
      }
    }
    throw new IllegalArgumentException(keyword);
  }
}
