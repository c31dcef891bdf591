package io.beamline.io.jdbc;

import io.beamline.transforms.schema.TableSchema;
import io.beamline.transforms.schema.TableSchemas;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.zip.CRC32;
import org.flywaydb.core.api.MigrationVersion;
import org.flywaydb.core.api.migration.Context;
import org.flywaydb.core.api.migration.JavaMigration;

/**
 * The repeatable Flyway migration that makes the etl tables of the table schema files. Its
 * checksum hashes the tables' definitions ({@link EtlTableDdl#definition()}), so Flyway runs it
 * again whenever a schema file changes a table's columns, and never otherwise.
 *
 * <p>Each run creates the tables that are missing (with their DEFAULT partition) and adds the
 * columns that are missing, nullable. It never drops or retypes a column: a column whose type
 * differs from its field's fails the migration, naming the table and column. A NOT NULL column
 * whose field became optional, or left the schema, is made nullable, so rows without it load.
 */
final class EtlTablesMigration implements JavaMigration {
  /** Bump when the generated SQL changes for the same schemas, so that existing tables follow. */
  private static final int GENERATOR_VERSION = 1;

  private final List<EtlTableDdl> tables;

  EtlTablesMigration(TableSchemas schemas) {
    List<EtlTableDdl> ddl = new ArrayList<>();
    for (TableSchema t : schemas.all()) {
      ddl.add(EtlTableDdl.of(schemas, t));
    }
    ddl.sort(Comparator.comparing(EtlTableDdl::tableName));
    this.tables = List.copyOf(ddl);
  }

  @Override
  public MigrationVersion getVersion() {
    return null; // repeatable
  }

  @Override
  public String getDescription() {
    return "etl tables from schema files";
  }

  @Override
  public Integer getChecksum() {
    CRC32 crc = new CRC32();
    crc.update(("generator " + GENERATOR_VERSION + "\n").getBytes(StandardCharsets.UTF_8));
    for (EtlTableDdl t : tables) {
      crc.update((t.definition() + "\n").getBytes(StandardCharsets.UTF_8));
    }
    return (int) crc.getValue();
  }

  @Override
  public boolean canExecuteInTransaction() {
    return true;
  }

  @Override
  public void migrate(Context context) throws SQLException {
    Connection c = context.getConnection();
    for (EtlTableDdl t : tables) {
      apply(c, t);
    }
  }

  static void apply(Connection c, EtlTableDdl t) throws SQLException {
    Map<String, DbColumn> existing = columnsOf(c, t);
    List<String> sql = new ArrayList<>();
    if (existing.isEmpty()) {
      sql.addAll(t.createStatements());
    } else {
      sql.add(t.createStatements().get(1)); // the DEFAULT partition, if it went missing
      Map<String, EtlTableDdl.Column> wanted = t.columnsByName();
      for (EtlTableDdl.Column col : wanted.values()) {
        DbColumn db = existing.get(col.name());
        if (db == null) {
          sql.add(t.addColumn(col));
        } else if (!db.type.equals(col.type())) {
          throw new IllegalStateException(
              t.origin() + ": column " + t.qualifiedName() + "." + col.name() + " is "
                  + db.type + " in the database but " + col.type() + " in the schema; Beamline"
                  + " never changes the type of a column: add a field with a new name instead");
        } else if (db.notNull && !col.notNull()) {
          sql.add(t.dropNotNull(col.name()));
        }
      }
      for (DbColumn db : existing.values()) {
        if (!wanted.containsKey(db.name) && db.notNull) {
          sql.add(t.dropNotNull(db.name)); // its field left the schema: rows come without it
        }
      }
    }
    try (Statement s = c.createStatement()) {
      for (String statement : sql) {
        s.execute(statement);
      }
    }
  }

  private record DbColumn(String name, String type, boolean notNull) {}

  /** The table's columns as the catalog has them, in order; empty if there is no such table. */
  private static Map<String, DbColumn> columnsOf(Connection c, EtlTableDdl t)
      throws SQLException {
    Map<String, DbColumn> out = new LinkedHashMap<>();
    try (PreparedStatement s =
        c.prepareStatement(
            "SELECT c.relkind, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull"
                + " FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid"
                + " WHERE c.oid = to_regclass(?) AND a.attnum > 0 AND NOT a.attisdropped"
                + " ORDER BY a.attnum")) {
      s.setString(1, t.qualifiedName());
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) {
          if (!"p".equals(r.getString(1))) {
            throw new IllegalStateException(
                t.origin() + ": " + t.qualifiedName() + " exists but is not partitioned by "
                    + EtlTableDdl.PARTITION_COLUMN + "; Beamline did not make it");
          }
          out.put(r.getString(2), new DbColumn(r.getString(2), r.getString(3), r.getBoolean(4)));
        }
      }
    }
    return out;
  }

  @Override
  public String toString() {
    return "EtlTablesMigration["
        + tables.stream().map(EtlTableDdl::tableName).collect(Collectors.joining(", ")) + "]";
  }
}
