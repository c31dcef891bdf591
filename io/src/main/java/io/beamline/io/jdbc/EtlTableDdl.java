package io.beamline.io.jdbc;

import io.beamline.transforms.schema.FieldSpec;
import io.beamline.transforms.schema.InvalidSchemaException;
import io.beamline.transforms.schema.TableSchema;
import io.beamline.transforms.schema.TableSchemas;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The PostgreSQL table of one table schema, {@code etl."<source>__<table>"}, as SQL: range
 * partitioned by {@code event_date}, with a DEFAULT partition and one partition per day made on
 * demand ({@link #ensureDailyPartition}).
 *
 * <p>Columns, in order: {@code event_id text, tenant text, event_time timestamptz, event_date
 * date, row_index integer, _ingested_at timestamptz} (all NOT NULL), then the schema's columns in
 * file order (a child table's carried parent key columns last, as in Parquet), NOT NULL when the
 * field is required, then {@code _extra text}. Primary key {@code (tenant, event_id, row_index,
 * event_date)}.
 *
 * <p>Every identifier is checked against {@code [a-z0-9_]{1,64}} (and PostgreSQL's 63-byte limit,
 * beyond which it would silently cut a name) and double-quoted; an invalid one is rejected with a
 * message naming the schema file and field. Everything but {@link #ensureDailyPartition} is pure.
 */
public final class EtlTableDdl {
  /** The PostgreSQL schema of the etl tables. */
  public static final String SCHEMA = "etl";

  public static final String EXTRA = "_extra";

  /** Columns before the schema's own, all NOT NULL. */
  public static final List<Column> LEADING_COLUMNS =
      List.of(
          new Column("event_id", "text", true),
          new Column("tenant", "text", true),
          new Column("event_time", "timestamp with time zone", true),
          new Column("event_date", "date", true),
          new Column("row_index", "integer", true),
          new Column("_ingested_at", "timestamp with time zone", true));

  /** Columns every etl table has besides the schema's: a schema field may not use these names. */
  public static final Set<String> METADATA_COLUMNS =
      Set.of("event_id", "tenant", "event_time", "event_date", "row_index", "_ingested_at", EXTRA);

  public static final List<String> PRIMARY_KEY =
      List.of("tenant", "event_id", "row_index", "event_date");

  public static final String PARTITION_COLUMN = "event_date";

  private static final Pattern IDENTIFIER = Pattern.compile("[a-z0-9_]{1,64}");
  /** PostgreSQL's NAMEDATALEN - 1: longer names are silently truncated, so they are refused. */
  static final int MAX_NAME_BYTES = 63;
  /** The longest suffix a table name gets: {@code _pYYYYMMDD} and {@code _default}. */
  private static final int PARTITION_SUFFIX = "_p20261120".length();

  private static final DateTimeFormatter DAY = DateTimeFormatter.BASIC_ISO_DATE;

  /**
   * One column: its name, its type as PostgreSQL's {@code format_type} prints it (so that it can
   * be compared with the catalog), and whether it is NOT NULL.
   */
  public record Column(String name, String type, boolean notNull) {
    String ddl() {
      return quote(name) + " " + type + (notNull ? " NOT NULL" : "");
    }
  }

  private final String source;
  private final String table;
  private final String origin;
  private final List<Column> columns;

  private EtlTableDdl(String source, String table, String origin, List<Column> columns) {
    this.source = source;
    this.table = table;
    this.origin = origin;
    this.columns = List.copyOf(columns);
  }

  /** The table of a schema with all its row columns: a child table's carried keys included. */
  public static EtlTableDdl of(TableSchemas schemas, TableSchema schema) {
    return of(schema.source(), schema.table(), schemas.columnsOf(schema.source(), schema.table()));
  }

  /** The table of a schema's own fields (no carried parent key columns). */
  public static EtlTableDdl of(TableSchema schema) {
    return of(schema.source(), schema.table(), List.copyOf(schema.fields().values()));
  }

  /**
   * @throws InvalidSchemaException naming the schema file ({@code <source>/<table>.json}) and
   *     field when a name is not a valid identifier or a field takes a metadata column's name
   */
  public static EtlTableDdl of(String source, String table, List<FieldSpec> fields) {
    String origin = source + "/" + table + ".json";
    checkName(source, origin + ": source");
    checkName(table, origin + ": table");
    String name = source + "__" + table;
    if (name.length() + PARTITION_SUFFIX > MAX_NAME_BYTES) {
      throw new InvalidSchemaException(
          origin + ": source and table names are too long for PostgreSQL: '" + name
              + "' plus a partition suffix must fit in " + MAX_NAME_BYTES + " bytes");
    }
    List<Column> columns = new ArrayList<>(LEADING_COLUMNS);
    for (FieldSpec f : fields) {
      checkName(f.name(), origin + ": field '" + f.name() + "'");
      if (METADATA_COLUMNS.contains(f.name())) {
        throw new InvalidSchemaException(
            origin + ": field '" + f.name() + "' has the name of a metadata column of every etl"
                + " table " + METADATA_COLUMNS.stream().sorted().collect(Collectors.toList()));
      }
      columns.add(new Column(f.name(), sqlType(f), f.required()));
    }
    columns.add(new Column(EXTRA, "text", false));
    return new EtlTableDdl(source, table, origin, columns);
  }

  private static void checkName(String name, String what) {
    if (name == null || !IDENTIFIER.matcher(name).matches()) {
      throw new InvalidSchemaException(
          what + ": '" + name + "' is not a valid identifier: it must match " + IDENTIFIER);
    }
    if (name.getBytes(StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
      throw new InvalidSchemaException(
          what + ": '" + name + "' is longer than PostgreSQL's " + MAX_NAME_BYTES + " bytes");
    }
  }

  /** The PostgreSQL type of a field, as {@code format_type} prints it. */
  public static String sqlType(FieldSpec f) {
    switch (f.type()) {
      case STRING:
        return "text";
      case INT:
        return "integer";
      case LONG:
        return "bigint";
      case DOUBLE:
        return "double precision";
      case DECIMAL:
        return "numeric(38," + f.scale() + ")";
      case BOOLEAN:
        return "boolean";
      case TIMESTAMP:
        return "timestamp with time zone";
      case DATE:
        return "date";
      default:
        throw new IllegalArgumentException("no PostgreSQL type for " + f.type());
    }
  }

  /** {@code "name"}, after checking it against {@code [a-z0-9_]{1,64}}. */
  public static String quote(String identifier) {
    checkName(identifier, "identifier");
    return '"' + identifier + '"';
  }

  public String source() {
    return source;
  }

  public String table() {
    return table;
  }

  /** The schema file this table comes from, {@code <source>/<table>.json}, for messages. */
  public String origin() {
    return origin;
  }

  /** {@code <source>__<table>}. */
  public String tableName() {
    return tableName(source, table);
  }

  /** {@code etl."<source>__<table>"}. */
  public String qualifiedName() {
    return SCHEMA + "." + quote(tableName());
  }

  public String defaultPartitionName() {
    return tableName() + "_default";
  }

  public List<Column> columns() {
    return columns;
  }

  /** The columns by name, in order. */
  public Map<String, Column> columnsByName() {
    Map<String, Column> out = new LinkedHashMap<>();
    columns.forEach(c -> out.put(c.name(), c));
    return out;
  }

  /** The parent table and its DEFAULT partition, both {@code IF NOT EXISTS}. */
  public List<String> createStatements() {
    String cols = columns.stream().map(Column::ddl).collect(Collectors.joining(",\n  "));
    String key = PRIMARY_KEY.stream().map(EtlTableDdl::quote).collect(Collectors.joining(", "));
    return List.of(
        "CREATE TABLE IF NOT EXISTS " + qualifiedName() + " (\n  " + cols
            + ",\n  PRIMARY KEY (" + key + ")\n) PARTITION BY RANGE (" + quote(PARTITION_COLUMN)
            + ")",
        "CREATE TABLE IF NOT EXISTS " + SCHEMA + "." + quote(defaultPartitionName())
            + " PARTITION OF " + qualifiedName() + " DEFAULT");
  }

  /** Adds a column that is missing, always nullable: the rows already there have no value. */
  public String addColumn(Column c) {
    return "ALTER TABLE " + qualifiedName() + " ADD COLUMN IF NOT EXISTS " + quote(c.name()) + " "
        + c.type();
  }

  /** Lets a column take nulls: its field became optional, or left the schema. */
  public String dropNotNull(String column) {
    return "ALTER TABLE " + qualifiedName() + " ALTER COLUMN " + quote(column) + " DROP NOT NULL";
  }

  /**
   * What the table's SQL depends on, as text: names, types and NOT NULL of its columns in order.
   * Hashed into the checksum of the migration that creates the etl tables.
   */
  public String definition() {
    return qualifiedName() + "("
        + columns.stream()
            .map(c -> c.name() + " " + c.type() + (c.notNull() ? " not null" : ""))
            .collect(Collectors.joining(", "))
        + ")";
  }

  public static String tableName(String source, String table) {
    return source + "__" + table;
  }

  /** {@code <source>__<table>_p<yyyymmdd>}. */
  public static String partitionName(String source, String table, LocalDate day) {
    return tableName(source, table) + "_p" + DAY.format(day);
  }

  /** The partition of one day: {@code FOR VALUES FROM (day) TO (day + 1)}. */
  public static String createPartition(String source, String table, LocalDate day) {
    return "CREATE TABLE IF NOT EXISTS " + SCHEMA + "." + quote(partitionName(source, table, day))
        + " PARTITION OF " + SCHEMA + "." + quote(tableName(source, table))
        + " FOR VALUES FROM ('" + day + "') TO ('" + day.plusDays(1) + "')";
  }

  /**
   * Makes sure {@code etl."<source>__<table>_p<yyyymmdd>"} exists, the partition of one day; does
   * nothing if it does. Safe when several writers call it at once (they take turns on an
   * advisory lock of the table). Rows of that day already in the DEFAULT partition (written
   * before the day had a partition) are moved into the new partition in the same transaction, so
   * no row is lost or left behind; only then is the table locked against writers (briefly).
   *
   * <p>Runs in a transaction of its own on the connection and commits it: call it between
   * transactions. The connection's auto-commit setting is restored.
   *
   * @throws SQLException if the table does not exist (run the warehouse migrations first)
   */
  public static void ensureDailyPartition(
      Connection c, String source, String table, LocalDate day) throws SQLException {
    String parent = SCHEMA + "." + quote(tableName(source, table));
    String partition = SCHEMA + "." + quote(partitionName(source, table, day));
    String defaultPartition = SCHEMA + "." + quote(tableName(source, table) + "_default");
    if (exists(c, partition)) {
      return; // the common case, without a transaction or lock
    }
    boolean autoCommit = c.getAutoCommit();
    c.setAutoCommit(false);
    try {
      if (!exists(c, parent)) {
        throw new SQLException(
            parent + " does not exist: run the warehouse migrations first", "42P01");
      }
      try (PreparedStatement lock =
          c.prepareStatement("SELECT pg_advisory_xact_lock(hashtextextended(?, 0))")) {
        lock.setString(1, parent);
        lock.execute();
      }
      if (!exists(c, partition)) {
        boolean fromDefault = exists(c, defaultPartition) && hasRowsOf(c, defaultPartition, day);
        try (Statement s = c.createStatement()) {
          if (!fromDefault) {
            s.execute(createPartition(source, table, day));
          } else {
            // Writers must not add rows of that day to DEFAULT until the partition exists.
            s.execute("LOCK TABLE " + parent + " IN SHARE ROW EXCLUSIVE MODE");
            String cols = columnList(c, parent);
            String where = " WHERE " + quote(PARTITION_COLUMN) + " = DATE '" + day + "'";
            s.execute("CREATE TEMPORARY TABLE beamline_moving ON COMMIT DROP AS SELECT " + cols
                + " FROM " + defaultPartition + where);
            s.execute("DELETE FROM " + defaultPartition + where);
            s.execute(createPartition(source, table, day));
            s.execute("INSERT INTO " + partition + " (" + cols + ") SELECT " + cols
                + " FROM beamline_moving");
          }
        }
      }
      c.commit();
    } catch (SQLException | RuntimeException e) {
      c.rollback();
      throw e;
    } finally {
      c.setAutoCommit(autoCommit);
    }
  }

  private static boolean exists(Connection c, String qualified) throws SQLException {
    try (PreparedStatement s = c.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
      s.setString(1, qualified);
      try (ResultSet r = s.executeQuery()) {
        r.next();
        return r.getBoolean(1);
      }
    }
  }

  private static boolean hasRowsOf(Connection c, String table, LocalDate day)
      throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "SELECT EXISTS (SELECT 1 FROM " + table + " WHERE " + quote(PARTITION_COLUMN)
                + " = ?)")) {
      s.setObject(1, day);
      try (ResultSet r = s.executeQuery()) {
        r.next();
        return r.getBoolean(1);
      }
    }
  }

  /** The table's columns, quoted, in order, as the catalog has them. */
  private static String columnList(Connection c, String qualified) throws SQLException {
    List<String> cols = new ArrayList<>();
    try (PreparedStatement s =
        c.prepareStatement(
            "SELECT attname FROM pg_attribute WHERE attrelid = to_regclass(?)"
                + " AND attnum > 0 AND NOT attisdropped ORDER BY attnum")) {
      s.setString(1, qualified);
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) {
          cols.add(quote(r.getString(1)));
        }
      }
    }
    return String.join(", ", cols);
  }
}
