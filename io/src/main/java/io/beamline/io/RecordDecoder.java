package io.beamline.io;

import static io.beamline.transforms.model.DeadLetterReason.MALFORMED_JSON;
import static io.beamline.transforms.model.DeadLetterReason.OVERSIZED;

import io.beamline.transforms.DeadLetters;
import io.beamline.transforms.model.DeadLetter;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.beam.sdk.metrics.Distribution;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;

/**
 * Turns one input record's bytes (a file line or a Kafka message value) into text, or into a
 * dead letter when it is over the size limit or not valid UTF-8. Not thread-safe: one per DoFn
 * instance, created in {@code @Setup}.
 */
final class RecordDecoder {
  /** At most this many bytes of an oversized record stay in its dead letter, to identify it. */
  static final int OVERSIZED_PREFIX_BYTES = 1024;

  /** Beam distribution of the size in bytes of every record read (oversized ones included). */
  public static final String RECORD_SIZE_BYTES = "record_size_bytes";

  private final Distribution recordSizes =
      Metrics.distribution(DeadLetters.METRICS_NAMESPACE, RECORD_SIZE_BYTES);

  private final String stage;
  private final int maxBytes;
  private final CharsetDecoder utf8 =
      StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT);

  RecordDecoder(String stage, int maxBytes) {
    this.stage = stage;
    this.maxBytes = maxBytes;
  }

  /**
   * Outputs the text of {@code bytes[0, length)} or a dead letter. {@code totalBytes} is the
   * record's real size, which may exceed what the caller kept of it; {@code where} names the
   * record in dead-letter details.
   */
  void decode(DoFn<?, String>.ProcessContext c, byte[] bytes, int length, long totalBytes, String where) {
    recordSizes.update(totalBytes);
    if (totalBytes > maxBytes) {
      DeadLetters.emit(
          c,
          DeadLetter.builder(
                  stage, OVERSIZED, where + " has " + totalBytes + " bytes, over the limit of " + maxBytes)
              .rawBytes(Arrays.copyOf(bytes, Math.min(Math.min(length, maxBytes), OVERSIZED_PREFIX_BYTES)))
              .build());
      return;
    }
    try {
      c.output(utf8.decode(ByteBuffer.wrap(bytes, 0, length)).toString());
    } catch (CharacterCodingException e) {
      DeadLetters.emit(
          c,
          DeadLetter.builder(stage, MALFORMED_JSON, where + " is not valid UTF-8")
              .rawBytes(Arrays.copyOf(bytes, length))
              .build());
    }
  }
}
