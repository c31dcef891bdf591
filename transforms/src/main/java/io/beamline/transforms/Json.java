package io.beamline.transforms;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The one JSON mapper configuration every stage shares. */
public final class Json {
  /**
   * Strict: duplicate keys and trailing tokens are errors, and parse errors never quote the input
   * (it may be decrypted personal data).
   */
  public static final ObjectMapper MAPPER =
      new ObjectMapper(
              JsonFactory.builder()
                  .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
                  .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                  .build())
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
          .disable(JsonParser.Feature.ALLOW_NON_NUMERIC_NUMBERS);

  private Json() {}

  /** Where a parse failed, without any of the input's text. */
  public static String describe(JsonProcessingException e) {
    return e.getLocation() == null
        ? "not valid JSON"
        : "not valid JSON at line " + e.getLocation().getLineNr() + ", column "
            + e.getLocation().getColumnNr();
  }
}
