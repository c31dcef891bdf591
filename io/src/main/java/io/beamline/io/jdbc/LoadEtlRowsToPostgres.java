package io.beamline.io.jdbc;

import io.beamline.transforms.DeadLetters;
import io.beamline.transforms.model.DeadLetter;
import io.beamline.transforms.model.DeadLetterReason;
import io.beamline.transforms.model.EtlRow;
import io.beamline.transforms.schema.TableSchemas;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.GroupIntoBatches;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;

/**
 * Loads etl rows into the warehouse's {@code etl."<source>__<table>"} tables, each row keyed by
 * (tenant, event_id, row_index, event_date), in JDBC batches.
 *
 * <p>{@link #replacingPartitions()} (batch runs): the rows of a tenant's table and day are written
 * in one transaction that first deletes that day, so a rerun leaves exactly one run's rows.
 * {@link #upsertingInBatches} (streams): rows are grouped per table and tenant into batches by
 * size or buffering time, whichever comes first, and upserted, so a replayed record replaces its
 * row. Transient failures (connection lost, serialization failure, deadlock, server restart) are
 * retried with backoff; rows the database refuses for good (a constraint, a value out of range) come
 * out as {@code LOAD_FAILED} dead letters and the rest of their batch is still written.
 */
public final class LoadEtlRowsToPostgres extends PTransform<PCollection<EtlRow>, PCollection<DeadLetter>> {
  public static final String STAGE = "load";

  private final JdbcConnection connection;
  private final TableSchemas schemas;
  private final Instant ingestedAt;
  private final boolean replacePartitions;
  private final int batchSize;
  private final Duration maxBuffering;
  private final RetryTransientFailures retry;

  private LoadEtlRowsToPostgres(
      JdbcConnection connection,
      TableSchemas schemas,
      Instant ingestedAt,
      boolean replacePartitions,
      int batchSize,
      Duration maxBuffering,
      RetryTransientFailures retry) {
    this.connection = connection;
    this.schemas = schemas;
    this.ingestedAt = ingestedAt;
    this.replacePartitions = replacePartitions;
    this.batchSize = batchSize;
    this.maxBuffering = maxBuffering;
    this.retry = retry;
  }

  /** Replaces each (tenant, table, day) the input has rows for; batches of 1000 statements. */
  public static LoadEtlRowsToPostgres to(JdbcConnection connection, TableSchemas schemas) {
    return new LoadEtlRowsToPostgres(
        connection, schemas, Instant.now(), true, 1000, Duration.standardSeconds(5), RetryTransientFailures.standard());
  }

  public LoadEtlRowsToPostgres replacingPartitions() {
    return new LoadEtlRowsToPostgres(connection, schemas, ingestedAt, true, batchSize, maxBuffering, retry);
  }

  /** Upserts batches of at most {@code size} rows, buffered for at most {@code maxBuffering}. */
  public LoadEtlRowsToPostgres upsertingInBatches(int size, Duration buffering) {
    if (size < 1) {
      throw new IllegalArgumentException("--loadBatchSize must be at least 1, got " + size);
    }
    if (buffering.getMillis() < 1) {
      throw new IllegalArgumentException("--loadMaxBufferingSeconds must be positive");
    }
    return new LoadEtlRowsToPostgres(connection, schemas, ingestedAt, false, size, buffering, retry);
  }

  /** Statements per JDBC batch when replacing partitions. */
  public LoadEtlRowsToPostgres withBatchSize(int size) {
    if (size < 1) {
      throw new IllegalArgumentException("--loadBatchSize must be at least 1, got " + size);
    }
    return new LoadEtlRowsToPostgres(connection, schemas, ingestedAt, replacePartitions, size, maxBuffering, retry);
  }

  /** The {@code _ingested_at} of every row: the run's start, as in the etl zone. */
  public LoadEtlRowsToPostgres withIngestedAt(Instant time) {
    return new LoadEtlRowsToPostgres(connection, schemas, time, replacePartitions, batchSize, maxBuffering, retry);
  }

  LoadEtlRowsToPostgres withRetry(RetryTransientFailures policy) {
    return new LoadEtlRowsToPostgres(connection, schemas, ingestedAt, replacePartitions, batchSize, maxBuffering, policy);
  }

  @Override
  public PCollection<DeadLetter> expand(PCollection<EtlRow> rows) {
    KvCoder<String, EtlRow> coder = KvCoder.of(StringUtf8Coder.of(), EtlRow.EtlRowCoder.of());
    PCollection<KV<String, Iterable<EtlRow>>> groups;
    if (replacePartitions) {
      groups =
          rows.apply("ByTenantTableAndDay", WithKeys.of(LoadEtlRowsToPostgres::partitionKey).withKeyType(TypeDescriptors.strings()))
              .setCoder(coder)
              .apply("GroupPartitions", GroupByKey.create());
    } else {
      groups =
          rows.apply("ByTenantAndTable", WithKeys.of(LoadEtlRowsToPostgres::tableKey).withKeyType(TypeDescriptors.strings()))
              .setCoder(coder)
              .apply("Batch", GroupIntoBatches.<String, EtlRow>ofSize(batchSize).withMaxBufferingDuration(maxBuffering));
    }
    return groups
        .apply(
            replacePartitions ? "ReplacePartition" : "UpsertBatch",
            ParDo.of(new WriteRowsFn(connection, schemas, ingestedAt, replacePartitions, batchSize, retry)))
        .setCoder(DeadLetter.DeadLetterCoder.of());
  }

