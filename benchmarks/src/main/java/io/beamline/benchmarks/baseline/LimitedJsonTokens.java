package io.beamline.benchmarks.baseline;

import static io.beamline.transforms.model.DeadLetterReason.MALFORMED_JSON;
import static io.beamline.transforms.model.DeadLetterReason.OVERSIZED;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import java.io.IOException;

/**
 * Jackson's streaming parser held to Beamline's record limits token by token (nesting depth,
 * number of values, string and number lengths) and to its strictness (duplicate keys, lone UTF-16
 * surrogates, trailing content), so a record is checked in the same single pass that reads it,
 * with no tree. One per worker thread; {@link #start} binds it to the next text.
 */
final class LimitedJsonTokens {
  private final JsonFactory factory;
  private final String what;
  private final int maxDepth;
  private final long maxValues;
  private final int maxString;
  private final int maxNumber;
  private final String depthOption;
  private final String valuesOption;

  private JsonParser p;
  private int depth;
  private long values;

  private LimitedJsonTokens(
      String what, int maxDepth, long maxValues, int maxString, int maxNumber, String depthOption,
      String valuesOption) {
    this.what = what;
    this.maxDepth = maxDepth;
    this.maxValues = maxValues;
    this.maxString = maxString;
    this.maxNumber = maxNumber;
    this.depthOption = depthOption;
    this.valuesOption = valuesOption;
    this.factory =
        JsonFactory.builder()
            .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .streamReadConstraints(
                StreamReadConstraints.builder()
                    .maxNestingDepth(Integer.MAX_VALUE)
                    .maxNumberLength(Integer.MAX_VALUE)
                    .maxStringLength(Integer.MAX_VALUE)
                    .build())
            .build();
  }

  /** Beamline's default payload limits (64 levels, 10,000 values, strings 262,144, numbers 100). */
  static LimitedJsonTokens forPayload() {
    return new LimitedJsonTokens(
        "payload", 64, 10_000, 262_144, 100, "--maxNestingDepth", "--maxFieldCount");
  }

  /** An envelope line: one level and 16 values more, strings as long as the record (1 MiB). */
  static LimitedJsonTokens forEnvelope() {
    return new LimitedJsonTokens(
        "envelope", 65, 10_016, 1_048_576, 100,
        "--maxNestingDepth 64 plus 1 for the envelope", "--maxFieldCount 10000 plus 16 for the envelope");
  }

  void start(String text) throws IOException {
    if (p != null) {
      p.close();
    }
    p = factory.createParser(text);
    depth = 0;
    values = 0;
  }

  JsonParser parser() {
    return p;
  }

  int depth() {
    return depth;
  }

  /** The next token, checked; null at the end of the text. */
  JsonToken next() throws IOException, Rejection {
    JsonToken t = p.nextToken();
    if (t == null) {
      return null;
    }
    switch (t) {
      case END_OBJECT, END_ARRAY -> depth--;
      case FIELD_NAME -> checkString("a field name");
      default -> {
        if (depth > 0 && ++values > maxValues) {
          throw oversized(what + " has more than " + maxValues + " values", valuesOption);
        }
        if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
          if (++depth > maxDepth) {
            throw oversized(what + " nests deeper than " + maxDepth + " levels", depthOption);
          }
        } else if (t == JsonToken.VALUE_STRING) {
          checkString("a string");
        } else if (t.isNumeric() && p.getTextLength() > maxNumber) {
          throw oversized(
              what + " has a number longer than " + maxNumber + " characters", "--maxNumberLength");
        }
      }
    }
    return t;
  }

  /** Skips the value whose first token was just read (its children checked like any token). */
  void skipValue(JsonToken first) throws IOException, Rejection {
    if (first != JsonToken.START_OBJECT && first != JsonToken.START_ARRAY) {
      return;
    }
    int until = depth - 1;
    while (depth > until) {
      if (next() == null) {
        throw new Rejection(MALFORMED_JSON, what + " is not valid JSON");
      }
    }
  }

  /** After the top-level value: anything but the end of the text is malformed. */
  void expectEnd() throws IOException, Rejection {
    if (p.nextToken() != null) {
      throw new Rejection(MALFORMED_JSON, what + " is not valid JSON: trailing content");
    }
  }

  /** The value just read as a flattened scalar: String, Long, BigInteger, BigDecimal, Boolean or JSON null. */
  Object scalar(JsonToken t) throws IOException {
    return switch (t) {
      case VALUE_STRING -> p.getText();
      case VALUE_NUMBER_INT -> p.getNumberType() == JsonParser.NumberType.BIG_INTEGER
          ? p.getBigIntegerValue()
          : (Object) p.getLongValue();
      case VALUE_NUMBER_FLOAT -> p.getDecimalValue();
      case VALUE_TRUE -> Boolean.TRUE;
      case VALUE_FALSE -> Boolean.FALSE;
      default -> FlatRow.JSON_NULL;
    };
  }

  /**
   * Appends the value whose first token was just read as compact JSON text, as Jackson's {@code
   * toString()} of the tree would print it.
   */
  void appendValue(JsonToken t, StringBuilder out) throws IOException, Rejection {
    switch (t) {
      case START_OBJECT -> {
        out.append('{');
        boolean first = true;
        for (JsonToken n = next(); n != JsonToken.END_OBJECT; n = next()) {
          if (n == null) {
            throw new Rejection(MALFORMED_JSON, what + " is not valid JSON");
          }
          if (!first) {
            out.append(',');
          }
          first = false;
          JsonText.appendString(out, p.currentName());
          out.append(':');
          appendValue(next(), out);
        }
        out.append('}');
      }
      case START_ARRAY -> {
        out.append('[');
        boolean first = true;
        for (JsonToken n = next(); n != JsonToken.END_ARRAY; n = next()) {
          if (n == null) {
            throw new Rejection(MALFORMED_JSON, what + " is not valid JSON");
          }
          if (!first) {
            out.append(',');
          }
          first = false;
          appendValue(n, out);
        }
        out.append(']');
      }
      default -> JsonText.appendScalar(out, scalar(t));
    }
  }

  private void checkString(String kind) throws IOException, Rejection {
    int length = p.getTextLength();
    if (length > maxString) {
      throw oversized(what + " has " + kind + " longer than " + maxString + " characters", "--maxStringLength");
    }
    char[] chars = p.getTextCharacters();
    int end = p.getTextOffset() + length;
    for (int i = p.getTextOffset(); i < end; i++) {
      char c = chars[i];
      if (c < Character.MIN_SURROGATE) {
        continue;
      }
      if (Character.isHighSurrogate(c) && i + 1 < end && Character.isLowSurrogate(chars[i + 1])) {
        i++;
      } else if (Character.isSurrogate(c)) {
        throw new Rejection(MALFORMED_JSON, what + " has " + kind + " with an unpaired UTF-16 surrogate");
      }
    }
  }

  private static Rejection oversized(String detail, String option) {
    return new Rejection(OVERSIZED, detail + " (" + option + ")");
  }
}
