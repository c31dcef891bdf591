package io.beamline.pipelines.etl;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;

import com.fasterxml.jackson.databind.JsonNode;
import io.beamline.io.ProduceEnvelopeFiles;
import io.beamline.io.kafka.testing.KafkaBrokerExtension;
import io.beamline.options.StreamOptions;
import io.beamline.pipelines.generate.GeneratedSample;
import io.beamline.transforms.Json;
import io.beamline.transforms.testing.TestKeyrings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code stream} with the Kafka sinks on: every etl row once on the etl topic (exactly-once sink,
 * read with read_committed), every dead letter on the dead-letter topic with its reason.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StreamToKafkaTest {
  @RegisterExtension static KafkaBrokerExtension kafka = new KafkaBrokerExtension();

  @TempDir static Path work;

  private GeneratedSample sample;
  private EtlRunSummary summary;

  @BeforeAll
  void streamASampleToTopics() throws Exception {
    Path keyring = work.resolve("keyring.json");
    Files.writeString(keyring, TestKeyrings.keyring().toFileJson());
    // A stream in event-time order (as live producers send): with the default allowed lateness
    // nothing is late, and duplicates (a producer's retries) come within the dedup span.
    sample =
        io.beamline.pipelines.generate.SampleEventGenerator.builder()
            .count(200).badFraction(0.1).duplicateFraction(0.03).files(2).days(1)
            .endDate(EtlTestSupport.END_DATE).seed(23L).eventTimesInOrder(true)
            .outputPath(work.resolve("input")).keyring(TestKeyrings.keyring())
            .build()
            .generate();
    kafka.createTopic("in", 2);
    kafka.createTopic("rows", 2);
    kafka.createTopic("rejected", 1);
    long sent = ProduceEnvelopeFiles.send(kafka.bootstrapServers(), "in", sample.files());
    StreamOptions options =
        PipelineOptionsFactory.fromArgs(
                "--bootstrapServers=" + kafka.bootstrapServers(),
                "--topics=in",
                "--consumerGroup=to-kafka",
                "--maxRecords=" + sent,
                "--etlTopic=rows",
                "--deadLetterTopic=rejected",
                "--kafkaSinkShards=2",
                "--outputRoot=" + work.resolve("out"),
                "--keyringPath=" + keyring,
                "--schemaDir=" + EtlTestSupport.SCHEMAS)
            .withValidation()
            .as(StreamOptions.class);
    summary = StreamingEtlPipeline.run(options);
  }

  @Test
  void everyEtlRowArrivesOnceForReadCommittedConsumers() throws Exception {
    List<byte[]> values = kafka.consumeAll("rows", true, Duration.ofSeconds(20));
    Map<String, Long> rowsByTable = new TreeMap<>();
    Set<String> seen = new HashSet<>();
    for (byte[] value : values) {
      JsonNode row = Json.MAPPER.readTree(value);
      String table = row.get("table").asText();
      rowsByTable.merge(table, 1L, Long::sum);
      // A row is one (event, table, position) combination: orders and items of one event differ.
      seen.add(row.get("event_id").asText() + "/" + table + "/" + row.path("line_no").asText());
    }
    assertThat(rowsByTable, equalTo(summary.etlRowsByTable()));
    assertThat(rowsByTable, equalTo(new TreeMap<>(sample.expectedEtlRows())));
    assertThat(seen.size(), is(values.size()));
  }

  @Test
  void everyDeadLetterArrivesWithItsReason() throws Exception {
    Map<String, Long> byReason = new TreeMap<>();
    for (byte[] value : kafka.consumeAll("rejected", false, Duration.ofSeconds(20))) {
      byReason.merge(Json.MAPPER.readTree(value).get("reason").asText(), 1L, Long::sum);
    }
    assertThat(byReason, equalTo(summary.deadLettersByReason()));
    assertThat(byReason, equalTo(new TreeMap<>(sample.expectedDeadLetters())));
  }
}
