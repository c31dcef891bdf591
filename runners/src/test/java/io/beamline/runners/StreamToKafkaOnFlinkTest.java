package io.beamline.runners;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;

import com.fasterxml.jackson.databind.JsonNode;
import io.beamline.io.ProduceEnvelopeFiles;
import io.beamline.io.kafka.testing.KafkaBrokerExtension;
import io.beamline.options.StreamOptions;
import io.beamline.pipelines.etl.StreamingEtlPipeline;
import io.beamline.pipelines.generate.GeneratedSample;
import io.beamline.pipelines.generate.SampleEventGenerator;
import io.beamline.transforms.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * An endless stream on embedded Flink with checkpoints, writing the etl topic exactly once (Kafka
 * transactions committed as Flink checkpoints complete). The broker is stopped and started again
 * between two halves of the input, with transactions of the first half in flight; a read_committed
 * consumer still sees every row exactly once. Then the same across a task failure inside the
 * pipeline and Flink's restore from its last checkpoint.
 */
class StreamToKafkaOnFlinkTest {
  @RegisterExtension static KafkaBrokerExtension kafka = new KafkaBrokerExtension();

  @TempDir Path work;

  private static final Duration TIMEOUT = Duration.ofMinutes(4);

  @Test
  void everyRowOnceOnTheEtlTopicAcrossABrokerRestart() throws Exception {
    GeneratedSample sample = sample("restart");
    StreamOptions options = options("restart");
    long expectedRows = expectedRows(sample);

    PipelineResult job =
        StreamingEtlPipeline.build(options, StreamingEtlPipeline.prepare(options)).run();
    try {
      ProduceEnvelopeFiles.send(kafka.bootstrapServers(), "restart-events", List.of(sample.files().get(0)));
      long firstHalf = waitForCommittedRows("restart-rows", 1, TIMEOUT);
      kafka.broker().stop();
      kafka.broker().restart();
      long restartedAt = System.nanoTime();
      ProduceEnvelopeFiles.send(kafka.bootstrapServers(), "restart-events", List.of(sample.files().get(1)));
      waitForCommittedRows("restart-rows", expectedRows, TIMEOUT);
      System.out.printf(
          "EOS on Flink: %d rows committed before the broker restart, all %d rows %.1f s after it%n",
          firstHalf, expectedRows, (System.nanoTime() - restartedAt) / 1e9);
      // Two more checkpoints: a replay after the restore would show up by now.
      Thread.sleep(5_000);
    } finally {
      job.cancel();
    }

    assertEveryRowOnce("restart-rows", sample);
  }

  /**
   * A task fails inside the pipeline (an injected exception after 300 rows in one worker instance,
   * while the second half of the input streams in); Flink restarts the job from its last completed
   * checkpoint in the same JVM, and the etl topic still holds every row exactly once.
   */
  @Test
  void everyRowOnceOnTheEtlTopicAfterATaskFailureAndRestoreFromCheckpoint() throws Exception {
    GeneratedSample sample = sample("failure");
    Path marker = work.resolve("failure/injected-failure");
    StreamOptions options = options("failure");
    options.setInjectFailureAfterRows(300);
    options.setInjectFailureMarker(marker.toString());
    long expectedRows = expectedRows(sample);

    PipelineResult job =
        StreamingEtlPipeline.build(options, StreamingEtlPipeline.prepare(options)).run();
    long failedAt;
    try {
      ProduceEnvelopeFiles.send(kafka.bootstrapServers(), "failure-events", List.of(sample.files().get(0)));
      long firstHalf = waitForCommittedRows("failure-rows", 1, TIMEOUT);
      ProduceEnvelopeFiles.send(kafka.bootstrapServers(), "failure-events", List.of(sample.files().get(1)));
      failedAt = waitFor(marker, TIMEOUT);
      waitForCommittedRows("failure-rows", expectedRows, TIMEOUT);
      System.out.printf(
          "EOS on Flink: %d rows committed before the injected failure, all %d rows %.1f s after it%n",
          firstHalf, expectedRows, (System.nanoTime() - failedAt) / 1e9);
      Thread.sleep(5_000);
    } finally {
      job.cancel();
    }

    assertThat("the job was set up again after the failure", Files.exists(Path.of(marker + ".recovered")), is(true));
    assertEveryRowOnce("failure-rows", sample);
  }

