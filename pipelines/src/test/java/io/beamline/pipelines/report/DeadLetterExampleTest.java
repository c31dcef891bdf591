package io.beamline.pipelines.report;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

import io.beamline.transforms.model.DeadLetter;
import io.beamline.transforms.model.DeadLetterReason;
import io.beamline.transforms.testing.TestKeyrings;
import org.junit.jupiter.api.Test;

class DeadLetterExampleTest {
  private static final String KEY = TestKeyrings.keyBase64(TestKeyrings.K1);
  /** Base64 of an iv, ciphertext and tag, as an encrypted payload is. */
  private static final String CIPHERTEXT = "q83vEjRWeJq8ZmVkY2JhOTg3NjU0MzIxMEFCQ0RFRkdISUpL+/Zz0w==";

  private static DeadLetter letter(String detail, String raw) {
    return DeadLetter.builder("decrypt", DeadLetterReason.DECRYPT_FAILED, detail)
        .raw(raw)
        .eventId("7d4c1a52-0b7e-4f7e-9a55-0a5f1f3f2b11")
        .tenant("acme")
        .source("shop")
        .table("orders")
        .build();
  }

  @Test
  void keepsReasonStageIdentityAndAPlainDetail() {
    DeadLetterExample e = DeadLetterExample.of(letter("orders.customer_address_city: pattern ^[A-Z]", "{}"));
    assertThat(e, is(new DeadLetterExample("DECRYPT_FAILED", "decrypt", "7d4c1a52-0b7e-4f7e-9a55-0a5f1f3f2b11",
        "acme", "shop", "orders", "orders.customer_address_city: pattern ^[A-Z]")));
  }

  @Test
  void neverCarriesTheRecordItself() {
    String raw = "{\"event_id\":\"e1\",\"key_id\":\"k1\",\"payload\":\"" + CIPHERTEXT + "\"}";
    String json = DeadLetterExample.of(letter("authentication failed", raw)).toJsonText();
    assertThat(json, not(containsString(CIPHERTEXT)));
    assertThat(json, not(containsString("raw")));
  }

  @Test
  void redactsAKeyOrCiphertextThatADetailWouldShow() {
    DeadLetterExample e = DeadLetterExample.of(letter("bad key " + KEY + " for payload " + CIPHERTEXT + " end", "{}"));
    assertThat(e.detail(), is("bad key [redacted] for payload [redacted] end"));
    assertThat(e.toJsonText(), not(containsString(KEY)));
  }

  @Test
  void dropsControlCharactersAndCutsLongDetails() {
    DeadLetterExample e = DeadLetterExample.of(letter("line\none\u0007" + "x".repeat(400), "{}"));
    assertThat(e.detail().length(), is(DeadLetterExample.MAX_DETAIL));
    assertThat(e.detail().startsWith("line one "), is(true));
    assertThat(e.detail().endsWith("…"), is(true));
  }
}
