package io.beamline.io.jdbc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.beamline.transforms.DeadLetters;
import io.beamline.transforms.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Types;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.regex.Pattern;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Reshuffle;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;

/**
 * Reads the rows of a source table whose watermark column lies in (low, high] and turns each into
 * an unencrypted envelope line: {@code event_id} and {@code event_time} from the named columns,
 * tenant, source and table as configured, the row as the payload. The bounds are fixed before the
 * run (see {@link IngestWatermarks}), so a run reads a stable range and the next one continues
 * after it. Rows without an id or time still become envelopes; the parser dead-letters them.
 */
public final class ReadNewRowsFromJdbc extends PTransform<PBegin, PCollection<String>> {
  private static final Pattern TABLE = Pattern.compile("[a-z0-9_]{1,64}(\\.[a-z0-9_]{1,64})?");
  private static final DateTimeFormatter ISO = DateTimeFormatter.ISO_OFFSET_DATE_TIME;

  private final JdbcConnection connection;
  private final String sourceTable;
  private final String watermarkColumn;
  private final String idColumn;
  private final String eventTimeColumn;
  private final String tenant;
  private final String source;
  private final String table;
  private final String low;
  private final String high;

  private ReadNewRowsFromJdbc(
      JdbcConnection connection, String sourceTable, String watermarkColumn, String idColumn,
      String eventTimeColumn, String tenant, String source, String table, String low, String high) {
    this.connection = connection;
    this.sourceTable = sourceTable;
    this.watermarkColumn = watermarkColumn;
    this.idColumn = idColumn;
    this.eventTimeColumn = eventTimeColumn;
    this.tenant = tenant;
    this.source = source;
    this.table = table;
    this.low = low;
    this.high = high;
  }

  /**
   * Rows of {@code sourceTable} ({@code table} or {@code schema.table}) with {@code
   * watermarkColumn} above {@code low} (null: from the start) and at most {@code high}.
   */
  public static ReadNewRowsFromJdbc of(
      JdbcConnection connection, String sourceTable, String watermarkColumn, String low, String high) {
    if (sourceTable == null || !TABLE.matcher(sourceTable).matches()) {
      throw new IllegalArgumentException("--sourceTable must be table or schema.table in [a-z0-9_], got " + sourceTable);
    }
    EtlRowStatements.check(watermarkColumn);
    return new ReadNewRowsFromJdbc(connection, sourceTable, watermarkColumn, "id", "event_time", null, null, null, low, high);
  }

  /** Which columns give event_id and event_time. */
  public ReadNewRowsFromJdbc withEventColumns(String id, String eventTime) {
    EtlRowStatements.check(id);
    EtlRowStatements.check(eventTime);
    return new ReadNewRowsFromJdbc(connection, sourceTable, watermarkColumn, id, eventTime, tenant, source, table, low, high);
  }

  /** The tenant, source and table every envelope names. */
  public ReadNewRowsFromJdbc asEnvelopesOf(String tenant, String source, String table) {
    return new ReadNewRowsFromJdbc(connection, sourceTable, watermarkColumn, idColumn, eventTimeColumn, tenant, source, table, low, high);
  }

  String query() {
    String qualified = quoteQualified(sourceTable);
    String wm = EtlRowStatements.quote(watermarkColumn);
    return "SELECT * FROM " + qualified + " WHERE " + (low == null ? "" : wm + " > CAST(? AS " + typeMarker() + ") AND ")
        + wm + " <= CAST(? AS " + typeMarker() + ") ORDER BY " + wm;
  }

  /** Filled in with the column's SQL type when the query runs; see {@link IngestWatermarks#columnType}. */
  private static String typeMarker() {
    return "%TYPE%";
  }

  static String quoteQualified(String name) {
    String[] parts = name.split("\\.");
    return parts.length == 1
        ? EtlRowStatements.quote(parts[0])
        : EtlRowStatements.quote(parts[0]) + "." + EtlRowStatements.quote(parts[1]);
  }