  private GeneratedSample sample(String name) throws Exception {
    return SampleEventGenerator.builder()
        .count(300)
        .days(1)
        .endDate(LocalDate.parse("2026-11-20"))
        .badFraction(0.1)
        // No duplicates: in an endless stream they are dropped within --dedupMinutes of event
        // time only, which random sample times do not respect.
        .duplicateFraction(0)
        .files(2)
        .outputPath(work.resolve(name + "/input"))
        .keyring(SampleEventGenerator.writeKeyringIfMissing(work.resolve("keyring.json")))
        .build()
        .generate();
  }

  private StreamOptions options(String name) {
    kafka.createTopic(name + "-events", 2);
    kafka.createTopic(name + "-rows", 2);
    return PipelineOptionsFactory.fromArgs(
            "--runner=FlinkRunner",
            "--parallelism=2",
            "--streaming=true",
            "--attachedMode=false",
            "--checkpointingInterval=2000",
            "--bootstrapServers=" + kafka.bootstrapServers(),
            "--topics=" + name + "-events",
            "--consumerGroup=flink-eos-" + name,
            // Sample times are days behind the clock, which an idle partition's watermark jumps to.
            "--allowedLatenessMinutes=" + (3650L * 24 * 60),
            "--etlTopic=" + name + "-rows",
            "--kafkaSinkShards=2",
            "--outputRoot=" + work.resolve(name + "/out"),
            "--keyringPath=" + work.resolve("keyring.json"),
            "--schemaDir=../schemas")
        .withValidation()
        .as(StreamOptions.class);
  }

  private static long expectedRows(GeneratedSample sample) {
    return sample.expectedEtlRows().values().stream().mapToLong(Long::longValue).sum();
  }

  /** Per table exactly the generator's expected rows, and no row twice. */
  private static void assertEveryRowOnce(String topic, GeneratedSample sample) throws Exception {
    List<byte[]> values = kafka.consumeAll(topic, true, Duration.ofSeconds(30));
    Map<String, Long> byTable = new TreeMap<>();
    Set<String> distinct = new HashSet<>();
    for (byte[] value : values) {
      JsonNode row = Json.MAPPER.readTree(value);
      byTable.merge(row.get("table").asText(), 1L, Long::sum);
      distinct.add(row.get("event_id").asText() + "/" + row.get("table").asText() + "/" + row.path("line_no").asText());
    }
    assertThat(byTable, equalTo(new TreeMap<>(sample.expectedEtlRows())));
    assertThat(distinct.size(), is(values.size()));
  }

  /** Waits for a file to appear; returns System.nanoTime() when it was seen. */
  private static long waitFor(Path file, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (Files.exists(file)) {
        return System.nanoTime();
      }
      Thread.sleep(100);
    }
    throw new AssertionError("no injected failure (" + file + ") within " + timeout);
  }

  /** Waits until a read_committed consumer sees at least {@code rows} rows; returns how many it saw. */
  private static long waitForCommittedRows(String topic, long rows, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    long seen = 0;
    while (System.nanoTime() < deadline) {
      try {
        seen = kafka.consumeAll(topic, true, Duration.ofSeconds(10)).size();
      } catch (RuntimeException brokerNotBackYet) {
        seen = 0;
      }
      if (seen >= rows) {
        return seen;
      }
      Thread.sleep(1_000);
    }
    throw new AssertionError("only " + seen + " of " + rows + " rows committed within " + timeout);
  }
}
