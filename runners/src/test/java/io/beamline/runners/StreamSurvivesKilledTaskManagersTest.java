package io.beamline.runners;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;

import com.fasterxml.jackson.databind.JsonNode;
import io.beamline.io.ProduceEnvelopeFiles;
import io.beamline.io.kafka.testing.KafkaBrokerExtension;
import io.beamline.options.StreamOptions;
import io.beamline.pipelines.cluster.FlinkSessionCluster;
import io.beamline.pipelines.etl.StreamingEtlPipeline;
import io.beamline.pipelines.generate.GeneratedSample;
import io.beamline.pipelines.generate.SampleEventGenerator;
import io.beamline.runners.cluster.testing.FlinkSessionClusterExtension;
import io.beamline.transforms.Json;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code stream} on a Flink session cluster of separate JVMs, from a real broker, checkpointing
 * every 2 s: a TaskManager is killed with SIGKILL three times while the input streams in (a new
 * one started each time). The job recovers by itself, and the etl topic (read_committed) and the
 * etl Parquet zone hold every row exactly once. Prints the recovery times: from the kill to the
 * first rows committed after it.
 */
class StreamSurvivesKilledTaskManagersTest {
  @RegisterExtension static KafkaBrokerExtension kafka = new KafkaBrokerExtension();

  @RegisterExtension
  static FlinkSessionClusterExtension flink = new FlinkSessionClusterExtension(2);

  @TempDir Path work;

  private static final Duration TIMEOUT = Duration.ofMinutes(4);
  private static final int KILLS = 3;

  @Test
  void everyRowOnceOnTheTopicAndInTheZoneAfterThreeKilledTaskManagers() throws Exception {
    GeneratedSample sample =
        SampleEventGenerator.builder()
            .count(400)
            .days(1)
            .endDate(LocalDate.parse("2026-11-20"))
            .badFraction(0.1)
            // No duplicates: an endless stream drops them within --dedupMinutes of event time only.
            .duplicateFraction(0)
            .files(KILLS + 1)
            .outputPath(work.resolve("input"))
            .keyring(SampleEventGenerator.writeKeyringIfMissing(work.resolve("keyring.json")))
            .build()
            .generate();
    long expectedRows = sample.expectedEtlRows().values().stream().mapToLong(Long::longValue).sum();
    kafka.createTopic("events", 2);
    kafka.createTopic("rows", 2);
    List<String> args = new ArrayList<>(List.of(flink.runnerArgs()));
    args.addAll(
        List.of(
            "--parallelism=2",
            "--streaming=true",
            "--attachedMode=false",
            "--checkpointingInterval=2000",
            "--bootstrapServers=" + kafka.bootstrapServers(),
            "--topics=events",
            "--consumerGroup=killed-task-managers",
            "--allowedLatenessMinutes=" + (3650L * 24 * 60),
            "--etlTopic=rows",
            "--kafkaSinkShards=2",
            "--outputRoot=" + work.resolve("out"),
            "--keyringPath=" + work.resolve("keyring.json"),
            "--schemaDir=../schemas"));
    StreamOptions options =
        PipelineOptionsFactory.fromArgs(args.toArray(new String[0])).withValidation().as(StreamOptions.class);
    FlinkSessionCluster cluster = flink.cluster();

    StreamingEtlPipeline.build(options, StreamingEtlPipeline.prepare(options)).run();
    List<Double> recoverySeconds = new ArrayList<>();
    try {
      for (int kill = 0; kill < KILLS; kill++) {
        ProduceEnvelopeFiles.send(kafka.bootstrapServers(), "events", List.of(sample.files().get(kill)));
        waitForCommittedRows(committedRows() + 1, TIMEOUT);
        int failures = cluster.runningJobFailures();
        // Kill in the middle of the stream: while this file's rows are still being written.
        cluster.killTaskManager();
        long killedAt = System.nanoTime();
        cluster.startTaskManager();
        // Recovered: the job has seen the failure, runs every task again, and commits new rows.
        await(() -> cluster.runningJobFailures() > failures && cluster.runningJobHasAllTasksRunning(), "the job to restart");
        waitForCommittedRows(committedRows() + 1, TIMEOUT);
        recoverySeconds.add(Math.round((System.nanoTime() - killedAt) / 1e8) / 10.0);
        cluster.awaitTaskManagers(2);
      }
      ProduceEnvelopeFiles.send(kafka.bootstrapServers(), "events", List.of(sample.files().get(KILLS)));
      waitForCommittedRows(expectedRows, TIMEOUT);
      // Zone files of the last windows are written when the watermark passes them: let it.
      waitForZoneRows(work.resolve("out"), expectedRows, TIMEOUT);
      Thread.sleep(5_000);
    } finally {
      cluster.cancelRunningJobs();
    }
    System.out.printf(
        "Flink cluster, %d TaskManagers killed with SIGKILL: recovery (kill to first new committed rows) %s s; all %d rows once%n",
        KILLS, recoverySeconds, expectedRows);

    assertThat("etl topic, read_committed", topicRowsByTable(), equalTo(new TreeMap<>(sample.expectedEtlRows())));
    assertThat("etl topic, no row twice", distinctTopicRows(), is((long) kafka.consumeAll("rows", true, Duration.ofSeconds(30)).size()));
    Map<String, Long> zoneByTable = new TreeMap<>();
    Set<String> distinctZoneRows = new HashSet<>();
    long zoneRows = 0;
    for (Map.Entry<String, List<String>> file : EtlRows.byFile(work.resolve("out")).entrySet()) {
      String table = table(file.getKey());
      for (String row : file.getValue()) {
        zoneByTable.merge(table, 1L, Long::sum);
        distinctZoneRows.add(table + "|" + row);
        zoneRows++;
      }
    }
    assertThat("etl zone", zoneByTable, equalTo(new TreeMap<>(sample.expectedEtlRows())));
    assertThat("etl zone, no row twice", (long) distinctZoneRows.size(), is(zoneRows));
  }

