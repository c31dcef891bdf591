package io.beamline.runners;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;

import io.beamline.io.ProduceEnvelopeFiles;
import io.beamline.io.jdbc.testing.PostgresExtension;
import io.beamline.io.kafka.testing.KafkaBrokerExtension;
import io.beamline.options.StreamOptions;
import io.beamline.pipelines.etl.StreamingEtlPipeline;
import io.beamline.pipelines.generate.GeneratedSample;
import io.beamline.pipelines.generate.SampleEventGenerator;
import io.beamline.transforms.testing.TestKeyrings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * An endless {@code stream --jdbcUrl} on embedded Flink while the broker and PostgreSQL are both stopped and started
 * again in the middle of the load: the warehouse ends with every row exactly once.
 */
class StreamLoadSurvivesRestartsTest {
  @RegisterExtension static KafkaBrokerExtension kafka = new KafkaBrokerExtension();
  @RegisterExtension static PostgresExtension postgres = new PostgresExtension();

  @TempDir Path work;

  private static final long TIMEOUT_MILLIS = 240_000;

  @Test
  void warehouseHoldsEveryRowOnceAfterBrokerAndPostgresRestartMidLoad() throws Exception {
    Path keyring = work.resolve("keyring.json");
    Files.writeString(keyring, TestKeyrings.keyring().toFileJson());
    Path password = work.resolve("pg-password");
    Files.writeString(password, postgres.password());
    GeneratedSample sample =
        SampleEventGenerator.builder()
            .count(300)
            .days(1)
            .endDate(LocalDate.parse("2026-11-20"))
            .badFraction(0.1)
            // No duplicates: an endless stream drops them within --dedupMinutes of event time only.
            .duplicateFraction(0)
            .files(2)
            .outputPath(work.resolve("input"))
            .keyring(TestKeyrings.keyring())
            .build()
            .generate();
    kafka.createTopic("events", 2);
    StreamOptions options =
        PipelineOptionsFactory.fromArgs(
                "--runner=FlinkRunner",
                "--parallelism=2",
                "--streaming=true",
                "--attachedMode=false",
                "--checkpointingInterval=2000",
                "--bootstrapServers=" + kafka.bootstrapServers(),
                "--topics=events",
                "--consumerGroup=restarts",
                "--allowedLatenessMinutes=" + (3650L * 24 * 60),
                "--jdbcUrl=" + postgres.jdbcUrl(),
                "--jdbcUser=" + postgres.user(),
                "--jdbcPasswordFile=" + password,
                "--loadBatchSize=20",
                "--loadMaxBufferingSeconds=1",
                "--outputRoot=" + work.resolve("out"),
                "--keyringPath=" + keyring,
                "--schemaDir=" + EndlessStreamFixture.schemasWithoutQualitySuites(work))
            .withValidation()
            .as(StreamOptions.class);

    PipelineResult job = StreamingEtlPipeline.build(options, StreamingEtlPipeline.prepare(options)).run();
    try {
      ProduceEnvelopeFiles.send(kafka.bootstrapServers(), "events", List.of(sample.files().get(0)));
      await(() -> warehouseRows() > 0);
      kafka.broker().stop();
      postgres.server().stop();
      Thread.sleep(1_500);
      postgres.server().restart();
      kafka.broker().restart();
      ProduceEnvelopeFiles.send(kafka.bootstrapServers(), "events", List.of(sample.files().get(1)));
      long expected = sample.expectedEtlRows().values().stream().mapToLong(Long::longValue).sum();
      await(() -> warehouseRows() >= expected);
      // A few more load batches' time: a replayed batch would show up as a count above expected.
      Thread.sleep(5_000);
    } finally {
      EndlessStreamFixture.cancelAndWait(job);
    }

    Map<String, Long> byTable = new TreeMap<>();
    for (String table : SampleEventGenerator.ETL_TABLES) {
      String t = "etl.\"shop__" + table + "\"";
      byTable.put(table, Long.parseLong(rows("SELECT count(*) FROM " + t).get(0)));
      assertThat(
          table,
          rows("SELECT event_id FROM " + t + " GROUP BY tenant, event_id, row_index HAVING count(*) > 1"),
          empty());
    }
    assertThat(byTable, equalTo(new TreeMap<>(sample.expectedEtlRows())));
  }

  private interface Check {
    boolean holds() throws Exception;
  }

  private static void await(Check check) throws Exception {
    long deadline = System.currentTimeMillis() + TIMEOUT_MILLIS;
    while (true) {
      boolean holds;
      try {
        holds = check.holds();
      } catch (SQLException serverNotBackYet) {
        holds = false;
      }
      if (holds) {
        return;
      }
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError("timed out after " + TIMEOUT_MILLIS + " ms");
      }
      Thread.sleep(500);
    }
  }

  private static long warehouseRows() throws SQLException {
    long total = 0;
    for (String table : SampleEventGenerator.ETL_TABLES) {
      List<String> count = rows("SELECT count(*) FROM etl.\"shop__" + table + "\"");
      total += Long.parseLong(count.get(0));
    }
    return total;
  }

  private static List<String> rows(String sql) throws SQLException {
    return postgres.firstColumn(sql);
  }
}
