package io.beamline.transforms.quality;

import com.fasterxml.jackson.databind.JsonNode;
import io.beamline.transforms.Json;
import io.beamline.transforms.schema.FieldSpec;
import io.beamline.transforms.schema.FieldType;
import io.beamline.transforms.schema.TableSchemas;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The quality rules of one table, from {@code <schemaDir>/<source>/<table>.quality.json}:
 *
 * <pre>{"source": "shop", "table": "orders", "rules": [
 *   {"name": "orders-id-not-null", "type": "not_null", "column": "order_id", "severity": "critical"}]}</pre>
 */
public final class QualitySuite implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Columns every row has besides its schema's: usable in rules and expressions. */
  static final Map<String, FieldType> ENVELOPE_COLUMNS =
      Map.of("event_id", FieldType.STRING, "tenant", FieldType.STRING, "event_time", FieldType.TIMESTAMP);

  private final String source;
  private final String table;
  private final List<QualityRule> rules;
  private final LinkedHashMap<String, FieldType> columns;

  private QualitySuite(String source, String table, List<QualityRule> rules, LinkedHashMap<String, FieldType> columns) {
    this.source = source;
    this.table = table;
    this.rules = List.copyOf(rules);
    this.columns = columns;
  }

  /**
   * Parses a suite file's text against the table schemas; {@code origin} names the file in
   * messages. Throws {@link InvalidQualitySuiteException} naming the file and rule.
   */
  public static QualitySuite parse(String text, String origin, TableSchemas schemas) {
    JsonNode root;
    try {
      root = Json.MAPPER.readTree(text);
    } catch (Exception e) {
      throw new InvalidQualitySuiteException(origin + ": not valid JSON");
    }
    if (root == null || !root.isObject()) {
      throw new InvalidQualitySuiteException(origin + ": must be a JSON object");
    }
    for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
      String key = it.next();
      if (!Set.of("source", "table", "rules").contains(key)) {
        throw new InvalidQualitySuiteException(origin + ": unknown key '" + key + "'");
      }
    }
    String source = root.path("source").asText("");
    String table = root.path("table").asText("");
    if (schemas.get(source, table) == null) {
      throw new InvalidQualitySuiteException(
          origin + ": table '" + source + "/" + table + "' has no schema file");
    }
    LinkedHashMap<String, FieldType> columns = new LinkedHashMap<>();
    for (FieldSpec f : schemas.columnsOf(source, table)) {
      columns.put(f.name(), f.type());
    }
    columns.putAll(ENVELOPE_COLUMNS);
    JsonNode list = root.get("rules");
    if (list == null || !list.isArray()) {
      throw new InvalidQualitySuiteException(origin + ": 'rules' must be an array");
    }
    List<QualityRule> rules = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (JsonNode r : list) {
      QualityRule rule = QualityRule.parse(r, columns, origin);
      if (!names.add(rule.name())) {
        throw new InvalidQualitySuiteException(origin + ": rule '" + rule.name() + "' is declared twice");
      }
      rules.add(rule);
    }
    return new QualitySuite(source, table, rules, columns);
  }

  /** A suite built in code, for tests and tools; the same checks as a file. */
  public static QualitySuite of(String source, String table, String rulesJson, TableSchemas schemas) {
    return parse(
        "{\"source\":\"" + source + "\",\"table\":\"" + table + "\",\"rules\":" + rulesJson + "}",
        source + "/" + table + ".quality.json",
        schemas);
  }

  public String source() {
    return source;
  }

  public String table() {
    return table;
  }

  public List<QualityRule> rules() {
    return rules;
  }

  /** Every column of the table's rows with its type, the envelope's columns included. */
  Map<String, FieldType> columns() {
    return columns;
  }
}
