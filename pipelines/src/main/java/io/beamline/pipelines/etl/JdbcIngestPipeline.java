package io.beamline.pipelines.etl;

import io.beamline.io.jdbc.IngestWatermarks;
import io.beamline.io.jdbc.JdbcConnection;
import io.beamline.io.jdbc.ReadNewRowsFromJdbc;
import io.beamline.options.IngestJdbcOptions;
import io.beamline.transforms.model.DeadLetter;
import java.sql.Connection;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.Optional;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.WithFailures;
import org.apache.beam.sdk.values.PCollection;

/**
 * {@code ingest-jdbc}: the rows of a database table that are new since the last run, as
 * unencrypted envelopes, through the same batch composition as {@code etl}, and loaded into the
 * warehouse. The high-water mark of the watermark column lives in the warehouse's {@code
 * audit.ingest_watermarks}: a run reads (mark, maximum when it starts] and moves the mark only
 * once its output is written and loaded, so every source row lands once across runs. The zones
 * get each run's files beside the earlier ones', and the warehouse upserts by row identity.
 */
public final class JdbcIngestPipeline {
  private JdbcIngestPipeline() {}

  /** What one run reads: the source, the range of the watermark column, the warehouse. */
  record Run(
      BatchEtlPipeline.Plan plan,
      Warehouse warehouse,
      JdbcConnection source,
      String ingestName,
      Optional<String> low,
      Optional<String> high) {}

  /** Checks options, migrates the warehouse and fixes the range; throws naming the option. */
  static Run prepare(IngestJdbcOptions options) {
    String table = BatchEtlPipeline.required(options.getSourceTable(), "--sourceTable");
    BatchEtlPipeline.required(options.getWatermarkColumn(), "--watermarkColumn");
    BatchEtlPipeline.required(options.getTenant(), "--tenant");
    BatchEtlPipeline.required(options.getSource(), "--source");
    BatchEtlPipeline.required(options.getTable(), "--table");
    BatchEtlPipeline.required(options.getJdbcUrl(), "--jdbcUrl");
    BatchEtlPipeline.Plan plan = BatchEtlPipeline.plan(options, "jdbc:" + table);
    if (plan.schemas().get(options.getSource(), options.getTable()) == null) {
      throw new IllegalArgumentException(
          "--source and --table: --schemaDir has no schema " + options.getSource() + "/" + options.getTable() + ".json");
    }
    Warehouse warehouse = Warehouse.prepare(options, plan.schemas()).orElseThrow();
    JdbcConnection source =
        options.getSourceJdbcUrl().isBlank()
            ? warehouse.connection()
            : JdbcConnection.of(
                options.getSourceJdbcUrl(),
                options.getSourceJdbcUser().isBlank() ? options.getJdbcUser() : options.getSourceJdbcUser(),
                sourcePassword(options)
                    .orElseThrow(
                        () ->
                            new IllegalArgumentException(
                                "--sourceJdbcPasswordFile or the variable named by --sourceJdbcPasswordEnv"
                                    + " must hold the source database's password")));
    String ingestName = options.getIngestName().isBlank() ? table : options.getIngestName();
    // Checks the identifiers before touching the database.
    ReadNewRowsFromJdbc.of(source, table, options.getWatermarkColumn(), null, "")
        .withEventColumns(options.getIdColumn(), options.getEventTimeColumn());
    try (Connection w = warehouse.connection().open();
        Connection s = source.open()) {
      Optional<String> low = IngestWatermarks.read(w, ingestName);
      Optional<String> high = IngestWatermarks.currentMax(s, table, options.getWatermarkColumn());
      return new Run(plan, warehouse, source, ingestName, low, high);
    } catch (SQLException e) {
      throw new IllegalArgumentException(
          "--sourceTable/--watermarkColumn: cannot read " + table + "." + options.getWatermarkColumn()
              + " (SQLSTATE " + e.getSQLState() + ": " + e.getMessage() + ")",
          e);
    }
  }

  private static Optional<String> sourcePassword(IngestJdbcOptions options) {
    String file = options.getSourceJdbcPasswordFile();
    if (file != null && !file.isBlank()) {
      return Optional.of(JdbcConnection.readPasswordFile(Path.of(file.trim())));
    }
    String name = options.getSourceJdbcPasswordEnv();
    String value = name == null || name.isBlank() ? null : System.getenv(name.trim());
    return value == null || value.isEmpty() ? Optional.empty() : Optional.of(value);
  }

  static Pipeline build(IngestJdbcOptions options, Run run) {
    Pipeline p = Pipeline.create(options);
    PCollection<String> lines =
        run.high().isEmpty() || run.high().equals(run.low())
            ? p.apply("NothingNew", Create.empty(org.apache.beam.sdk.coders.StringUtf8Coder.of()))
            : p.apply(
                "ReadNewRows",
                ReadNewRowsFromJdbc.of(
                        run.source(), options.getSourceTable(), options.getWatermarkColumn(),
                        run.low().orElse(null), run.high().get())
                    .withEventColumns(options.getIdColumn(), options.getEventTimeColumn())
                    .asEnvelopesOf(options.getTenant(), options.getSource(), options.getTable()));
    PCollection<DeadLetter> none =
        p.apply("NoReadFailures", Create.empty(DeadLetter.DeadLetterCoder.of()));
    BatchEtlPipeline.processAndWrite(
        WithFailures.Result.of(lines, none), run.plan(), options, false, Optional.of(run.warehouse()), true);
    return p;
  }

  /** Prepares, runs, audits, and then moves the high-water mark. */
  public static EtlRunSummary run(IngestJdbcOptions options) {
    Run run = prepare(options);
    EtlRunSummary summary =
        BatchEtlPipeline.runToEnd(
            "ingest-jdbc", build(options, run), run.plan(), run.plan().inputPattern(), Optional.of(run.warehouse()));
    if (run.high().isPresent() && summary.conserved()) {
      try (Connection w = run.warehouse().connection().open()) {
        IngestWatermarks.write(w, run.ingestName(), options.getWatermarkColumn(), run.high().get());
      } catch (SQLException e) {
        throw new IllegalStateException(
            "the run finished, but its high-water mark could not be stored (SQLSTATE " + e.getSQLState() + ")", e);
      }
    }
    return summary;
  }
}
