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
import org.junit.jupiter.api.BeforeEach;
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

  private static final Duration TIMEOUT = EndlessStreamFixture.TIMEOUT;
  private EndlessStreamFixture stream;

  @BeforeEach
  void fixture() {
    stream = new EndlessStreamFixture(kafka, work);
  }

  /** The options that send a job to the session cluster. */
  private static List<String> flinkCluster() {
    return List.of(flink.runnerArgs());
  }
  private static final int KILLS = 3;

  /**
   * A TaskManager is killed with SIGKILL three times while the input streams in (a new one started
   * each time); the job recovers by itself. Prints the recovery times: from the kill until the job
   * runs all its tasks again and new rows are committed.
   */
  @Test
  void everyRowOnceOnTheTopicAndInTheZoneAfterThreeKilledTaskManagers() throws Exception {
    GeneratedSample sample = stream.sample("kill", KILLS + 1);
    FlinkSessionCluster cluster = flink.cluster();

    StreamOptions first = stream.options("kill", flinkCluster());
    StreamingEtlPipeline.build(first, StreamingEtlPipeline.prepare(first)).run();
    List<Double> recoverySeconds = new ArrayList<>();
    try {
      for (int kill = 0; kill < KILLS; kill++) {
        stream.send("kill", sample.files().get(kill));
        stream.waitForCommittedRows("kill", stream.committedRows("kill") + 1);
        int failures = cluster.runningJobFailures();
        // Kill in the middle of the stream: while this file's rows are still being written.
        cluster.killTaskManager();
        long killedAt = System.nanoTime();
        cluster.startTaskManager();
        // Recovered: the job has seen the failure, runs every task again, and commits new rows.
        await(() -> cluster.runningJobFailures() > failures && cluster.runningJobHasAllTasksRunning(), "the job to restart");
        stream.waitForCommittedRows("kill", stream.committedRows("kill") + 1);
        recoverySeconds.add(Math.round((System.nanoTime() - killedAt) / 1e8) / 10.0);
        cluster.awaitTaskManagers(2);
      }
      stream.send("kill", sample.files().get(KILLS));
      waitForAllRows("kill", sample);
    } finally {
      cluster.cancelRunningJobs();
    }
    System.out.printf(
        "Flink cluster, %d TaskManagers killed with SIGKILL: recovery (kill to tasks running and new rows committed) %s s; all %d rows once%n",
        KILLS, recoverySeconds, EndlessStreamFixture.expectedRows(sample));

    assertEveryRowOnce("kill", sample);
  }

  /**
   * The job is stopped with a savepoint, input arrives while it is down, and the same pipeline
   * (same --runId, so the same exactly-once sink group) resumes from the savepoint: every row once,
   * and the hourly aggregates continue from their saved state to the batch ETL's final numbers.
   */
  @Test
  void stopWithSavepointAndResumeLosesAndDoublesNothingAndAggregatesContinue() throws Exception {
    GeneratedSample sample = stream.sample("savepoint", 4);
    FlinkSessionCluster cluster = flink.cluster();
    cluster.awaitTaskManagers(2);
    String[] resumeArgs;

    StreamOptions first = stream.options("savepoint", flinkCluster());
    StreamingEtlPipeline.build(first, StreamingEtlPipeline.prepare(first)).run();
    try {
      // One file per partition before the stop; after it, partition 1 stays idle. Beam 2.62's
      // Flink source split itself again on restore, and the doubled split of an idle partition
      // held the resumed job's watermark at its minimum: the etl zone never grew again.
      stream.sendToPartition("savepoint", sample.files().get(0), 0);
      stream.sendToPartition("savepoint", sample.files().get(1), 1);
      stream.waitForCommittedRows("savepoint", 1);
      String savepoint = cluster.stopRunningJobWithSavepoint(work.resolve("savepoints"), TIMEOUT);
      long stoppedAt = stream.committedRows("savepoint");
      stream.sendToPartition("savepoint", sample.files().get(2), 0);
      StreamOptions resumed = stream.options("savepoint", flinkCluster(), "--savepointPath=" + savepoint);
      StreamingEtlPipeline.build(resumed, StreamingEtlPipeline.prepare(resumed)).run();
      stream.sendToPartition("savepoint", sample.files().get(3), 0);
      waitForAllRows("savepoint", sample);
      System.out.printf(
          "Flink cluster, stop with savepoint after %d committed rows and resume: all %d rows once%n",
          stoppedAt, EndlessStreamFixture.expectedRows(sample));
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

  /** Every row committed to the topic and written to the zone (whose last windows close last). */
  private void waitForAllRows(String name, GeneratedSample sample) throws Exception {
    stream.waitForCommittedRows(name, EndlessStreamFixture.expectedRows(sample));
    waitForZoneRows(work.resolve(name + "/out"), EndlessStreamFixture.expectedRows(sample), TIMEOUT);
    // Two more checkpoints: a replay after a restore would show up by now.
    Thread.sleep(5_000);
  }

  private void assertEveryRowOnce(String name, GeneratedSample sample) throws Exception {
    stream.assertTopicHoldsEveryRowOnce(name, sample);
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
    throw new AssertionError(
        "only " + seen + " of " + rows + " rows in the etl zone within " + timeout
            + "; now " + java.time.Instant.now() + ", input watermarks of the running job: "
            + watermarksOfRunningJob());
  }

  /** Each task's input watermark as an instant, for the message of a zone that stopped growing. */
  private static String watermarksOfRunningJob() {
    try {
      return flink.cluster().runningJobInputWatermarks().entrySet().stream()
          .map(e -> "\n  " + watermarkText(e.getValue()) + "  " + e.getKey())
          .collect(java.util.stream.Collectors.joining());
    } catch (RuntimeException | InterruptedException e) {
      return "unavailable (" + e + ")";
    }
  }

  private static String watermarkText(long millis) {
    return millis == Long.MAX_VALUE || millis == Long.MIN_VALUE
        ? String.valueOf(millis)
        : java.time.Instant.ofEpochMilli(millis).toString();
  }
}
