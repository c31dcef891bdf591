package io.beamline.pipelines.etl;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.beamline.io.kafka.testing.KafkaBrokerExtension;
import io.beamline.options.StreamOptions;
import io.beamline.pipelines.generate.SampleEventGenerator;
import io.beamline.transforms.Json;
import io.beamline.transforms.testing.TestKeyrings;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * An ordered stream on one partition with one record far behind the rest: read after the
 * watermark has passed its window's end plus the allowed lateness, it lands in the dlq zone as
 * {@code LATE_DATA} with the envelope unchanged; a record late by less is an etl row like the rest.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StreamingLateDataTest {
  @RegisterExtension static KafkaBrokerExtension kafka = new KafkaBrokerExtension();

  @TempDir static Path work;

  private static final String[] EVENT_TIMES = {
    "2026-11-20T10:00:00Z",
    "2026-11-20T10:10:00Z",
    "2026-11-20T10:20:00Z",
    "2026-11-20T10:30:00Z",
    "2026-11-20T10:40:00Z",
    // Deadline 09:05 (window 07:00-07:05 plus 2 h): long passed by the watermark of 10:39:30.
    "2026-11-20T07:00:00Z",
    // Deadline 11:35: late, but within the allowed lateness.
    "2026-11-20T09:30:00Z",
    "2026-11-20T10:50:00Z"
  };

  private final List<String> sent = new ArrayList<>();
  private EtlRunSummary summary;

  @BeforeAll
  void streamEventsWithOneFarBehind() throws Exception {
    Path keyring = work.resolve("keyring.json");
    Files.writeString(keyring, TestKeyrings.keyring().toFileJson());
    SampleEventGenerator.builder()
        .count(EVENT_TIMES.length)
        .badFraction(0)
        .duplicateFraction(0)
        .files(1)
        .days(1)
        .endDate(EtlTestSupport.END_DATE)
        .seed(11L)
        .outputPath(work.resolve("input"))
        .keyring(TestKeyrings.keyring())
        .build()
        .generate();
    List<byte[]> lines = EtlTestSupport.inputLines(work.resolve("input"));
    List<byte[]> values = new ArrayList<>();
    for (int i = 0; i < EVENT_TIMES.length; i++) {
      // The payload is sealed with the event_id only, so the event_time can be set freely.
      ObjectNode envelope = (ObjectNode) Json.MAPPER.readTree(lines.get(i));
      envelope.put("event_time", EVENT_TIMES[i]);
      String line = Json.MAPPER.writeValueAsString(envelope);
      sent.add(line);
      values.add(line.getBytes(StandardCharsets.UTF_8));
    }
    kafka.createTopic("ordered", 1);
    kafka.produce("ordered", values);

    StreamOptions options =
        PipelineOptionsFactory.fromArgs(
                "--bootstrapServers=" + kafka.bootstrapServers(),
                "--topics=ordered",
                "--consumerGroup=late-data",
                "--maxRecords=" + EVENT_TIMES.length,
                "--outputRoot=" + work.resolve("out"),
                "--keyringPath=" + keyring,
                "--schemaDir=" + EtlTestSupport.SCHEMAS)
            .withValidation()
            .as(StreamOptions.class);
    summary = StreamingEtlPipeline.run(options);
  }

  @Test
  void onlyTheRecordPastItsDeadlineIsLateDataAndCountsAddUp() {
    assertThat(summary.deadLettersByReason(), equalTo(Map.of("LATE_DATA", 1L)));
    assertThat(summary.etlRecords(), is((long) EVENT_TIMES.length - 1));
    assertThat(summary.recordsIn(), is((long) EVENT_TIMES.length));
    assertThat(summary.conserved(), is(true));
  }

  @Test
  void lateDeadLetterSitsInItsEventTimePartitionWithTheEnvelopeUnchanged() throws Exception {
    List<JsonNode> letters = new ArrayList<>();
    try (Stream<Path> files = Files.walk(work.resolve("out").resolve("dlq"))) {
      for (Path f : files.filter(Files::isRegularFile).collect(Collectors.toList())) {
        for (String line : Files.readAllLines(f)) {
          JsonNode letter = Json.MAPPER.readTree(line);
          letter = ((ObjectNode) letter).put("_path", work.resolve("out").relativize(f).toString());
          letters.add(letter);
        }
      }
    }
    assertThat(letters, hasSize(1));
    JsonNode late = letters.get(0);
    assertThat(late.path("reason").asText(), is("LATE_DATA"));
    assertThat(late.path("stage").asText(), is("late"));
    assertThat(late.path("raw").asText(), is(sent.get(5)));
    assertThat(late.path("_path").asText().contains("/dt=2026-11-20/hr=07/"), is(true));
  }
}
