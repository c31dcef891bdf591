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
