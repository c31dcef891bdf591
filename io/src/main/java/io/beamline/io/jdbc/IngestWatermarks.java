package io.beamline.io.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.Optional;

/**
 * The high-water marks of incremental ingestion, kept in {@code audit.ingest_watermarks} of the
 * warehouse: where the last successful run of an ingestion ended. A run reads (mark, upper] where
 * upper is the source's maximum when the run starts, and moves the mark to upper once its output
 * is written, so no row is read twice and none is skipped.
 */
public final class IngestWatermarks {
  private IngestWatermarks() {}

  /** The stored mark of {@code ingestName}, if a run has finished before. */
  public static Optional<String> read(Connection warehouse, String ingestName) throws SQLException {
    try (PreparedStatement s =
        warehouse.prepareStatement("SELECT high_water FROM audit.ingest_watermarks WHERE source_name = ?")) {
      s.setString(1, ingestName);
      try (ResultSet rs = s.executeQuery()) {
        return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
      }
    }
  }

  /** Stores the mark a finished run reached. */
  public static void write(Connection warehouse, String ingestName, String column, String highWater)
      throws SQLException {
    try (PreparedStatement s =
        warehouse.prepareStatement(
            "INSERT INTO audit.ingest_watermarks (source_name, watermark_column, high_water, updated_at)"
                + " VALUES (?, ?, ?, now()) ON CONFLICT (source_name) DO UPDATE SET"
                + " watermark_column = EXCLUDED.watermark_column, high_water = EXCLUDED.high_water,"
                + " updated_at = EXCLUDED.updated_at")) {
      s.setString(1, ingestName);
      s.setString(2, column);
      s.setString(3, highWater);
      s.executeUpdate();
    }
  }

  /** The largest value of the watermark column now, as text; empty when the table is empty. */
  public static Optional<String> currentMax(Connection source, String sourceTable, String column)
      throws SQLException {
    String sql =
        "SELECT max(" + EtlRowStatements.quote(column) + ")::text FROM "
            + ReadNewRowsFromJdbc.quoteQualified(sourceTable);
    try (PreparedStatement s = source.prepareStatement(sql);
        ResultSet rs = s.executeQuery()) {
      rs.next();
      return Optional.ofNullable(rs.getString(1));
    }
  }

  /**
   * The standard SQL type the watermark column's bounds are cast to (for example {@code bigint}
   * or {@code timestamp with time zone}); a column of another kind cannot order new rows.
   */
  static String columnType(Connection c, String sourceTable, String column) throws SQLException {
    String sql =
        "SELECT " + EtlRowStatements.quote(column) + " FROM " + ReadNewRowsFromJdbc.quoteQualified(sourceTable)
            + " LIMIT 0";
    int type;
    String typeName;
    try (PreparedStatement s = c.prepareStatement(sql);
        ResultSet rs = s.executeQuery()) {
      type = rs.getMetaData().getColumnType(1);
      typeName = rs.getMetaData().getColumnTypeName(1);
    }
    if (type == Types.TIMESTAMP && "timestamptz".equalsIgnoreCase(typeName)) {
      type = Types.TIMESTAMP_WITH_TIMEZONE; // how pgjdbc reports a timestamptz
    }
    switch (type) {
      case Types.BIGINT:
        return "bigint";
      case Types.INTEGER:
      case Types.SMALLINT:
        return "integer";
      case Types.NUMERIC:
      case Types.DECIMAL:
        return "numeric";
      case Types.TIMESTAMP_WITH_TIMEZONE:
        return "timestamp with time zone";
      case Types.TIMESTAMP:
        return "timestamp";
      case Types.DATE:
        return "date";
      default:
        throw new SQLException(
            "--watermarkColumn " + column + " must be a number, timestamp or date column (JDBC type "
                + type + ")", "42804");
    }
  }
}
