package io.beamline.transforms.schema;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Every table schema of a run, loaded and cross-checked once before the pipeline starts. Also
 * knows each table's full column list: its own fields plus the parent key columns it carries as a
 * child table.
 */
public final class TableSchemas implements Serializable {
  private static final long serialVersionUID = 1L;

  private final Map<String, TableSchema> tables;
  private final Map<String, List<FieldSpec>> columns;

  private TableSchemas(Map<String, TableSchema> tables) {
    this.tables = tables;
    this.columns = new HashMap<>();
    for (TableSchema t : tables.values()) {
      columns.put(key(t.source(), t.table()), new ArrayList<>(t.fields().values()));
    }
    for (TableSchema parent : tables.values()) {
      for (ChildSpec child : parent.children()) {
        String childKey = key(parent.source(), child.table());
        TableSchema childSchema = tables.get(childKey);
        if (childSchema == null) {
          throw new InvalidSchemaException(
              parent.source() + "/" + parent.table() + ": child table '" + child.table()
                  + "' has no schema file");
        }
        for (String k : child.parentKey()) {
          FieldSpec parentField = parent.fields().get(k);
          FieldSpec own = childSchema.fields().get(k);
          if (own != null && own.type() != parentField.type()) {
            throw new InvalidSchemaException(
                parent.source() + "/" + child.table() + ": column '" + k
                    + "' has another type than in parent " + parent.table());
          }
          if (own != null && own.pii() != parentField.pii()) {
            throw new InvalidSchemaException(
                parent.source() + "/" + child.table() + ": column '" + k
                    + "' has another 'pii' than in parent " + parent.table());
          }
          List<FieldSpec> cols = columns.get(childKey);
          if (cols.stream().noneMatch(c -> c.name().equals(k))) {
            cols.add(parentField.asCarriedKey());
          }
        }
      }
    }
    // Read per row by validation and the Parquet writer: freeze once, hand out as is.
    columns.replaceAll((table, cols) -> List.copyOf(cols));
  }

  /** Builds the registry from parsed schemas, checking that children and parents agree. */
  public static TableSchemas of(Collection<TableSchema> schemas) {
    Map<String, TableSchema> byKey = new LinkedHashMap<>();
    for (TableSchema s : schemas) {
      if (byKey.put(key(s.source(), s.table()), s) != null) {
        throw new InvalidSchemaException(
            "table " + s.source() + "/" + s.table() + " is declared twice");
      }
    }
    return new TableSchemas(byKey);
  }

  /**
   * Loads {@code <dir>/<source>/<table>.json} for every file there. Fails with a message naming
   * the directory or the file when anything is missing or invalid.
   */
  public static TableSchemas load(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new InvalidSchemaException("--schemaDir " + dir + " is not a directory");
    }
    List<TableSchema> schemas = new ArrayList<>();
    try (Stream<Path> files = Files.walk(dir, 2)) {
      for (Path file : (Iterable<Path>) files.sorted()::iterator) {
        if (!Files.isRegularFile(file)
            || !file.getFileName().toString().endsWith(".json")
            || file.getFileName().toString().contains(".quality.")
            || dir.relativize(file).getNameCount() != 2) {
          continue;
        }
        String origin = dir.relativize(file).toString();
        TableSchema s = TableSchema.parse(Files.readString(file, StandardCharsets.UTF_8), origin);
        String expected = s.source() + "/" + s.table() + ".json";
        if (!origin.replace('\\', '/').equals(expected)) {
          throw new InvalidSchemaException(origin + ": declares " + s.source() + "/" + s.table()
              + ", so it must be at " + expected);
        }
        schemas.add(s);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read --schemaDir " + dir, e);
    }
    if (schemas.isEmpty()) {
      throw new InvalidSchemaException("--schemaDir " + dir + " holds no <source>/<table>.json file");
    }
    return of(schemas);
  }

  /** The schema of a table, or null when the table is unknown. */
  public TableSchema get(String source, String table) {
    return tables.get(key(source, table));
  }

  /** All columns of a table's rows, in order: its fields, then carried parent key columns. */
  public List<FieldSpec> columnsOf(String source, String table) {
    List<FieldSpec> cols = columns.get(key(source, table));
    if (cols == null) {
      throw new IllegalArgumentException("unknown table " + source + "/" + table);
    }
    return cols;
  }

  public Collection<TableSchema> all() {
    return tables.values();
  }

  private static String key(String source, String table) {
    return source + "/" + table;
  }
}
