package io.beamline.transforms.schema;

import com.fasterxml.jackson.databind.JsonNode;
import io.beamline.transforms.Json;
import java.io.Serializable;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** One table's schema file: its columns and rules, and the child tables it explodes into. */
public final class TableSchema implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Columns every etl row carries; a schema may not declare them. */
  public static final Set<String> RESERVED_COLUMNS =
      Set.of("event_id", "tenant", "event_time", "_extra", "_ingested_at");

  private static final Pattern NAME = Pattern.compile("[a-z0-9_]{1,64}");
  private static final Pattern COLUMN = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");
  private static final Set<String> KEYWORDS =
      Set.of(
          "name", "type", "required", "default", "min", "max", "pattern", "enum", "scale", "pii");

  private final String source;
  private final String table;
  private final int version;
  private final LinkedHashMap<String, FieldSpec> fields;
  private final List<String> unique;
  private final List<ChildSpec> children;

  private TableSchema(
      String source,
      String table,
      int version,
      LinkedHashMap<String, FieldSpec> fields,
      List<String> unique,
      List<ChildSpec> children) {
    this.source = source;
    this.table = table;
    this.version = version;
    this.fields = fields;
    this.unique = List.copyOf(unique);
    this.children = List.copyOf(children);
  }

  /** Parses a schema file's text; {@code origin} names the file in error messages. */
  public static TableSchema parse(String text, String origin) {
    JsonNode root;
    try {
      root = Json.MAPPER.readTree(text);
    } catch (Exception e) {
      throw new InvalidSchemaException(origin + ": not valid JSON");
    }
    if (root == null || !root.isObject()) {
      throw new InvalidSchemaException(origin + ": must be a JSON object");
    }
    String source = name(root, "source", origin);
    String table = name(root, "table", origin);
    int version = root.path("version").asInt(1);
    JsonNode fieldsNode = root.get("fields");
    if (fieldsNode == null || !fieldsNode.isArray() || fieldsNode.isEmpty()) {
      throw new InvalidSchemaException(origin + ": 'fields' must be a non-empty array");
    }
    LinkedHashMap<String, FieldSpec> fields = new LinkedHashMap<>();
    for (JsonNode f : fieldsNode) {
      FieldSpec spec = field(f, origin);
      if (fields.put(spec.name(), spec) != null) {
        throw new InvalidSchemaException(origin + ": field '" + spec.name() + "' is declared twice");
      }
    }
    List<String> unique = new ArrayList<>();
    for (JsonNode u : root.path("unique")) {
      if (!fields.containsKey(u.asText())) {
        throw new InvalidSchemaException(origin + ": unique column '" + u.asText() + "' is no field");
      }
      unique.add(u.asText());
      refuseEncrypted(fields.get(u.asText()), "unique", origin);
    }
    List<ChildSpec> children = new ArrayList<>();
    Set<String> childPaths = new HashSet<>();
    for (JsonNode c : root.path("children")) {
      String path = c.path("path").asText("");
      String childTable = c.path("table").asText("");
      if (path.isEmpty() || !NAME.matcher(childTable).matches() || !childPaths.add(path)) {
        throw new InvalidSchemaException(
            origin + ": each child needs a unique 'path' and a 'table' matching [a-z0-9_]{1,64}");
      }
      List<String> parentKey = new ArrayList<>();
      for (JsonNode k : c.path("parent_key")) {
        if (!fields.containsKey(k.asText())) {
          throw new InvalidSchemaException(
              origin + ": parent_key column '" + k.asText() + "' is no field of " + table);
        }
        parentKey.add(k.asText());
        refuseEncrypted(fields.get(k.asText()), "parent_key", origin);
      }
      children.add(new ChildSpec(path, childTable, parentKey));
    }
    return new TableSchema(source, table, version, fields, unique, children);
  }

  /** Encrypted text differs per row, so it cannot identify or join rows; a hash can. */
  private static void refuseEncrypted(FieldSpec field, String role, String origin) {
    if (field.pii() == PiiProtection.ENCRYPT) {
      throw new InvalidSchemaException(
          origin + ": field '" + field.name() + "' is a " + role
              + " column: its 'pii' may be 'hash', not 'encrypt'");
    }
  }

  private static String name(JsonNode root, String key, String origin) {
    String value = root.path(key).asText("");
    if (!NAME.matcher(value).matches()) {
      throw new InvalidSchemaException(origin + ": '" + key + "' must match [a-z0-9_]{1,64}");
    }
    return value;
  }

  private static FieldSpec field(JsonNode f, String origin) {
    String name = f.path("name").asText("");
    if (!COLUMN.matcher(name).matches() || RESERVED_COLUMNS.contains(name)) {
      throw new InvalidSchemaException(
          origin + ": field name '" + name + "' is invalid or reserved " + RESERVED_COLUMNS);
    }
    String where = origin + ": field '" + name + "'";
    f.fieldNames()
        .forEachRemaining(
            k -> {
              if (!KEYWORDS.contains(k)) {
                throw new InvalidSchemaException(where + ": unknown keyword '" + k + "'");
              }
            });
    FieldType type;
    try {
      type = FieldType.parse(f.path("type").asText(""));
    } catch (IllegalArgumentException e) {
      throw new InvalidSchemaException(where + ": unknown type '" + f.path("type").asText() + "'");
    }
    int scale = f.path("scale").asInt(type == FieldType.DECIMAL ? 2 : 0);
    if (type == FieldType.DECIMAL && (scale < 0 || scale > 18)) {
      throw new InvalidSchemaException(where + ": scale must be between 0 and 18");
    }
    BigDecimal min = bound(f, "min", type, where);
    BigDecimal max = bound(f, "max", type, where);
    Pattern pattern = null;
    if (f.has("pattern")) {
      if (type != FieldType.STRING) {
        throw new InvalidSchemaException(where + ": 'pattern' applies to strings only");
      }
      try {
        pattern = Pattern.compile(endAnchorsAtEndOfInput(f.get("pattern").asText()));
      } catch (PatternSyntaxException e) {
        throw new InvalidSchemaException(where + ": 'pattern' is not a valid regular expression");
      }
    }
    List<String> enumValues = null;
    if (f.has("enum")) {
      if (!f.get("enum").isArray() || f.get("enum").isEmpty()) {
        throw new InvalidSchemaException(where + ": 'enum' must be a non-empty array");
      }
      enumValues = new ArrayList<>();
      for (JsonNode v : f.get("enum")) {
        enumValues.add(v.asText());
      }
    }
    PiiProtection pii = null;
    if (f.has("pii")) {
      if (type != FieldType.STRING) {
        // The protected text replaces the value: only a string column can hold it unchanged.
        throw new InvalidSchemaException(where + ": 'pii' applies to strings only");
      }
      try {
        pii = PiiProtection.parse(f.get("pii").asText(""));
      } catch (IllegalArgumentException e) {
        throw new InvalidSchemaException(where + ": 'pii' must be 'hash' or 'encrypt'");
      }
    }
    String defaultJson = f.has("default") && !f.get("default").isNull() ? f.get("default").toString() : null;
    FieldSpec spec =
        new FieldSpec(
            name,
            type,
            f.path("required").asBoolean(false),
            defaultJson,
            min,
            max,
            pattern,
            pattern == null ? null : f.get("pattern").asText(),
            enumValues,
            scale,
            pii);
    if (defaultJson != null) {
      try {
        FieldCheck.check(spec, f.get("default"));
      } catch (FieldCheck.Violation v) {
        throw new InvalidSchemaException(where + ": default value breaks the field's rules: " + v.rule());
      }
    }
    return spec;
  }

  /**
   * Java's '$' also matches before a final line break, so "O-1\n" would pass "^O-[0-9]+$". In a
   * schema, '$' means the end of the value, as in JSON Schema: rewrite it as '\z'.
   */
  static String endAnchorsAtEndOfInput(String regex) {
    StringBuilder out = new StringBuilder(regex.length() + 4);
    boolean escaped = false;
    int classDepth = 0;
    for (int i = 0; i < regex.length(); i++) {
      char c = regex.charAt(i);
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '[') {
        classDepth++;
      } else if (c == ']' && classDepth > 0) {
        classDepth--;
      } else if (c == '$' && classDepth == 0) {
        out.append("\\z");
        continue;
      }
      out.append(c);
    }
    return out.toString();
  }

  private static BigDecimal bound(JsonNode f, String key, FieldType type, String where) {
    if (!f.has(key)) {
      return null;
    }
    if (!type.isNumeric() || !f.get(key).isNumber()) {
      throw new InvalidSchemaException(where + ": '" + key + "' needs a numeric type and value");
    }
    return f.get(key).decimalValue();
  }

  public String source() {
    return source;
  }

  public String table() {
    return table;
  }

  public int version() {
    return version;
  }

  public Map<String, FieldSpec> fields() {
    return java.util.Collections.unmodifiableMap(fields);
  }

  public List<String> unique() {
    return unique;
  }

  public List<ChildSpec> children() {
    return children;
  }

  /** The child declared at a dotted payload path, or null. */
  public ChildSpec childAt(String path) {
    for (ChildSpec c : children) {
      if (c.path().equals(path)) {
        return c;
      }
    }
    return null;
  }
}
