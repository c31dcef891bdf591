package io.beamline.pipelines.etl;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;

import io.beamline.io.ProduceEnvelopeFiles;
import io.beamline.io.jdbc.testing.PostgresExtension;
import io.beamline.io.kafka.testing.KafkaBrokerExtension;
import io.beamline.options.StreamOptions;
import io.beamline.pipelines.generate.GeneratedSample;
import io.beamline.pipelines.generate.SampleEventGenerator;
import io.beamline.transforms.testing.TestKeyrings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code stream --jdbcUrl=...} twice over the same topic (a replay, as after a restart from
 * uncommitted offsets): the warehouse upserts, so it holds every row once; the windows' audit
 * records land in audit.windows.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StreamToWarehouseTest {
  @RegisterExtension static KafkaBrokerExtension kafka = new KafkaBrokerExtension();
  @RegisterExtension static PostgresExtension postgres = new PostgresExtension();

  @TempDir static Path work;

  private GeneratedSample sample;
  private final List<EtlRunSummary> runs = new ArrayList<>();

  @BeforeAll
  void streamTheSameEventsTwice() throws Exception {
    Path keyring = work.resolve("keyring.json");
    Files.writeString(keyring, TestKeyrings.keyring().toFileJson());
    Path password = work.resolve("pg-password");
    Files.writeString(password, postgres.password());
    sample = EtlTestSupport.generate(work.resolve("input"), 200, 31L);
    kafka.createTopic("events", 2);
    long sent = ProduceEnvelopeFiles.send(kafka.bootstrapServers(), "events", sample.files());
    for (String group : List.of("first", "replay")) {
      StreamOptions options =
          PipelineOptionsFactory.fromArgs(
                  "--bootstrapServers=" + kafka.bootstrapServers(),
                  "--topics=events",
                  "--consumerGroup=" + group,
                  "--maxRecords=" + sent,
                  "--allowedLatenessMinutes=" + (3 * 24 * 60),
                  "--jdbcUrl=" + postgres.jdbcUrl(),
                  "--jdbcUser=" + postgres.user(),
                  "--jdbcPasswordFile=" + password,
                  "--loadBatchSize=40",
                  "--outputRoot=" + work.resolve("out-" + group),
                  "--keyringPath=" + keyring,
                  "--schemaDir=" + EtlTestSupport.SCHEMAS)
              .withValidation()
              .as(StreamOptions.class);
      runs.add(StreamingEtlPipeline.run(options));
    }
  }

  private static List<String> rows(String sql) throws SQLException {
    return postgres.firstColumn(sql);
  }

  @Test
  void warehouseHoldsEveryRowOnceAfterAReplay() throws Exception {
    for (String table : SampleEventGenerator.ETL_TABLES) {
      String t = "etl.\"shop__" + table + "\"";
      assertThat(table, rows("SELECT count(*) FROM " + t), equalTo(List.of(String.valueOf(sample.expectedEtlRows(table)))));
      assertThat(
          table,
          rows("SELECT event_id FROM " + t + " GROUP BY tenant, event_id, row_index HAVING count(*) > 1"),
          empty());
    }
  }

  @Test
  void everyWindowOfBothRunsIsInTheAuditSchemaAndAddsUp() throws Exception {
    for (EtlRunSummary run : runs) {
      List<String> sums =
          rows(
              "SELECT sum(records_in) || '|' || sum(etl_records) || '|' || sum(dead_letters) || '|'"
                  + " || sum(duplicates_dropped) || '|' || bool_and(conserved) FROM audit.windows"
                  + " WHERE run_id = '" + run.runId() + "'");
      assertThat(
          sums,
          equalTo(
              List.of(
                  run.recordsIn() + "|" + run.etlRecords() + "|" + run.deadLetters() + "|"
                      + run.duplicatesDropped() + "|true")));
    }
    assertThat(runs.get(0).conserved() && runs.get(1).conserved(), is(true));
  }
}
