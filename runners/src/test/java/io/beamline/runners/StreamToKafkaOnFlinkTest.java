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
 * consumer still sees every row exactly once. (A task failure with restore from a checkpoint needs
 * processes to kill: that is the multi-process cluster's fault test.)
 */
class StreamToKafkaOnFlinkTest {
  @RegisterExtension static KafkaBrokerExtension kafka = new KafkaBrokerExtension();

  @TempDir Path work;

  private static final Duration TIMEOUT = Duration.ofMinutes(4);

  @Test
  void everyRowOnceOnTheEtlTopicAcrossABrokerRestart() throws Exception {
    Path keyring = work.resolve("keyring.json");
    GeneratedSample sample =
        SampleEventGenerator.builder()
            .count(300)
            .days(1)
            .endDate(LocalDate.parse("2026-11-20"))
            .badFraction(0.1)
            // No duplicates: in an endless stream they are dropped within --dedupMinutes of event
            // time only, which random sample times do not respect.
            .duplicateFraction(0)
            .files(2)
            .outputPath(work.resolve("input"))
            .keyring(SampleEventGenerator.writeKeyringIfMissing(keyring))
            .build()
            .generate();
    kafka.createTopic("events", 2);
    kafka.createTopic("rows", 2);
    StreamOptions options =
        PipelineOptionsFactory.fromArgs(
                "--runner=FlinkRunner",
                "--parallelism=2",
                "--streaming=true",
                "--attachedMode=false",
                "--checkpointingInterval=2000",
                "--bootstrapServers=" + kafka.bootstrapServers(),
                "--topics=events",
                "--consumerGroup=flink-eos",
                // Sample times are days behind the clock, which an idle partition's watermark jumps to.
                "--allowedLatenessMinutes=" + (3650L * 24 * 60),
                "--etlTopic=rows",
                "--kafkaSinkShards=2",
                "--outputRoot=" + work.resolve("out"),
                "--keyringPath=" + keyring,
                "--schemaDir=../schemas")
            .withValidation()
            .as(StreamOptions.class);
    long expectedRows = sample.expectedEtlRows().values().stream().mapToLong(Long::longValue).sum();

    PipelineResult job =
        StreamingEtlPipeline.build(options, StreamingEtlPipeline.prepare(options)).run();
    try {
      ProduceEnvelopeFiles.send(kafka.bootstrapServers(), "events", List.of(sample.files().get(0)));
      long firstHalf = waitForCommittedRows(1, TIMEOUT);
      kafka.broker().stop();
      kafka.broker().restart();
      long restartedAt = System.nanoTime();
      ProduceEnvelopeFiles.send(kafka.bootstrapServers(), "events", List.of(sample.files().get(1)));
      waitForCommittedRows(expectedRows, TIMEOUT);
      System.out.printf(
          "EOS on Flink: %d rows committed before the broker restart, all %d rows %.1f s after it%n",
          firstHalf, expectedRows, (System.nanoTime() - restartedAt) / 1e9);
      // Two more checkpoints: a replay after the restore would show up by now.
      Thread.sleep(5_000);
    } finally {
      job.cancel();
    }

    List<byte[]> values = kafka.consumeAll("rows", true, Duration.ofSeconds(30));
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

  /** Waits until a read_committed consumer sees at least {@code rows} rows; returns how many it saw. */
  private static long waitForCommittedRows(long rows, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    long seen = 0;
    while (System.nanoTime() < deadline) {
      try {
        seen = kafka.consumeAll("rows", true, Duration.ofSeconds(10)).size();
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
