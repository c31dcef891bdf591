package io.beamline.transforms;

import static io.beamline.transforms.model.DeadLetterReason.DECRYPT_FAILED;
import static io.beamline.transforms.model.DeadLetterReason.MALFORMED_JSON;
import static io.beamline.transforms.model.DeadLetterReason.OVERSIZED;

import io.beamline.transforms.model.DeadLetter;
import io.beamline.transforms.model.DecodedEvent;
import io.beamline.transforms.model.Envelope;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.WithFailures;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TupleTag;

/**
 * Decrypts AES-256-GCM payloads with the keyring (additional authenticated data = event_id) and
 * passes unencrypted payloads through. Unknown keys, bad base64, tampered data and plaintext that
 * is not UTF-8 go to the dead-letter output.
 */
public final class DecryptPayload
    extends PTransform<PCollection<Envelope>, WithFailures.Result<PCollection<DecodedEvent>, DeadLetter>> {
  static final String STAGE = "decrypt";
  private static final TupleTag<DecodedEvent> DECODED = new TupleTag<DecodedEvent>("decoded") {};

  private final Keyring keyring;
  private final RecordLimits limits;

  private DecryptPayload(Keyring keyring, RecordLimits limits) {
    this.keyring = keyring;
    this.limits = limits;
  }

  /** Decrypts with the keyring, holding payloads to {@link RecordLimits#defaults()}. */
  public static DecryptPayload with(Keyring keyring) {
    return new DecryptPayload(keyring, RecordLimits.defaults());
  }

  /**
   * An encrypted payload that would decode to more than {@code maxRecordBytes} is an {@code
   * OVERSIZED} dead letter, found from its base64 length before anything is decoded.
   */
  public DecryptPayload withLimits(RecordLimits recordLimits) {
    return new DecryptPayload(keyring, recordLimits);
  }

  @Override
  public WithFailures.Result<PCollection<DecodedEvent>, DeadLetter> expand(
      PCollection<Envelope> envelopes) {
    return DeadLetters.route(envelopes, "DecryptAesGcm", new DecryptFn(keyring, limits.maxRecordBytes()), DECODED);
  }

  static final class DecryptFn extends RecordStep.StepFn<Envelope, DecodedEvent> {
    DecryptFn(Keyring keyring, int maxRecordBytes) {
      super(new Decrypt(keyring, maxRecordBytes));
    }
  }

  /** Decrypts one envelope's payload, or passes an unencrypted one through. */
  static final class Decrypt extends RecordStep<Envelope, DecodedEvent> {
    private static final long serialVersionUID = 1L;

    private final Keyring keyring;
    private final int maxRecordBytes;
    private transient PayloadCipher cipher;

    Decrypt(Keyring keyring, int maxRecordBytes) {
      super(STAGE, DECRYPT_FAILED);
      this.keyring = keyring;
      this.maxRecordBytes = maxRecordBytes;
    }

    @Override
    void setup() throws GeneralSecurityException {
      cipher = new PayloadCipher(keyring);
    }

    @Override
    DecodedEvent apply(Envelope e) throws RejectedRecordException {
      return new DecodedEvent(e, e.keyId() == null ? e.payload() : decrypt(e));
    }

    @Override
    Envelope envelopeOf(Envelope e) {
      return e;
    }

    private String decrypt(Envelope e) throws RejectedRecordException {
      // Base64 holds 3 bytes in 4 characters: refuse before allocating the decoded bytes.
      if ((long) e.payload().length() / 4 * 3 > maxRecordBytes) {
        throw new RejectedRecordException(
            OVERSIZED, "payload decodes to more than " + maxRecordBytes + " bytes (--maxRecordBytes)");
      }
      byte[] sealed;
      try {
        sealed = Base64.getDecoder().decode(e.payload());
      } catch (IllegalArgumentException badBase64) {
        throw new RejectedRecordException(DECRYPT_FAILED, "payload is not valid base64");
      }
      byte[] plain = cipher.decrypt(e.keyId(), e.tenant(), e.eventId(), sealed);
      try {
        return StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT)
            .decode(ByteBuffer.wrap(plain))
            .toString();
      } catch (CharacterCodingException notUtf8) {
        throw new RejectedRecordException(MALFORMED_JSON, "decrypted payload is not valid UTF-8");
      }
    }
  }
}
