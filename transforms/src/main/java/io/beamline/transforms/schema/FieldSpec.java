package io.beamline.transforms.schema;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.beamline.transforms.Json;
import java.io.Serializable;
import java.math.BigDecimal;
import java.util.List;
import java.util.regex.Pattern;

/**
 * One column of a table schema with its rules. {@code defaultJson} is the default value as JSON
 * text, or null when the column has none.
 */
public final class FieldSpec implements Serializable {
  private static final long serialVersionUID = 1L;

  private final String name;
  private final FieldType type;
  private final boolean required;
  private final String defaultJson;
  private final BigDecimal min;
  private final BigDecimal max;
  private final Pattern pattern;
  private final String patternText;
  private final List<String> enumValues;
  private final int scale;
  private final PiiProtection pii;
  private transient JsonNode defaultValue;

  FieldSpec(
      String name,
      FieldType type,
      boolean required,
      String defaultJson,
      BigDecimal min,
      BigDecimal max,
      Pattern pattern,
      String patternText,
      List<String> enumValues,
      int scale,
      PiiProtection pii) {
    this.name = name;
    this.type = type;
    this.required = required;
    this.defaultJson = defaultJson;
    this.min = min;
    this.max = max;
    this.pattern = pattern;
    this.patternText = patternText;
    this.enumValues = enumValues == null ? null : List.copyOf(enumValues);
    this.scale = scale;
    this.pii = pii;
  }

  /**
   * The same column as an optional one with no rules: how a child table carries a parent key. It
   * keeps its protection, so a hashed parent key still joins its children.
   */
  FieldSpec asCarriedKey() {
    return new FieldSpec(name, type, false, null, null, null, null, null, null, scale, pii);
  }

  public String name() {
    return name;
  }

  public FieldType type() {
    return type;
  }

  public boolean required() {
    return required;
  }

  /** The default value parsed, or null; parsed once per instance, not per record. */
  public JsonNode defaultValue() {
    if (defaultJson != null && defaultValue == null) {
      try {
        defaultValue = Json.MAPPER.readTree(defaultJson);
      } catch (JsonProcessingException e) {
        throw new IllegalStateException("schema default of " + name + " is not JSON", e);
      }
    }
    return defaultValue;
  }

  public String defaultJson() {
    return defaultJson;
  }

  public BigDecimal min() {
    return min;
  }

  public BigDecimal max() {
    return max;
  }

  /** The compiled pattern, '$' anchored at the very end of the value. */
  public Pattern pattern() {
    return pattern;
  }

  /** The pattern as the schema file wrote it. */
  public String patternText() {
    return patternText;
  }

  public List<String> enumValues() {
    return enumValues;
  }

  /** How the field's values are protected before they are stored, or null: stored as validated. */
  public PiiProtection pii() {
    return pii;
  }

  /** Digits after the decimal point, for {@link FieldType#DECIMAL}. */
  public int scale() {
    return scale;
  }
}