  /** The table of an etl file: {@code <source>/<table>/tenant=.../dt=.../hr=.../file}. */
  private static String table(String relativeFile) {
    return Path.of(relativeFile).getName(1).toString();
  }

  private static Map<String, Long> topicRowsByTable() throws Exception {
    Map<String, Long> byTable = new TreeMap<>();
    for (byte[] value : kafka.consumeAll("rows", true, Duration.ofSeconds(30))) {
      byTable.merge(Json.MAPPER.readTree(value).get("table").asText(), 1L, Long::sum);
    }
    return byTable;
  }

  private static long distinctTopicRows() throws Exception {
    Set<String> distinct = new HashSet<>();
    for (byte[] value : kafka.consumeAll("rows", true, Duration.ofSeconds(30))) {
      JsonNode row = Json.MAPPER.readTree(value);
      distinct.add(row.get("event_id").asText() + "/" + row.get("table").asText() + "/" + row.path("line_no").asText());
    }
    return distinct.size();
  }

  private static void await(java.util.function.BooleanSupplier condition, String what)
      throws InterruptedException {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(250);
    }
  }

  private static long committedRows() {
    return kafka.consumeAll("rows", true, Duration.ofSeconds(10)).size();
  }

  private static long waitForCommittedRows(long rows, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    long seen = 0;
    while (System.nanoTime() < deadline) {
      seen = committedRows();
      if (seen >= rows) {
        return seen;
      }
      Thread.sleep(500);
    }
    throw new AssertionError("only " + seen + " of " + rows + " rows committed within " + timeout);
  }

  private static void waitForZoneRows(Path root, long rows, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    long seen = 0;
    while (System.nanoTime() < deadline) {
      try {
        seen = EtlRows.byFile(root).values().stream().mapToLong(List::size).sum();
      } catch (java.io.IOException | RuntimeException fileBeingRenamed) {
        seen = -1;
      }
      if (seen >= rows) {
        return;
      }
      Thread.sleep(1_000);
    }
    throw new AssertionError("only " + seen + " of " + rows + " rows in the etl zone within " + timeout);
  }
}
