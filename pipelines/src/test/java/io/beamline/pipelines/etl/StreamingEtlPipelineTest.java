package io.beamline.pipelines.etl;

import static io.beamline.pipelines.etl.EtlTestSupport.duckdb;
import static io.beamline.pipelines.etl.EtlTestSupport.etlTable;
import static io.beamline.pipelines.etl.EtlTestSupport.query;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.empty;

import io.beamline.io.ProduceEnvelopeFiles;
import io.beamline.io.kafka.testing.KafkaBrokerExtension;
import io.beamline.options.StreamOptions;
import io.beamline.pipelines.generate.GeneratedSample;
import io.beamline.pipelines.report.RunReports;
import io.beamline.pipelines.report.ThroughputSampler;
import java.time.Instant;
import io.beamline.pipelines.generate.SampleEventGenerator;
import io.beamline.transforms.Json;
import com.fasterxml.jackson.databind.JsonNode;
import io.beamline.transforms.testing.TestKeyrings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same generated events once as files through {@code etl} and once through a real Kafka
 * broker through {@code stream} (bounded by the record count): the same rows, dead letters and
 * duplicates come out.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StreamingEtlPipelineTest {
  @RegisterExtension static KafkaBrokerExtension kafka = new KafkaBrokerExtension();

  @TempDir static Path work;

  private GeneratedSample sample;
  private EtlRunSummary batch;
  private EtlRunSummary stream;
  private Connection db;

  @BeforeAll
  void runBatchAndStreamOnTheSameEvents() throws Exception {
    Path keyring = work.resolve("keyring.json");
    Files.writeString(keyring, TestKeyrings.keyring().toFileJson());
    sample = EtlTestSupport.generate(work.resolve("input"), 400, 7L);
    batch =
        EtlTestSupport.run(work.resolve("input"), work.resolve("out-batch"), keyring, "--aggregates=true");

    kafka.createTopic("events", 3);
    long sent = ProduceEnvelopeFiles.send(kafka.bootstrapServers(), "events", sample.files());
    assertThat(sent, is(sample.totalLines()));
    StreamOptions options =
        PipelineOptionsFactory.fromArgs(
                "--bootstrapServers=" + kafka.bootstrapServers(),
                "--topics=events",
                "--consumerGroup=equivalence",
                "--maxRecords=" + sent,
                // The sample spreads its events at random over a day: a lateness that covers it keeps
                // every record on time, as in the batch run.
                "--allowedLatenessMinutes=" + (3 * 24 * 60),
                "--outputRoot=" + work.resolve("out-stream"),
                "--keyringPath=" + keyring,
                "--schemaDir=" + EtlTestSupport.SCHEMAS)
            .withValidation()
            .as(StreamOptions.class);
    stream = StreamingEtlPipeline.run(options);
    db = duckdb();
  }

  @AfterAll
  void closeDb() throws Exception {
    db.close();
  }

  @Test
  void streamCountsEqualTheBatchCountsAndAddUp() {
    assertThat(stream.recordsIn(), is(batch.recordsIn()));
    assertThat(stream.etlRecords(), is(batch.etlRecords()));
    assertThat(stream.duplicatesDropped(), is(batch.duplicatesDropped()));
    assertThat(stream.deadLettersByReason(), equalTo(batch.deadLettersByReason()));
    assertThat(stream.etlRowsByTable(), equalTo(batch.etlRowsByTable()));
    assertThat(stream.conserved(), is(true));
    assertThat(stream.etlRecords(), is(sample.goodEvents()));
  }

  @Test
  void streamWritesTheSameRowsIntoTheSamePartitionsAsBatch() {
    for (String table : SampleEventGenerator.ETL_TABLES) {
      assertThat(table, rows(work.resolve("out-stream"), table), equalTo(rows(work.resolve("out-batch"), table)));
    }
  }

  @Test
  void streamNamesFilesAfterTheirWindowAndPane() throws Exception {
    List<String> names;
    try (Stream<Path> files = Files.walk(work.resolve("out-stream").resolve("etl"))) {
      names =
          files.filter(Files::isRegularFile)
              .map(f -> f.getFileName().toString())
              .collect(Collectors.toList());
    }
    assertThat(names, is(not(empty())));
    // part-<run id>-<window start>-<window end>[-<pane index>]-<shard>-of-<shards>.parquet, with
    // no ':' (Hadoop cannot read such names); the pane index when a window fires more than once.
    String instant = "\\d{8}T\\d{4}00Z";
    assertThat(
        names,
        everyItem(matchesPattern("part-" + Pattern.quote(stream.runId()) + "-" + instant + "-" + instant + "(-\\d+)?-\\d{5}-of-\\d{5}\\.parquet")));
  }

  @Test
  void streamWritesTheAuditRecordOfABoundedRun() {
    assertThat(Files.isRegularFile(Path.of(stream.auditFile())), is(true));
  }

  @Test
  void boundedStreamWritesARunReportWithItsAuditCounts() throws Exception {
    JsonNode twin = Json.MAPPER.readTree(Files.readString(Path.of(RunReports.jsonTwin(stream.reportFile()))));
    assertThat(Files.isRegularFile(Path.of(stream.reportFile())), is(true));
    assertThat(twin.path("kind").asText(), is("run"));
    assertThat(twin.path("command").asText(), is("stream"));
    for (String field : List.of("records_in", "etl_records", "dead_letters", "duplicates_dropped")) {
      assertThat(field, twin.path("totals").path(field).asLong(), is(stream.record().get(field).asLong()));
    }
    assertThat(twin.path("totals").path("conserved").asBoolean(), is(true));
  }

  @Test
  void intervalReportOfTheStreamAddsUpItsWindowAuditsToTheRunCounts() throws Exception {
    String html =
        RunReports.writeInterval(
            "stream", stream.runId(), "DirectRunner", "kafka:events", work.resolve("out-stream").toString(),
            Instant.parse(stream.record().get("started_at").asText()), work.resolve("no-examples.json").toString(),
            ThroughputSampler.from(Instant.now()));
    JsonNode twin = Json.MAPPER.readTree(Files.readString(Path.of(RunReports.jsonTwin(html))));
    assertThat(Path.of(html).getFileName().toString(), matchesPattern("run-" + Pattern.quote(stream.runId()) + "-at-\\d{8}T\\d{6}Z\\.html"));
    assertThat(twin.path("kind").asText(), is("interval"));
    for (String field : List.of("records_in", "etl_records", "dead_letters", "duplicates_dropped")) {
      assertThat(field, twin.path("totals").path(field).asLong(), is(stream.record().get(field).asLong()));
    }
    assertThat(twin.path("etl_rows").toString(), is(stream.record().get("etl_rows").toString()));
  }

  @Test
  void streamReachesTheSameFinalHourlySalesAsBatch() throws Exception {
    Map<String, String> fromBatch = EtlTestSupport.finalHourlySales(work.resolve("out-batch"));
    assertThat(fromBatch.isEmpty(), is(false));
    assertThat(EtlTestSupport.finalHourlySales(work.resolve("out-stream")), equalTo(fromBatch));
  }

  @Test
  void windowAuditRecordsBalanceEachAndAddUpToTheRun() throws Exception {
    Map<String, JsonNode> latest = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(work.resolve("out-stream").resolve("audit").resolve("windows"))) {
      for (Path file : walk.filter(Files::isRegularFile).collect(Collectors.toList())) {
        for (String line : Files.readAllLines(file)) {
          JsonNode n = Json.MAPPER.readTree(line);
          JsonNode seen = latest.get(n.get("window_start").asText());
          if (seen == null || seen.get("pane_index").asLong() < n.get("pane_index").asLong()) {
            latest.put(n.get("window_start").asText(), n);
          }
        }
      }
    }
    assertThat(latest.size() > 1, is(true));
    long in = 0;
    long etl = 0;
    long duplicates = 0;
    long rejected = 0;
    for (JsonNode window : latest.values()) {
      assertThat(window.toString(), window.get("conserved").asBoolean(), is(true));
      assertThat(window.get("run_id").asText(), is(stream.runId()));
      in += window.get("records_in").asLong();
      etl += window.get("etl_records").asLong();
      duplicates += window.get("duplicates_dropped").asLong();
      rejected += window.get("dead_letters_total").asLong();
    }
    assertThat(in, is(stream.recordsIn()));
    assertThat(etl, is(stream.etlRecords()));
    assertThat(duplicates, is(stream.duplicatesDropped()));
    assertThat(rejected, is(stream.deadLetters()));
  }

  /**
   * (tenant, category, hour) to (items, units, revenue) of the latest pane in the agg zone:
   * panes accumulate, so the latest one holds the final numbers.
   */
  /** Every row of a table with its partition, minus the per-run _ingested_at, sorted. */
  private List<String> rows(Path root, String table) {
    List<Map<String, String>> result =
        query(
            db,
            "SELECT * EXCLUDE (_ingested_at, filename) FROM " + etlTable(root, table)
                + " ORDER BY ALL");
    return result.stream().map(Map::toString).collect(Collectors.toList());
  }
}
