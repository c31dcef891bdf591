package io.beamline.pipelines.etl;

import io.beamline.io.jdbc.JdbcConnection;
import io.beamline.io.jdbc.LoadEtlRowsToPostgres;
import io.beamline.io.jdbc.WarehouseMigrations;
import io.beamline.options.WarehouseOptions;
import io.beamline.transforms.model.DeadLetter;
import io.beamline.transforms.model.EtlRow;
import io.beamline.transforms.schema.TableSchemas;
import java.io.Serializable;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Optional;
import org.apache.beam.sdk.values.PCollection;
import org.joda.time.Duration;

/**
 * The PostgreSQL warehouse a run loads, when {@code --jdbcUrl} names one: its connection and how
 * rows are batched. Checked and migrated before the pipeline starts, so bad credentials or an
 * unreachable server fail the run at once.
 */
final class Warehouse implements Serializable {
  private static final long serialVersionUID = 1L;

  private final JdbcConnection connection;
  private final int batchSize;
  private final Duration maxBuffering;

  private Warehouse(JdbcConnection connection, int batchSize, Duration maxBuffering) {
    this.connection = connection;
    this.batchSize = batchSize;
    this.maxBuffering = maxBuffering;
  }

  /**
   * The warehouse of the options, migrated to the table schemas; empty without {@code --jdbcUrl}.
   *
   * @throws IllegalArgumentException naming the option at a bad value, or when the warehouse
   *     cannot be reached with the credentials given
   */
  static Optional<Warehouse> prepare(WarehouseOptions options, TableSchemas schemas) {
    if (!JdbcConnection.isConfigured(options)) {
      return Optional.empty();
    }
    if (options.getLoadBatchSize() < 1) {
      throw new IllegalArgumentException("--loadBatchSize must be at least 1, got " + options.getLoadBatchSize());
    }
    if (options.getLoadMaxBufferingSeconds() < 1) {
      throw new IllegalArgumentException(
          "--loadMaxBufferingSeconds must be at least 1, got " + options.getLoadMaxBufferingSeconds());
    }
    JdbcConnection connection = JdbcConnection.fromOptions(options);
    try {
      WarehouseMigrations.migrate(connection, schemas);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          "--jdbcUrl: cannot migrate the warehouse at " + connection + ": " + rootMessage(e), e);
    }
    return Optional.of(
        new Warehouse(
            connection,
            options.getLoadBatchSize(),
            Duration.standardSeconds(options.getLoadMaxBufferingSeconds())));
  }

  JdbcConnection connection() {
    return connection;
  }

  /**
   * Loads rows: replacing each tenant's day they cover (a batch run that holds whole days), or
   * upserting them by row identity (a stream, or an incremental run that holds only new rows).
   * Returns the rows the warehouse refused, as dead letters.
   */
  PCollection<DeadLetter> load(PCollection<EtlRow> rows, TableSchemas schemas, Instant ingestedAt, boolean upsert) {
    LoadEtlRowsToPostgres load =
        LoadEtlRowsToPostgres.to(connection, schemas).withIngestedAt(ingestedAt).withBatchSize(batchSize);
    if (upsert) {
      load = load.upsertingInBatches(batchSize, maxBuffering);
    }
    return rows.apply("LoadWarehouse", load);
  }

  /** Records a finished run in {@code audit.runs}, the same numbers as its audit record. */
  void recordRun(EtlRunSummary summary) {
    var r = summary.record();
    try (Connection c = connection.open();
        PreparedStatement s =
            c.prepareStatement(
                "INSERT INTO audit.runs (run_id, command, runner, started_at, finished_at, records_in,"
                    + " etl_records, dead_letters, duplicates_dropped, conserved, summary)"
                    + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, CAST(? AS jsonb))"
                    + " ON CONFLICT (run_id) DO UPDATE SET finished_at = EXCLUDED.finished_at,"
                    + " records_in = EXCLUDED.records_in, etl_records = EXCLUDED.etl_records,"
                    + " dead_letters = EXCLUDED.dead_letters,"
                    + " duplicates_dropped = EXCLUDED.duplicates_dropped,"
                    + " conserved = EXCLUDED.conserved, summary = EXCLUDED.summary")) {
      s.setString(1, r.get("run_id").asText());
      s.setString(2, r.get("command").asText());
      s.setString(3, r.get("runner").asText());
      s.setObject(4, utc(r.get("started_at").asText()));
      s.setObject(5, utc(r.get("finished_at").asText()));
      s.setLong(6, r.get("records_in").asLong());
      s.setLong(7, r.get("etl_records").asLong());
      s.setLong(8, r.get("dead_letters").asLong());
      s.setLong(9, r.get("duplicates_dropped").asLong());
      s.setBoolean(10, r.get("conserved").asBoolean());
      s.setString(11, r.toString());
      s.executeUpdate();
    } catch (SQLException e) {
      throw new IllegalStateException("cannot record run " + summary.runId() + " in audit.runs: SQLSTATE " + e.getSQLState(), e);
    }
  }

  /** Records a quality audit document's verdicts in {@code audit.quality}, one row per table. */
  void recordQuality(com.fasterxml.jackson.databind.JsonNode document) {
    try (Connection c = connection.open()) {
      upsertQuality(c, document);
    } catch (SQLException e) {
      throw new IllegalStateException(
          "cannot record the quality of run " + document.path("runId").asText() + " in audit.quality: SQLSTATE "
              + e.getSQLState(), e);
    }
  }

  private static final String UPSERT_QUALITY =
      "INSERT INTO audit.quality (run_id, window_start, window_end, pane_index, source, table_name, row_count,"
          + " passed, quarantined, completeness, validity, uniqueness, verdict, evaluated_at)"
          + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, CAST(? AS jsonb), ?)"
          + " ON CONFLICT (run_id, source, table_name, (COALESCE(window_start, '-infinity'::timestamptz)))"
          + " DO UPDATE SET window_end = EXCLUDED.window_end, pane_index = EXCLUDED.pane_index,"
          + " row_count = EXCLUDED.row_count, passed = EXCLUDED.passed, quarantined = EXCLUDED.quarantined,"
          + " completeness = EXCLUDED.completeness, validity = EXCLUDED.validity,"
          + " uniqueness = EXCLUDED.uniqueness, verdict = EXCLUDED.verdict, evaluated_at = EXCLUDED.evaluated_at"
          + " WHERE EXCLUDED.pane_index >= audit.quality.pane_index";

  /** Upserts every table of a quality audit document (a window's later pane wins). */
  static void upsertQuality(Connection c, com.fasterxml.jackson.databind.JsonNode document) throws SQLException {
    var window = document.path("window");
    try (PreparedStatement s = c.prepareStatement(UPSERT_QUALITY)) {
      for (var t : document.path("tables")) {
        s.setString(1, document.path("runId").asText());
        s.setObject(2, window.isObject() ? utc(window.path("start").asText()) : null, java.sql.Types.TIMESTAMP_WITH_TIMEZONE);
        s.setObject(3, window.isObject() ? utc(window.path("end").asText()) : null, java.sql.Types.TIMESTAMP_WITH_TIMEZONE);
        s.setLong(4, document.path("pane").asLong(0));
        s.setString(5, t.path("source").asText());
        s.setString(6, t.path("table").asText());
        s.setLong(7, t.path("rows").asLong());
        s.setBoolean(8, t.path("passed").asBoolean());
        s.setBoolean(9, t.path("quarantined").asBoolean());
        s.setDouble(10, t.path("scores").path("completeness").asDouble());
        s.setDouble(11, t.path("scores").path("validity").asDouble());
        s.setDouble(12, t.path("scores").path("uniqueness").asDouble());
        s.setString(13, t.toString());
        s.setObject(14, utc(document.path("evaluatedAt").asText()));
        s.addBatch();
      }
      s.executeBatch();
    }
  }

  /** The stream's quality audit documents into {@code audit.quality}. */
  static final class UpsertQualityFn extends org.apache.beam.sdk.transforms.DoFn<String, Void> {
    private final JdbcConnection warehouse;

    UpsertQualityFn(JdbcConnection warehouse) {
      this.warehouse = warehouse;
    }

    @ProcessElement
    public void process(@Element String document) throws SQLException, java.io.IOException {
      try (Connection c = warehouse.open()) {
        upsertQuality(c, io.beamline.transforms.Json.MAPPER.readTree(document));
      }
    }
  }

  private static OffsetDateTime utc(String instant) {
    return OffsetDateTime.ofInstant(Instant.parse(instant), ZoneOffset.UTC);
  }

  private static String rootMessage(Throwable t) {
    Throwable root = t;
    while (root.getCause() != null) {
      root = root.getCause();
    }
    return root.getMessage();
  }
}
