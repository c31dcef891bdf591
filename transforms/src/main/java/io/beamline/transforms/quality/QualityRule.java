package io.beamline.transforms.quality;

import com.fasterxml.jackson.databind.JsonNode;
import io.beamline.transforms.schema.FieldType;
import java.io.Serializable;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * One rule of a table's quality suite, checked when the suite is loaded: its name, type,
 * column(s), parameters, severity, and the fraction of failing rows it tolerates.
 */
public final class QualityRule implements Serializable {
  private static final long serialVersionUID = 1L;

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,100}");
  private static final Set<String> KEYS =
      Set.of("name", "type", "column", "columns", "params", "severity", "threshold");

  private final String name;
  private final RuleType type;
  private final List<String> columns;
  private final Severity severity;
  /** Fraction of rows that may fail (row rules); the rule fails above it. */
  private final double tolerated;
  private final BigDecimal min;
  private final BigDecimal max;
  private final Pattern pattern;
  private final Set<String> values;
  private final long maxLagSeconds;
  private final RowExpression expression;

  private QualityRule(
      String name,
      RuleType type,
      List<String> columns,
      Severity severity,
      double tolerated,
      BigDecimal min,
      BigDecimal max,
      Pattern pattern,
      Set<String> values,
      long maxLagSeconds,
      RowExpression expression) {
    this.name = name;
    this.type = type;
    this.columns = List.copyOf(columns);
    this.severity = severity;
    this.tolerated = tolerated;
    this.min = min;
    this.max = max;
    this.pattern = pattern;
    this.values = values;
    this.maxLagSeconds = maxLagSeconds;
    this.expression = expression;
  }

  /**
   * Parses one rule object. {@code columns}: every column of the table's rows with its type;
   * {@code where}: the file, for messages.
   */
  static QualityRule parse(JsonNode node, Map<String, FieldType> columns, String where) {
    if (node == null || !node.isObject()) {
      throw new InvalidQualitySuiteException(where + ": every rule must be a JSON object");
    }
    String name = node.path("name").asText("");
    if (!NAME.matcher(name).matches()) {
      throw new InvalidQualitySuiteException(where + ": a rule needs a 'name' matching " + NAME.pattern());
    }
    String at = where + ": rule '" + name + "'";
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String key = it.next();
      if (!KEYS.contains(key)) {
        throw new InvalidQualitySuiteException(at + ": unknown key '" + key + "'");
      }
    }
    RuleType type = RuleType.parse(node.path("type").asText(""));
    if (type == null) {
      throw new InvalidQualitySuiteException(
          at + ": 'type' must be one of not_null, unique, between, matches, in_set, completeness,"
              + " row_count, freshness, expression");
    }
    Severity severity;
    String severityText = node.path("severity").asText("");
    if (severityText.equals("warn") || severityText.equals("critical")) {
      severity = Severity.valueOf(severityText.toUpperCase(Locale.ROOT));
    } else {
      throw new InvalidQualitySuiteException(at + ": 'severity' must be warn or critical");
    }
    double tolerated = 0;
    if (node.has("threshold")) {
      JsonNode t = node.get("threshold");
      if (!t.isNumber() || t.asDouble() < 0 || t.asDouble() > 1) {
        throw new InvalidQualitySuiteException(
            at + ": 'threshold' (the fraction of failing rows tolerated) must be a number from 0 to 1");
      }
      if ((!type.isRowLevel() && type != RuleType.UNIQUE) || type == RuleType.COMPLETENESS) {
        throw new InvalidQualitySuiteException(
            at + ": 'threshold' does not apply to " + type.fileName() + " (its params set the bound)");
      }
      tolerated = t.asDouble();
    }
    List<String> cols = columnsOf(node, type, columns, at);
    JsonNode params = node.path("params");
    if (!params.isMissingNode() && !params.isObject()) {
      throw new InvalidQualitySuiteException(at + ": 'params' must be an object");
    }
    BigDecimal min = null;
    BigDecimal max = null;
    Pattern pattern = null;
    Set<String> values = null;
    long maxLag = 0;
    RowExpression expression = null;
    switch (type) {
      case BETWEEN:
        requireParams(params, at, Set.of("min", "max"));
        requireType(columns, cols.get(0), at, FieldType.INT, FieldType.LONG, FieldType.DOUBLE, FieldType.DECIMAL);
        min = number(params, "min", at, false);
        max = number(params, "max", at, false);
        if (min == null && max == null) {
          throw new InvalidQualitySuiteException(at + ": between needs params 'min', 'max' or both");
        }
        if (min != null && max != null && min.compareTo(max) > 0) {
          throw new InvalidQualitySuiteException(at + ": 'min' is greater than 'max'");
        }
        break;
      case MATCHES:
        requireParams(params, at, Set.of("pattern"));
        requireType(columns, cols.get(0), at, FieldType.STRING);
        try {
          pattern = Pattern.compile(params.path("pattern").asText(""));
        } catch (PatternSyntaxException e) {
          throw new InvalidQualitySuiteException(at + ": 'pattern' is not a valid regular expression");
        }
        if (!params.path("pattern").isTextual() || params.path("pattern").asText().isEmpty()) {
          throw new InvalidQualitySuiteException(at + ": matches needs a non-empty 'pattern' string");
        }
        break;
      case IN_SET:
        requireParams(params, at, Set.of("values"));
        requireType(columns, cols.get(0), at, FieldType.STRING, FieldType.INT, FieldType.LONG, FieldType.BOOLEAN);
        JsonNode list = params.path("values");
        if (!list.isArray() || list.isEmpty()) {
          throw new InvalidQualitySuiteException(at + ": in_set needs a non-empty 'values' array");
        }
        values = new LinkedHashSet<>();
        for (JsonNode v : list) {
          if (!v.isValueNode() || v.isNull()) {
            throw new InvalidQualitySuiteException(at + ": 'values' must hold strings, numbers or booleans");
          }
          values.add(v.asText());
        }
        break;
      case COMPLETENESS:
        requireParams(params, at, Set.of("min"));
        min = number(params, "min", at, true);
        if (min.signum() < 0 || min.compareTo(BigDecimal.ONE) > 0) {
          throw new InvalidQualitySuiteException(at + ": completeness 'min' must be a fraction from 0 to 1");
        }
        break;
      case ROW_COUNT:
        requireParams(params, at, Set.of("min", "max"));
        min = number(params, "min", at, false);
        max = number(params, "max", at, false);
        if (min == null && max == null) {
          throw new InvalidQualitySuiteException(at + ": row_count needs params 'min', 'max' or both");
        }
        if ((min != null && (min.signum() < 0 || min.stripTrailingZeros().scale() > 0))
            || (max != null && (max.signum() < 0 || max.stripTrailingZeros().scale() > 0))) {
          throw new InvalidQualitySuiteException(at + ": row_count 'min' and 'max' must be whole numbers >= 0");
        }
        if (min != null && max != null && min.compareTo(max) > 0) {
          throw new InvalidQualitySuiteException(at + ": 'min' is greater than 'max'");
        }
        break;
      case FRESHNESS:
        requireParams(params, at, Set.of("maxLagSeconds"));
        BigDecimal lag = number(params, "maxLagSeconds", at, true);
        if (lag.signum() <= 0 || lag.stripTrailingZeros().scale() > 0) {
          throw new InvalidQualitySuiteException(at + ": 'maxLagSeconds' must be a positive whole number");
        }
        maxLag = lag.longValueExact();
        break;
      case EXPRESSION:
        requireParams(params, at, Set.of("expression"));
        if (!params.path("expression").isTextual()) {
          throw new InvalidQualitySuiteException(at + ": expression needs an 'expression' string");
        }
        Map<String, RowExpression.Type> types = new HashMap<>();
        columns.forEach((c, t) -> types.put(c, expressionType(t)));
        try {
          expression = RowExpression.parse(params.get("expression").asText(), types);
        } catch (IllegalArgumentException e) {
          throw new InvalidQualitySuiteException(at + ": " + e.getMessage());
        }
        break;
      default:
        requireParams(params, at, Set.of());
    }
    return new QualityRule(name, type, cols, severity, tolerated, min, max, pattern, values, maxLag, expression);
  }

  private static List<String> columnsOf(JsonNode node, RuleType type, Map<String, FieldType> columns, String at) {
    List<String> cols = new ArrayList<>();
    if (node.has("column")) {
      cols.add(node.get("column").asText(""));
    }
    if (node.has("columns")) {
      if (!node.get("columns").isArray() || node.has("column")) {
        throw new InvalidQualitySuiteException(at + ": 'columns' must be an array (and not beside 'column')");
      }
      node.get("columns").forEach(c -> cols.add(c.asText("")));
    }
    boolean tableLevel =
        type == RuleType.ROW_COUNT || type == RuleType.FRESHNESS || type == RuleType.EXPRESSION;
    if (tableLevel && !cols.isEmpty()) {
      throw new InvalidQualitySuiteException(at + ": " + type.fileName() + " takes no column");
    }
    if (!tableLevel) {
      if (cols.isEmpty() || (type != RuleType.UNIQUE && cols.size() != 1)) {
        throw new InvalidQualitySuiteException(
            at + ": " + type.fileName() + " needs " + (type == RuleType.UNIQUE ? "'column' or 'columns'" : "one 'column'"));
      }
      for (String c : cols) {
        if (!columns.containsKey(c)) {
          throw new InvalidQualitySuiteException(at + ": column '" + c + "' is not a column of the table");
        }
      }
      if (new LinkedHashSet<>(cols).size() != cols.size()) {
        throw new InvalidQualitySuiteException(at + ": a column is named twice");
      }
    }
    return cols;
  }

  private static void requireParams(JsonNode params, String at, Set<String> allowed) {
    for (Iterator<String> it = params.fieldNames(); it.hasNext(); ) {
      String key = it.next();
      if (!allowed.contains(key)) {
        throw new InvalidQualitySuiteException(at + ": unknown param '" + key + "'");
      }
    }
  }

  private static void requireType(Map<String, FieldType> columns, String column, String at, FieldType... allowed) {
    FieldType t = columns.get(column);
    for (FieldType a : allowed) {
      if (a == t) {
        return;
      }
    }
    throw new InvalidQualitySuiteException(
        at + ": column '" + column + "' is " + t.schemaName() + ", which this rule type cannot check");
  }

  private static BigDecimal number(JsonNode params, String key, String at, boolean required) {
    JsonNode n = params.get(key);
    if (n == null || n.isNull()) {
      if (required) {
        throw new InvalidQualitySuiteException(at + ": param '" + key + "' is required");
      }
      return null;
    }
    if (!n.isNumber()) {
      throw new InvalidQualitySuiteException(at + ": param '" + key + "' must be a number");
    }
    return n.decimalValue();
  }

  static RowExpression.Type expressionType(FieldType t) {
    switch (t) {
      case STRING:
        return RowExpression.Type.STRING;
      case BOOLEAN:
        return RowExpression.Type.BOOLEAN;
      default:
        return RowExpression.Type.NUMBER; // timestamps in epoch microseconds, dates in epoch days
    }
  }

  /**
   * Whether one row breaks this row-level rule. {@code value}: the row's value of a column as an
   * expression value (null when null). A null never breaks between, matches or in_set (that is
   * completeness' business), and an expression fails only when it is FALSE, as a SQL CHECK.
   */
  boolean fails(Function<String, Object> value) {
    switch (type) {
      case NOT_NULL:
      case COMPLETENESS:
        return value.apply(columns.get(0)) == null;
      case BETWEEN:
        {
          BigDecimal v = (BigDecimal) value.apply(columns.get(0));
          return v != null && ((min != null && v.compareTo(min) < 0) || (max != null && v.compareTo(max) > 0));
        }
      case MATCHES:
        {
          Object v = value.apply(columns.get(0));
          return v != null && !pattern.matcher(v.toString()).find();
        }
      case IN_SET:
        {
          Object v = value.apply(columns.get(0));
          return v != null && !values.contains(v instanceof BigDecimal ? ((BigDecimal) v).toPlainString() : v.toString());
        }
      case EXPRESSION:
        return Boolean.FALSE.equals(expression.test(value));
      default:
        throw new IllegalStateException(type + " is not judged row by row");
    }
  }

  public String name() {
    return name;
  }

  public RuleType type() {
    return type;
  }

  /** The columns it checks: one, several for unique, none for table-level rules. */
  public List<String> columns() {
    return columns;
  }

  public Severity severity() {
    return severity;
  }

  /** The fraction of failing rows tolerated (row rules and unique). */
  public double tolerated() {
    return tolerated;
  }

  BigDecimal min() {
    return min;
  }

  BigDecimal max() {
    return max;
  }

  long maxLagSeconds() {
    return maxLagSeconds;
  }
}
