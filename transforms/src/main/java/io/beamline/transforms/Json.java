package io.beamline.transforms;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The one JSON mapper configuration every stage shares. */
public final class Json {
  /**
   * Strict: duplicate keys and trailing tokens are errors, and parse errors never quote the input
   * (it may be decrypted personal data).
   */
  public static final ObjectMapper MAPPER = mapper(StreamReadConstraints.defaults());

  private Json() {}

  /**
   * A mapper configured like {@link #MAPPER} whose parsers enforce {@code constraints}: for
   * {@link BoundedJsonReader}, which holds records to the configured {@link RecordLimits}.
   */
  static ObjectMapper mapper(StreamReadConstraints constraints) {
    return new ObjectMapper(factory(constraints))
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
        .setNodeFactory(JsonNodeFactory.withExactBigDecimals(true))
        .disable(JsonParser.Feature.ALLOW_NON_NUMERIC_NUMBERS);
  }

  /** The strict parser settings every Beamline reader shares, with these constraints. */
  static JsonFactory factory(StreamReadConstraints constraints) {
    return JsonFactory.builder()
        .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
        .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
        .streamReadConstraints(constraints)
        .build();
  }

  /**
   * Parses JSON text into a tree. Rejects numbers beyond the range of a double: Jackson would turn
   * them into Infinity, which serialises as the string "Infinity" and so changes the value.
   */
  public static JsonNode parse(String text) throws JsonProcessingException {
    JsonNode node = MAPPER.readTree(text);
    if (node != null && hasNonFiniteNumber(node)) {
      throw new NumberOutOfRangeException();
    }
    return node;
  }

  /**
   * Parses text that Beamline itself wrote as a JSON object (a row's columns or values); {@code
   * what} names it in the error, which never quotes the text.
   */
  public static ObjectNode objectOf(String text, String what) {
    try {
      if (MAPPER.readTree(text) instanceof ObjectNode object) {
        return object;
      }
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(what + " are not JSON: " + describe(e));
    }
    throw new IllegalStateException(what + " are not a JSON object");
  }

  static boolean hasNonFiniteNumber(JsonNode node) {
    if (node.isContainerNode()) {
      for (JsonNode child : node) {
        if (hasNonFiniteNumber(child)) {
          return true;
        }
      }
      return false;
    }
    return (node.isDouble() || node.isFloat()) && !Double.isFinite(node.doubleValue());
  }

  /** What is wrong with text {@link #parse} refused, without any of the input's text. */
  public static String describe(JsonProcessingException e) {
    if (e instanceof NumberOutOfRangeException) {
      return "not usable JSON: a number is beyond the range of a double";
    }
    return e.getLocation() == null
        ? "not valid JSON"
        : "not valid JSON at line " + e.getLocation().getLineNr() + ", column "
            + e.getLocation().getColumnNr();
  }

  /** A number too large for a double. */
  static final class NumberOutOfRangeException extends JsonProcessingException {
    private static final long serialVersionUID = 1L;

    NumberOutOfRangeException() {
      super("number beyond the range of a double");
    }
  }
}
