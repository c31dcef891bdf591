package io.beamline.benchmarks.baseline;

import static io.beamline.transforms.model.DeadLetterReason.SCHEMA_VIOLATION;

import io.beamline.transforms.schema.FieldSpec;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.nio.ByteBuffer;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;

/**
 * Types and checks a flattened row in place by Beamline's rules ({@code ValidateAgainstSchema} and
 * {@code FieldCheck}): a missing or null column takes its default or, when required, rejects the
 * event; typing is strict (a string is no number, {@code 2.0} no int, a decimal also accepts a
 * numeric string); then min/max, pattern and enum. Each value becomes what its Avro column takes
 * (see {@link TablePlan#typed}); the unknown fields become the {@code _extra} JSON text. Details
 * name table, location, column and rule, never the value. Not thread-safe: one per worker.
 */
final class RowValidator {
  private static final int MAX_DECIMAL_PRECISION = 38;
  private static final Instant MIN_TIME = Instant.parse("0001-01-01T00:00:00Z");
  private static final Instant MAX_TIME = Instant.parse("9999-12-31T23:59:59.999999Z");

  private final StringBuilder extra = new StringBuilder(256);

  /** A broken rule of one value; stackless, thrown only for bad records. */
  private static final class Broken extends Exception {
    private static final long serialVersionUID = 1L;

    Broken(String rule) {
      super(rule, null, false, false);
    }
  }

  void validate(FlatRow row) throws Rejection {
    FieldSpec[] columns = row.plan.columns;
    Object[] values = row.values;
    for (int i = 0; i < columns.length; i++) {
      FieldSpec field = columns[i];
      Object v = values[i];
      if (v == null || v == FlatRow.JSON_NULL) {
        if (field.required()) {
          throw new Rejection(SCHEMA_VIOLATION, row.where(field.name()) + ": required");
        }
        values[i] = row.plan.defaults[i];
        continue;
      }
      try {
        values[i] = check(field, v);
      } catch (Broken b) {
        throw new Rejection(SCHEMA_VIOLATION, row.where(field.name()) + ": " + b.getMessage());
      }
    }
    if (row.extraNames.isEmpty()) {
      row.extra = null;
    } else {
      extra.setLength(0);
      extra.append('{');
      for (int i = 0; i < row.extraNames.size(); i++) {
        if (i > 0) {
          extra.append(',');
        }
        JsonText.appendString(extra, row.extraNames.get(i));
        extra.append(':');
        JsonText.appendScalar(extra, row.extraValues.get(i));
      }
      row.extra = extra.append('}').toString();
    }
  }

  /** The written value of a non-null flattened value, or the rule it breaks. */
  static Object check(FieldSpec field, Object v) throws Broken {
    Object typed;
    BigDecimal numeric = null;
    switch (field.type()) {
      case STRING -> {
        expect(v instanceof String, field, v);
        typed = v;
      }
      case INT -> {
        expect(v instanceof Long l && l == (int) (long) l, field, v);
        int n = (int) (long) (Long) v;
        typed = n;
        numeric = field.min() == null && field.max() == null ? null : BigDecimal.valueOf(n);
      }
      case LONG -> {
        expect(v instanceof Long, field, v);
        typed = v;
        numeric = field.min() == null && field.max() == null ? null : BigDecimal.valueOf((Long) v);
      }
      case DOUBLE -> {
        expect(v instanceof Long || v instanceof BigInteger || v instanceof BigDecimal, field, v);
        double d = ((Number) v).doubleValue();
        expect(Double.isFinite(d), field, v);
        typed = d;
        numeric = field.min() == null && field.max() == null ? null : decimalOf(v);
      }
      case DECIMAL -> {
        numeric = decimal(field, v);
        typed = ByteBuffer.wrap(numeric.unscaledValue().toByteArray());
      }
      case BOOLEAN -> {
        expect(v instanceof Boolean, field, v);
        typed = v;
      }
      case TIMESTAMP -> {
        expect(v instanceof String, field, v);
        typed = timestampMicros((String) v);
      }
      case DATE -> {
        expect(v instanceof String, field, v);
        typed = epochDay((String) v);
      }
      default -> throw new IllegalStateException("unhandled type " + field.type());
    }
    if (numeric != null && field.min() != null && numeric.compareTo(field.min()) < 0) {
      throw new Broken("min " + field.min().toPlainString());
    }
    if (numeric != null && field.max() != null && numeric.compareTo(field.max()) > 0) {
      throw new Broken("max " + field.max().toPlainString());
    }
    if (field.pattern() != null && !field.pattern().matcher((String) v).find()) {
      throw new Broken("pattern " + field.patternText());
    }
    if (field.enumValues() != null && !field.enumValues().contains(asText(v))) {
      throw new Broken("enum " + field.enumValues());
    }
    return typed;
  }

  private static BigDecimal decimalOf(Object v) {
    if (v instanceof BigDecimal d) {
      return d;
    }
    if (v instanceof BigInteger b) {
      return new BigDecimal(b);
    }
    return BigDecimal.valueOf((Long) v);
  }

  /** Jackson's asText() of the value's node. */
  private static String asText(Object v) {
    return v instanceof String s ? s : v.toString();
  }

  private static void expect(boolean ok, FieldSpec field, Object v) throws Broken {
    if (!ok) {
      throw new Broken("type " + field.type().schemaName() + " (got " + jsonType(v) + ")");
    }
  }

  private static String jsonType(Object v) {
    return v instanceof String ? "string" : v instanceof Boolean ? "boolean" : "number";
  }

  private static BigDecimal decimal(FieldSpec field, Object v) throws Broken {
    BigDecimal d;
    if (v instanceof Long || v instanceof BigInteger || v instanceof BigDecimal) {
      d = decimalOf(v);
    } else if (v instanceof String s && s.length() <= 64) {
      try {
        d = new BigDecimal(s);
      } catch (NumberFormatException e) {
        throw new Broken("type decimal (got a non-numeric string)");
      }
    } else {
      expect(false, field, v);
      return null;
    }
    // On the stripped value first: setScale of a huge exponent would build the whole number.
    BigDecimal stripped = d.signum() == 0 ? BigDecimal.ZERO : d.stripTrailingZeros();
    if (stripped.scale() > field.scale()) {
      throw new Broken("scale " + field.scale());
    }
    if ((long) stripped.precision() - stripped.scale() > MAX_DECIMAL_PRECISION - field.scale()) {
      throw new Broken("precision " + MAX_DECIMAL_PRECISION);
    }
    return stripped.setScale(field.scale(), RoundingMode.UNNECESSARY);
  }

  static long timestampMicros(String text) throws Broken {
    try {
      Instant t = OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
      if (t.isBefore(MIN_TIME) || t.isAfter(MAX_TIME)) {
        throw new Broken("timestamp range 0001..9999");
      }
      return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1_000);
    } catch (DateTimeException | ArithmeticException e) {
      throw new Broken("timestamp format ISO-8601 with offset");
    }
  }

  private static int epochDay(String text) throws Broken {
    try {
      LocalDate d = LocalDate.parse(text, DateTimeFormatter.ISO_LOCAL_DATE);
      if (d.getYear() < 1 || d.getYear() > 9999) {
        throw new Broken("date range 0001..9999");
      }
      return Math.toIntExact(d.toEpochDay());
    } catch (DateTimeException e) {
      throw new Broken("date format YYYY-MM-DD");
    }
  }
}
