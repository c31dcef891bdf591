package io.beamline.transforms;

import static io.beamline.transforms.model.DeadLetterReason.MALFORMED_JSON;
import static io.beamline.transforms.model.DeadLetterReason.OVERSIZED;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads JSON text into a tree only when it is within {@link RecordLimits}: a streaming pass first
 * checks nesting depth, value count and string and number lengths without building anything, so
 * a hostile record costs its own size in memory, never a tree many times larger (or a number
 * conversion quadratic in its digits). Strings holding an unpaired UTF-16 surrogate (a lone
 * {@code \ud800} escape) are refused too: no writer could keep them unchanged.
 *
 * <p>Create one per DoFn instance, in {@code @Setup}: its mappers are heavy to build.
 */
final class BoundedJsonReader {
  /** At most this many bytes of an oversized record stay in its dead letter, to identify it. */
  static final int OVERSIZED_PREFIX_BYTES = 1024;

  private final RecordLimits limits;
  /** What the text is called in details: "envelope" or "payload". */
  private final String what;
  /** How the depth and value bounds follow from the options, for details. */
  private final String depthOption;
  private final String fieldsOption;
  /** No limits of Jackson's own: the streaming pass checks them and names the option. */
  private final JsonFactory scanning;
  /** Jackson's constraints at the limits: a second line of defence behind the streaming pass. */
  private final ObjectMapper mapper;

  /** A reader of payloads, held to the limits exactly. */
  static BoundedJsonReader forPayload(RecordLimits limits) {
    return new BoundedJsonReader(limits, "payload", "--maxNestingDepth", "--maxFieldCount");
  }

  /**
   * A reader of envelope lines: room for one more level and the envelope's own fields (see
   * {@link RecordLimits#forEnvelope()}); the payload inside is held to the exact limits later.
   */
  static BoundedJsonReader forEnvelope(RecordLimits limits) {
    return new BoundedJsonReader(
        limits.forEnvelope(),
        "envelope",
        "--maxNestingDepth " + limits.maxNestingDepth() + " plus 1 for the envelope",
        "--maxFieldCount " + limits.maxFieldCount() + " plus " + RecordLimits.ENVELOPE_FIELDS
            + " for the envelope");
  }

  private BoundedJsonReader(RecordLimits limits, String what, String depthOption, String fieldsOption) {
    this.limits = limits;
    this.what = what;
    this.depthOption = depthOption;
    this.fieldsOption = fieldsOption;
    this.scanning =
        Json.factory(
            StreamReadConstraints.builder()
                .maxNestingDepth(Integer.MAX_VALUE)
                .maxNumberLength(Integer.MAX_VALUE)
                .maxStringLength(Integer.MAX_VALUE)
                .build());
    this.mapper =
        Json.mapper(
            StreamReadConstraints.builder()
                .maxNestingDepth(limits.maxNestingDepth())
                .maxNumberLength(limits.maxNumberLength())
                .maxStringLength(limits.maxStringLength())
                .build());
  }

  /**
   * Parses {@code text}. Returns null or a
   * missing node for empty text, as Jackson does. Over a limit: {@code OVERSIZED}; not JSON, a
   * duplicate key, trailing content, a number beyond a double or an unpaired surrogate: {@code
   * MALFORMED_JSON}. Details never quote the text.
   */
  JsonNode read(String text) throws RejectedRecordException {
    try {
      scan(text);
      JsonNode node = mapper.readTree(text);
      if (node != null && Json.hasNonFiniteNumber(node)) {
        throw new RejectedRecordException(
            MALFORMED_JSON, what + " is not usable JSON: a number is beyond the range of a double");
      }
      return node;
    } catch (StreamConstraintsException e) {
      throw new RejectedRecordException(OVERSIZED, what + " is over a parsing limit");
    } catch (JsonProcessingException e) {
      throw new RejectedRecordException(MALFORMED_JSON, what + " is " + Json.describe(e));
    } catch (IOException e) {
      // Reading a String cannot fail on I/O; anything else is malformed input.
      throw new RejectedRecordException(MALFORMED_JSON, what + " is not valid JSON");
    }
  }

  /** Checks the first JSON value of {@code text} against the limits; trailing content is left. */
  private void scan(String text) throws IOException, RejectedRecordException {
    try (JsonParser p = scanning.createParser(text)) {
      int depth = 0;
      long values = 0;
      for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
        if (t == JsonToken.END_OBJECT || t == JsonToken.END_ARRAY) {
          depth--;
        } else if (t == JsonToken.FIELD_NAME) {
          checkString(p, "a field name");
        } else {
          // A value: counted unless it is the top-level one.
          if (depth > 0 && ++values > limits.maxFieldCount()) {
            throw oversized(what + " has more than " + limits.maxFieldCount() + " values", fieldsOption);
          }
          if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
            if (++depth > limits.maxNestingDepth()) {
              throw oversized(
                  what + " nests deeper than " + limits.maxNestingDepth() + " levels", depthOption);
            }
          } else if (t == JsonToken.VALUE_STRING) {
            checkString(p, "a string");
          } else if (t.isNumeric() && p.getTextLength() > limits.maxNumberLength()) {
            throw oversized(
                what + " has a number longer than " + limits.maxNumberLength() + " characters",
                "--maxNumberLength");
          }
        }
        if (depth == 0) {
          return;
        }
      }
    }
  }

  private void checkString(JsonParser p, String kind)
      throws IOException, RejectedRecordException {
    int length = p.getTextLength();
    if (length > limits.maxStringLength()) {
      throw oversized(
          what + " has " + kind + " longer than " + limits.maxStringLength() + " characters",
          "--maxStringLength");
    }
    if (hasUnpairedSurrogate(p.getTextCharacters(), p.getTextOffset(), length)) {
      throw new RejectedRecordException(
          MALFORMED_JSON, what + " has " + kind + " with an unpaired UTF-16 surrogate");
    }
  }

  private static RejectedRecordException oversized(String detail, String option) {
    return new RejectedRecordException(OVERSIZED, detail + " (" + option + ")");
  }

  static boolean hasUnpairedSurrogate(char[] chars, int offset, int length) {
    int end = offset + length;
    for (int i = offset; i < end; i++) {
      char c = chars[i];
      if (Character.isHighSurrogate(c)) {
        if (i + 1 < end && Character.isLowSurrogate(chars[i + 1])) {
          i++;
        } else {
          return true;
        }
      } else if (Character.isLowSurrogate(c)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The size of {@code text} in UTF-8 bytes, counting stops once past {@code limit} (an unpaired
   * surrogate counts 1, as {@link String#getBytes} writes it as '?').
   */
  static long utf8Length(String text, long limit) {
    long bytes = 0;
    int n = text.length();
    for (int i = 0; i < n && bytes <= limit; i++) {
      char c = text.charAt(i);
      if (c < 0x80) {
        bytes++;
      } else if (c < 0x800) {
        bytes += 2;
      } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(text.charAt(i + 1))) {
        bytes += 4;
        i++;
      } else if (Character.isSurrogate(c)) {
        bytes++;
      } else {
        bytes += 3;
      }
    }
    return bytes;
  }

  /** The first bytes of an oversized text, at most {@link #OVERSIZED_PREFIX_BYTES}, to identify it. */
  static byte[] prefix(String text) {
    byte[] head =
        text.substring(0, Math.min(text.length(), OVERSIZED_PREFIX_BYTES)).getBytes(StandardCharsets.UTF_8);
    return head.length <= OVERSIZED_PREFIX_BYTES ? head : Arrays.copyOf(head, OVERSIZED_PREFIX_BYTES);
  }
}
