package io.beamline.transforms.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * Checks one non-null JSON value against a field's type and rules and returns it in normalised
 * form. Violations name the rule, never the value, so personal data stays out of error details.
 */
public final class FieldCheck {
  private static final int MAX_DECIMAL_PRECISION = 38;
  private static final Instant MIN_TIME = Instant.parse("0001-01-01T00:00:00Z");
  private static final Instant MAX_TIME = Instant.parse("9999-12-31T23:59:59.999999Z");

  private FieldCheck() {}

  /** A broken rule; {@link #rule()} says which, for example {@code "max 100"}. */
  public static final class Violation extends Exception {
    private static final long serialVersionUID = 1L;

    Violation(String rule) {
      super(rule, null, false, false);
    }

    public String rule() {
      return getMessage();
    }
  }

  /**
   * Returns the normalised value: strings, ints, longs, doubles and booleans as such, decimals as
   * plain text with the field's scale, timestamps as epoch microseconds, dates as epoch days.
   */
  public static JsonNode check(FieldSpec field, JsonNode value) throws Violation {
    JsonNode normalised;
    BigDecimal numeric = null;
    switch (field.type()) {
      case STRING:
        expect(value.isTextual(), field, value);
        normalised = value;
        break;
      case INT:
        expect(value.isIntegralNumber() && value.canConvertToInt(), field, value);
        normalised = IntNode.valueOf(value.intValue());
        numeric = BigDecimal.valueOf(value.intValue());
        break;
      case LONG:
        expect(value.isIntegralNumber() && value.canConvertToLong(), field, value);
        normalised = LongNode.valueOf(value.longValue());
        numeric = BigDecimal.valueOf(value.longValue());
        break;
      case DOUBLE:
        expect(value.isNumber() && Double.isFinite(value.doubleValue()), field, value);
        normalised = DoubleNode.valueOf(value.doubleValue());
        numeric = value.decimalValue();
        break;
      case DECIMAL:
        numeric = decimal(field, value);
        normalised = TextNode.valueOf(numeric.toPlainString());
        break;
      case BOOLEAN:
        expect(value.isBoolean(), field, value);
        normalised = BooleanNode.valueOf(value.booleanValue());
        break;
      case TIMESTAMP:
        normalised = LongNode.valueOf(timestampMicros(field, value));
        break;
      case DATE:
        normalised = IntNode.valueOf(epochDay(field, value));
        break;
      default:
        throw new IllegalStateException("unhandled type " + field.type());
    }
    if (numeric != null && field.min() != null && numeric.compareTo(field.min()) < 0) {
      throw new Violation("min " + field.min().toPlainString());
    }
    if (numeric != null && field.max() != null && numeric.compareTo(field.max()) > 0) {
      throw new Violation("max " + field.max().toPlainString());
    }
    if (field.pattern() != null && !field.pattern().matcher(value.textValue()).find()) {
      throw new Violation("pattern " + field.patternText());
    }
    if (field.enumValues() != null && !field.enumValues().contains(value.asText())) {
      throw new Violation("enum " + field.enumValues());
    }
    return normalised;
  }

  private static void expect(boolean ok, FieldSpec field, JsonNode value) throws Violation {
    if (!ok) {
      throw new Violation(
          "type " + field.type().schemaName() + " (got "
              + value.getNodeType().name().toLowerCase(Locale.ROOT) + ")");
    }
  }

  private static BigDecimal decimal(FieldSpec field, JsonNode value) throws Violation {
    BigDecimal d;
    if (value.isNumber() && !(value.isDouble() && !Double.isFinite(value.doubleValue()))) {
      d = value.decimalValue();
    } else if (value.isTextual() && value.textValue().length() <= 64) {
      try {
        d = new BigDecimal(value.textValue());
      } catch (NumberFormatException e) {
        throw new Violation("type decimal (got a non-numeric string)");
      }
    } else {
      expect(false, field, value);
      return null;
    }
    // Checked on the stripped value first: setScale on a huge exponent ("1e99999999") would
    // build the whole number and take minutes.
    BigDecimal stripped = d.signum() == 0 ? BigDecimal.ZERO : d.stripTrailingZeros();
    if (stripped.scale() > field.scale()) {
      throw new Violation("scale " + field.scale());
    }
    if ((long) stripped.precision() - stripped.scale() > MAX_DECIMAL_PRECISION - field.scale()) {
      throw new Violation("precision " + MAX_DECIMAL_PRECISION);
    }
    return stripped.setScale(field.scale(), RoundingMode.UNNECESSARY);
  }

  private static long timestampMicros(FieldSpec field, JsonNode value) throws Violation {
    expect(value.isTextual(), field, value);
    try {
      Instant t = OffsetDateTime.parse(value.textValue(), DateTimeFormatter.ISO_OFFSET_DATE_TIME)
          .toInstant();
      if (t.isBefore(MIN_TIME) || t.isAfter(MAX_TIME)) {
        throw new Violation("timestamp range 0001..9999");
      }
      // Floor, not truncation toward zero, so instants before 1970 round down like later ones.
      return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1_000);
    } catch (DateTimeException e) {
      throw new Violation("timestamp format ISO-8601 with offset");
    }
  }

  private static int epochDay(FieldSpec field, JsonNode value) throws Violation {
    expect(value.isTextual(), field, value);
    try {
      LocalDate d = LocalDate.parse(value.textValue(), DateTimeFormatter.ISO_LOCAL_DATE);
      if (d.getYear() < 1 || d.getYear() > 9999) {
        throw new Violation("date range 0001..9999");
      }
      return Math.toIntExact(d.toEpochDay());
    } catch (DateTimeException e) {
      throw new Violation("date format YYYY-MM-DD");
    }
  }
}