  static String tableKey(EtlRow r) {
    return r.source() + "/" + r.table() + "/" + r.tenant();
  }

  static String partitionKey(EtlRow r) {
    return tableKey(r) + "/" + EtlRowStatements.eventDate(r);
  }

  static final class WriteRowsFn extends DoFn<KV<String, Iterable<EtlRow>>, DeadLetter> {
    private final Counter loaded = Metrics.counter(DeadLetters.METRICS_NAMESPACE, "records_out." + STAGE);
    private final JdbcConnection connection;
    private final TableSchemas schemas;
    private final Instant ingestedAt;
    private final boolean replacePartitions;
    private final int batchSize;
    private final RetryTransientFailures retry;
    private transient RetryTransientFailures.Session session;
    private transient Map<String, EtlRowStatements> statements;
    private transient Set<String> partitionsEnsured;

    WriteRowsFn(
        JdbcConnection connection,
        TableSchemas schemas,
        Instant ingestedAt,
        boolean replacePartitions,
        int batchSize,
        RetryTransientFailures retry) {
      this.connection = connection;
      this.schemas = schemas;
      this.ingestedAt = ingestedAt;
      this.replacePartitions = replacePartitions;
      this.batchSize = batchSize;
      this.retry = retry;
    }

    @Setup
    public void setup() {
      session = new RetryTransientFailures.Session(connection);
      statements = new HashMap<>();
      partitionsEnsured = new HashSet<>();
    }

    @Teardown
    public void teardown() {
      if (session != null) {
        session.close();
      }
    }

    @ProcessElement
    public void process(@Element KV<String, Iterable<EtlRow>> group, OutputReceiver<DeadLetter> out)
        throws SQLException {
      List<EtlRow> rows = new ArrayList<>();
      group.getValue().forEach(rows::add);
      if (rows.isEmpty()) {
        return;
      }
      EtlRow first = rows.get(0);
      EtlRowStatements sql =
          statements.computeIfAbsent(
              first.source() + "/" + first.table(), k -> EtlRowStatements.of(schemas, first.source(), first.table()));
      OffsetDateTime ingested = OffsetDateTime.ofInstant(ingestedAt, ZoneOffset.UTC);
      List<DeadLetter> refused;
      try {
        refused = retry.inTransaction(session, c -> write(c, sql, rows, ingested, false));
      } catch (SQLException permanent) {
        if (RetryTransientFailures.isTransient(permanent)) {
          throw permanent;
        }
        // Some row is refused for good: write the batch again row by row to find it.
        refused = retry.inTransaction(session, c -> write(c, sql, rows, ingested, true));
      }
      refused.forEach(out::output);
      loaded.inc(rows.size() - refused.size());
    }

    private List<DeadLetter> write(
        Connection c, EtlRowStatements sql, List<EtlRow> rows, OffsetDateTime ingested, boolean rowByRow)
        throws SQLException {
      EtlRow first = rows.get(0);
      for (LocalDate day : days(rows)) {
        String key = first.source() + "/" + first.table() + "/" + day;
        if (!partitionsEnsured.contains(key)) {
          EtlTableDdl.ensureDailyPartition(c, first.source(), first.table(), day);
          c.commit();
          partitionsEnsured.add(key);
        }
      }
      if (replacePartitions) {
        try (PreparedStatement delete = c.prepareStatement(sql.deleteDay())) {
          delete.setString(1, first.tenant());
          delete.setObject(2, EtlRowStatements.eventDate(first));
          delete.executeUpdate();
        }
      }
      List<DeadLetter> refused = new ArrayList<>();
      try (PreparedStatement s = c.prepareStatement(replacePartitions ? sql.insert() : sql.upsert())) {
        int pending = 0;
        for (EtlRow row : rows) {
          sql.bind(s, row, ingested);
          if (rowByRow) {
            Savepoint before = c.setSavepoint();
            try {
              s.executeUpdate();
              c.releaseSavepoint(before);
            } catch (SQLException e) {
              if (RetryTransientFailures.isTransient(e)) {
                throw e;
              }
              c.rollback(before);
              refused.add(deadLetter(row, e));
            }
          } else {
            s.addBatch();
            if (++pending == batchSize) {
              s.executeBatch();
              pending = 0;
            }
          }
        }
        if (pending > 0) {
          s.executeBatch();
        }
      }
      return refused;
    }

    private static Set<LocalDate> days(List<EtlRow> rows) {
      Set<LocalDate> days = new HashSet<>();
      rows.forEach(r -> days.add(EtlRowStatements.eventDate(r)));
      return days;
    }

    private static DeadLetter deadLetter(EtlRow row, SQLException e) {
      String message = e.getMessage() == null ? "" : e.getMessage().split("\n", 2)[0];
      return DeadLetter.builder(
              STAGE, DeadLetterReason.LOAD_FAILED, "SQLSTATE " + e.getSQLState() + ": " + message)
          .raw(row.valuesJson())
          .eventId(row.eventId())
          .tenant(row.tenant())
          .source(row.source())
          .table(row.table())
          .eventTimeMillis(row.eventTimeMillis())
          .build();
    }
  }
}