  @Override
  public PCollection<String> expand(PBegin begin) {
    return begin
        .apply("Range", Create.of(sourceTable))
        .apply("ReadRows", ParDo.of(new ReadRowsFn(this)))
        // The rows come from one query on one worker; spread them before the heavy stages.
        .apply("Spread", Reshuffle.viaRandomKey());
  }

  static final class ReadRowsFn extends DoFn<String, String> {
    private final Counter recordsIn = Metrics.counter(DeadLetters.METRICS_NAMESPACE, "records_in");
    private final ReadNewRowsFromJdbc spec;

    ReadRowsFn(ReadNewRowsFromJdbc spec) {
      this.spec = spec;
    }

    @ProcessElement
    public void process(OutputReceiver<String> out) throws SQLException {
      try (Connection c = spec.connection.open()) {
        c.setAutoCommit(false); // lets the driver stream rows with a cursor
        String type = IngestWatermarks.columnType(c, spec.sourceTable, spec.watermarkColumn);
        try (PreparedStatement s = c.prepareStatement(spec.query().replace("%TYPE%", type))) {
          s.setFetchSize(1000);
          int i = 1;
          if (spec.low != null) {
            s.setString(i++, spec.low);
          }
          s.setString(i, spec.high);
          try (ResultSet rs = s.executeQuery()) {
            ResultSetMetaData meta = rs.getMetaData();
            while (rs.next()) {
              out.output(spec.envelope(rs, meta));
              recordsIn.inc();
            }
          }
        }
        c.commit();
      }
    }
  }

  String envelope(ResultSet rs, ResultSetMetaData meta) throws SQLException {
    ObjectNode payload = Json.MAPPER.createObjectNode();
    for (int col = 1; col <= meta.getColumnCount(); col++) {
      payload.set(meta.getColumnLabel(col), value(rs, meta, col));
    }
    ObjectNode env = Json.MAPPER.createObjectNode();
    JsonNode id = payload.get(idColumn);
    if (id != null && !id.isNull()) {
      env.put("event_id", id.asText());
    }
    JsonNode time = payload.get(eventTimeColumn);
    if (time != null && !time.isNull()) {
      env.put("event_time", time.asText());
    }
    if (tenant != null) {
      env.put("tenant", tenant);
    }
    if (source != null) {
      env.put("source", source);
    }
    if (table != null) {
      env.put("table", table);
    }
    env.set("payload", payload);
    return env.toString();
  }

  private static JsonNode value(ResultSet rs, ResultSetMetaData meta, int col) throws SQLException {
    Object v = rs.getObject(col);
    if (v == null) {
      return Json.MAPPER.nullNode();
    }
    switch (meta.getColumnType(col)) {
      case Types.TIMESTAMP_WITH_TIMEZONE:
      case Types.TIMESTAMP:
        OffsetDateTime t = rs.getObject(col, OffsetDateTime.class);
        return Json.MAPPER.getNodeFactory().textNode(ISO.format(t.withOffsetSameInstant(ZoneOffset.UTC)));
      case Types.DATE:
        return Json.MAPPER.getNodeFactory().textNode(rs.getObject(col, java.time.LocalDate.class).toString());
      case Types.NUMERIC:
      case Types.DECIMAL:
        return Json.MAPPER.getNodeFactory().numberNode(rs.getBigDecimal(col));
      case Types.INTEGER:
      case Types.SMALLINT:
      case Types.BIGINT:
        return Json.MAPPER.getNodeFactory().numberNode(rs.getLong(col));
      case Types.DOUBLE:
      case Types.REAL:
      case Types.FLOAT:
        return Json.MAPPER.getNodeFactory().numberNode(rs.getDouble(col));
      case Types.BOOLEAN:
      case Types.BIT:
        return Json.MAPPER.getNodeFactory().booleanNode(rs.getBoolean(col));
      default:
        if ("json".equals(meta.getColumnTypeName(col)) || "jsonb".equals(meta.getColumnTypeName(col))) {
          try {
            return Json.MAPPER.readTree(rs.getString(col));
          } catch (IOException e) {
            throw new UncheckedIOException("column " + meta.getColumnLabel(col) + " is not JSON", e);
          }
        }
        return Json.MAPPER.getNodeFactory().textNode(rs.getString(col));
    }
  }
}
