package io.beamline.runners;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;

import com.fasterxml.jackson.databind.JsonNode;
import io.beamline.io.ProduceEnvelopeFiles;
import io.beamline.io.kafka.testing.KafkaBrokerExtension;
import io.beamline.options.EtlOptions;
import io.beamline.options.StreamOptions;
import io.beamline.pipelines.cluster.FlinkSessionCluster;
import io.beamline.pipelines.etl.BatchEtlPipeline;
import io.beamline.pipelines.etl.EtlTestSupport;
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
 * every 2 s, through faults: TaskManagers killed with SIGKILL, and a stop with a savepoint and a
 * resume from it. Afterwards the etl topic (read_committed) and the etl Parquet zone hold every row
 * exactly once.
 */
class FlinkClusterFaultsTest {
  @RegisterExtension static KafkaBrokerExtension kafka = new KafkaBrokerExtension();

  @RegisterExtension
  static FlinkSessionClusterExtension flink = new FlinkSessionClusterExtension(2);

  @TempDir Path work;

  private static final Duration TIMEOUT = Duration.ofMinutes(4);
  private static final int KILLS = 3;

  /**
   * A TaskManager is killed with SIGKILL three times while the input streams in (a new one started
   * each time); the job recovers by itself. Prints the recovery times: from the kill until the job
   * runs all its tasks again and new rows are committed.
   */
  @Test
  void everyRowOnceOnTheTopicAndInTheZoneAfterThreeKilledTaskManagers() throws Exception {
    GeneratedSample sample = sample("kill", KILLS + 1);
    FlinkSessionCluster cluster = flink.cluster();

    StreamOptions first = options("kill");
    StreamingEtlPipeline.build(first, StreamingEtlPipeline.prepare(first)).run();
    List<Double> recoverySeconds = new ArrayList<>();
    try {
      for (int kill = 0; kill < KILLS; kill++) {
        send("kill", sample.files().get(kill));
        waitForCommittedRows("kill", committedRows("kill") + 1);
        int failures = cluster.runningJobFailures();
        // Kill in the middle of the stream: while this file's rows are still being written.
        cluster.killTaskManager();
        long killedAt = System.nanoTime();
        cluster.startTaskManager();
        // Recovered: the job has seen the failure, runs every task again, and commits new rows.
        await(() -> cluster.runningJobFailures() > failures && cluster.runningJobHasAllTasksRunning(), "the job to restart");
        waitForCommittedRows("kill", committedRows("kill") + 1);
        recoverySeconds.add(Math.round((System.nanoTime() - killedAt) / 1e8) / 10.0);
        cluster.awaitTaskManagers(2);
      }
      send("kill", sample.files().get(KILLS));
      waitForAllRows("kill", sample);
    } finally {
      cluster.cancelRunningJobs();
    }
    System.out.printf(
        "Flink cluster, %d TaskManagers killed with SIGKILL: recovery (kill to tasks running and new rows committed) %s s; all %d rows once%n",
        KILLS, recoverySeconds, expectedRows(sample));

    assertEveryRowOnce("kill", sample);
  }

  /**
   * The job is stopped with a savepoint, input arrives while it is down, and the same pipeline
   * (same --runId, so the same exactly-once sink group) resumes from the savepoint: every row once,
   * and the hourly aggregates continue from their saved state to the batch ETL's final numbers.
   */
  @Test
  void stopWithSavepointAndResumeLosesAndDoublesNothingAndAggregatesContinue() throws Exception {
    GeneratedSample sample = sample("savepoint", 4);
    FlinkSessionCluster cluster = flink.cluster();
    cluster.awaitTaskManagers(2);
    String[] resumeArgs;

    StreamOptions first = options("savepoint");
    StreamingEtlPipeline.build(first, StreamingEtlPipeline.prepare(first)).run();
    try {
      send("savepoint", sample.files().get(0));
      send("savepoint", sample.files().get(1));
      waitForCommittedRows("savepoint", 1);
      String savepoint = cluster.stopRunningJobWithSavepoint(work.resolve("savepoints"), TIMEOUT);
      long stoppedAt = committedRows("savepoint");
      send("savepoint", sample.files().get(2));
      StreamOptions resumed = options("savepoint", "--savepointPath=" + savepoint);
      StreamingEtlPipeline.build(resumed, StreamingEtlPipeline.prepare(resumed)).run();
      send("savepoint", sample.files().get(3));
      waitForAllRows("savepoint", sample);
      System.out.printf(
          "Flink cluster, stop with savepoint after %d committed rows and resume: all %d rows once%n",
          stoppedAt, expectedRows(sample));
    } finally {
      cluster.cancelRunningJobs();
    }

    assertEveryRowOnce("savepoint", sample);
    BatchEtlPipeline.run(
        PipelineOptionsFactory.fromArgs(
                "--runner=DirectRunner",
                "--aggregates=true",
                "--inputPath=" + work.resolve("savepoint/input"),
                "--outputRoot=" + work.resolve("savepoint/batch"),
                "--keyringPath=" + work.resolve("keyring.json"),
                "--schemaDir=../schemas")
            .withValidation()
            .as(EtlOptions.class));
    Map<String, String> batchSales = EtlTestSupport.finalHourlySales(work.resolve("savepoint/batch"));
    assertThat(batchSales.isEmpty(), is(false));
    assertThat(EtlTestSupport.finalHourlySales(work.resolve("savepoint/out")), equalTo(batchSales));
  }

