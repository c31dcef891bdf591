package io.beamline.pipelines.report;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import io.beamline.transforms.model.DeadLetter;
import io.beamline.transforms.model.DeadLetterReason;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.Create;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The few examples per reason that a run stages for its report. */
class DeadLetterExamplesTest {
  private static DeadLetter letter(DeadLetterReason reason, String eventId) {
    return DeadLetter.builder("validate", reason, "orders.total: min 0").raw("{\"secret\":1}").eventId(eventId).build();
  }

  private static List<DeadLetter> letters() {
    return List.of(
        letter(DeadLetterReason.SCHEMA_VIOLATION, "e5"),
        letter(DeadLetterReason.SCHEMA_VIOLATION, "e2"),
        letter(DeadLetterReason.SCHEMA_VIOLATION, "e4"),
        letter(DeadLetterReason.SCHEMA_VIOLATION, "e1"),
        letter(DeadLetterReason.SCHEMA_VIOLATION, "e3"),
        letter(DeadLetterReason.UNKNOWN_TABLE, "e9"));
  }

  private static Map<String, List<String>> stagedEventIds(Path file) {
    Map<String, List<String>> out = new TreeMap<>();
    DeadLetterExamples.read(file.toString())
        .forEach((reason, list) -> out.put(reason, list.stream().map(DeadLetterExample::eventId).collect(Collectors.toList())));
    return out;
  }

  @Test
  void stagesTheThreeSmallestExamplesOfEachReason(@TempDir Path dir) {
    Path staging = dir.resolve("examples.json");
    Pipeline p = Pipeline.create(TestPipeline.testingPipelineOptions());
    p.apply(Create.of(letters())).apply(DeadLetterExamples.stagedAt(staging.toString()));
    p.run().waitUntilFinish();
    assertThat(
        stagedEventIds(staging),
        is(Map.of("SCHEMA_VIOLATION", List.of("e1", "e2", "e3"), "UNKNOWN_TABLE", List.of("e9"))));
  }

  @Test
  void anUnboundedStreamRestagesTheExamplesSeenSoFar(@TempDir Path dir) {
    Path staging = dir.resolve("examples.json");
    TestStream.Builder<DeadLetter> events = TestStream.create(DeadLetter.DeadLetterCoder.of());
    for (DeadLetter d : letters()) {
      events = events.addElements(org.apache.beam.sdk.values.TimestampedValue.of(d, new Instant(0)));
    }
    Pipeline p = Pipeline.create(TestPipeline.testingPipelineOptions());
    p.apply(events.advanceProcessingTime(Duration.standardMinutes(2)).advanceWatermarkToInfinity())
        .apply(DeadLetterExamples.stagedAt(staging.toString()).restagedEvery(Duration.standardMinutes(1)));
    p.run().waitUntilFinish();
    assertThat(
        stagedEventIds(staging),
        is(Map.of("SCHEMA_VIOLATION", List.of("e1", "e2", "e3"), "UNKNOWN_TABLE", List.of("e9"))));
  }

  @Test
  void noStagedFileMeansNoExamples(@TempDir Path dir) {
    assertThat(DeadLetterExamples.read(dir.resolve("none.json").toString()), is(Map.of()));
  }
}