  private GeneratedSample sample(String name, int files) throws Exception {
    return SampleEventGenerator.builder()
        .count(100 * files)
        .days(1)
        .endDate(LocalDate.parse("2026-11-20"))
        .badFraction(0.1)
        // No duplicates: an endless stream drops them within --dedupMinutes of event time only.
        .duplicateFraction(0)
        .files(files)
        .outputPath(work.resolve(name + "/input"))
        .keyring(SampleEventGenerator.writeKeyringIfMissing(work.resolve("keyring.json")))
        .build()
        .generate();
  }

  /** The stream of test {@code name}: its own topics, output and (fixed) run id. */
  private StreamOptions options(String name, String... extra) {
    kafka.createTopic(name + "-events", 2);
    kafka.createTopic(name + "-rows", 2);
    List<String> args = new ArrayList<>(List.of(flink.runnerArgs()));
    args.addAll(
        List.of(
            "--parallelism=2",
            "--streaming=true",
            "--attachedMode=false",
            "--checkpointingInterval=2000",
            "--runId=" + name,
            "--bootstrapServers=" + kafka.bootstrapServers(),
            "--topics=" + name + "-events",
            "--consumerGroup=" + name,
            // Sample times are days behind the clock, which an idle partition's watermark jumps to.
            "--allowedLatenessMinutes=" + (3650L * 24 * 60),
            "--etlTopic=" + name + "-rows",
            "--kafkaSinkShards=2",
            "--outputRoot=" + work.resolve(name + "/out"),
            "--keyringPath=" + work.resolve("keyring.json"),
            "--schemaDir=../schemas"));
    args.addAll(List.of(extra));
    return PipelineOptionsFactory.fromArgs(args.toArray(new String[0])).withValidation().as(StreamOptions.class);
  }

  private static void send(String name, Path file) throws Exception {
    ProduceEnvelopeFiles.send(kafka.bootstrapServers(), name + "-events", List.of(file));
  }

  private static long expectedRows(GeneratedSample sample) {
    return sample.expectedEtlRows().values().stream().mapToLong(Long::longValue).sum();
  }

  /** Every row committed to the topic and written to the zone (whose last windows close last). */
  private void waitForAllRows(String name, GeneratedSample sample) throws Exception {
    waitForCommittedRows(name, expectedRows(sample));
    waitForZoneRows(work.resolve(name + "/out"), expectedRows(sample), TIMEOUT);
    // Two more checkpoints: a replay after a restore would show up by now.
    Thread.sleep(5_000);
  }

  private void assertEveryRowOnce(String name, GeneratedSample sample) throws Exception {
    String topic = name + "-rows";
    assertThat("etl topic, read_committed", topicRowsByTable(topic), equalTo(new TreeMap<>(sample.expectedEtlRows())));
    assertThat(
        "etl topic, no row twice",
        distinctTopicRows(topic),
        is((long) kafka.consumeAll(topic, true, Duration.ofSeconds(30)).size()));
    Map<String, Long> zoneByTable = new TreeMap<>();
    Set<String> distinctZoneRows = new HashSet<>();
    long zoneRows = 0;
    for (Map.Entry<String, List<String>> file : EtlRows.byFile(work.resolve(name + "/out")).entrySet()) {
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

  private static Map<String, Long> topicRowsByTable(String topic) throws Exception {
    Map<String, Long> byTable = new TreeMap<>();
    for (byte[] value : kafka.consumeAll(topic, true, Duration.ofSeconds(30))) {
      byTable.merge(Json.MAPPER.readTree(value).get("table").asText(), 1L, Long::sum);
    }
    return byTable;
  }

  private static long distinctTopicRows(String topic) throws Exception {
    Set<String> distinct = new HashSet<>();
    for (byte[] value : kafka.consumeAll(topic, true, Duration.ofSeconds(30))) {
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

  private static long committedRows(String name) {
    return kafka.consumeAll(name + "-rows", true, Duration.ofSeconds(10)).size();
  }

  private static long waitForCommittedRows(String name, long rows) throws InterruptedException {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    long seen = 0;
    while (System.nanoTime() < deadline) {
      seen = committedRows(name);
      if (seen >= rows) {
        return seen;
      }
      Thread.sleep(500);
    }
    throw new AssertionError("only " + seen + " of " + rows + " rows committed within " + TIMEOUT);
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
