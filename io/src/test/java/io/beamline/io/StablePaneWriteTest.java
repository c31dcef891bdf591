package io.beamline.io;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.reflect.DoFnSignatures;
import org.apache.beam.sdk.transforms.windowing.AfterPane;
import org.apache.beam.sdk.transforms.windowing.AfterWatermark;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.TimestampedValue;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The stream's zone write: one file per partition, window, pane and shard, each row once. */
class StablePaneWriteTest {
  private static final Instant T0 = Instant.parse("2026-11-20T10:00:00Z");
  private static final String PARTITION = "dlq/shop/orders/tenant=acme/dt=2026-11-20/hr=10";
  private static final String WINDOW = "20261120T100000Z-20261120T110000Z";

  @TempDir Path out;

  /** Five on-time lines, the watermark past the window, then two late lines in a late pane. */
  private static TestStream<KV<String, String>> onTimeThenLate() {
    TestStream.Builder<KV<String, String>> s =
        TestStream.create(KvCoder.of(StringUtf8Coder.of(), StringUtf8Coder.of()));
    for (int i = 0; i < 5; i++) {
      s = s.addElements(TimestampedValue.of(KV.of(PARTITION, "on-time " + i), T0.plus(Duration.standardMinutes(i))));
    }
    s = s.advanceWatermarkTo(T0.plus(Duration.standardHours(2)));
    s =
        s.addElements(
            TimestampedValue.of(KV.of(PARTITION, "late 0"), T0.plus(Duration.standardMinutes(30))),
            TimestampedValue.of(KV.of(PARTITION, "late 1"), T0.plus(Duration.standardMinutes(31))));
    return s.advanceWatermarkToInfinity();
  }

  private void runStream(int shards) {
    TestPipeline p = TestPipeline.create().enableAbandonedNodeEnforcement(false);
    p.apply(onTimeThenLate())
        .apply(
            Window.<KV<String, String>>into(FixedWindows.of(Duration.standardHours(1)))
                .triggering(AfterWatermark.pastEndOfWindow().withLateFirings(AfterPane.elementCountAtLeast(2)))
                .withAllowedLateness(Duration.standardDays(1))
                .discardingFiredPanes())
        .apply(PartitionedTextWrite.to(out.toString()).withShardsPerPartition(shards).keepingOtherFiles("run1"));
    p.run().waitUntilFinish();
  }

  /** Each visible file (hidden temporary files excluded) with its lines, by path below the root. */
  private Map<String, List<String>> zone() throws IOException {
    Map<String, List<String>> files = new TreeMap<>();
    try (Stream<Path> s = Files.walk(out)) {
      for (Path f : s.filter(Files::isRegularFile).collect(Collectors.toList())) {
        files.put(out.relativize(f).toString(), Files.readAllLines(f));
      }
    }
    return files;
  }

  private static List<String> allLines(Map<String, List<String>> zone) {
    List<String> lines = new ArrayList<>();
    zone.values().forEach(lines::addAll);
    return lines;
  }

  @Test
  void writesTheOnTimeAndTheLatePaneOfAWindowToFilesOfTheirOwn() throws IOException {
    runStream(1);

    Map<String, List<String>> zone = zone();
    assertThat(
        zone.keySet(),
        containsInAnyOrder(
            PARTITION + "/part-run1-" + WINDOW + "-0-00000-of-00001.jsonl",
            PARTITION + "/part-run1-" + WINDOW + "-1-00000-of-00001.jsonl"));
    assertThat(
        zone.get(PARTITION + "/part-run1-" + WINDOW + "-1-00000-of-00001.jsonl"),
        containsInAnyOrder("late 0", "late 1"));
    assertThat(allLines(zone).size(), is(7));
  }

  @Test
  void aPaneWrittenAgainRewritesItsOwnFilesSoNoLineIsThereTwice() throws IOException {
    runStream(8);
    Map<String, List<String>> first = zone();

    // As a restored job replays a pane from stable input: the same rows in the same pane.
    runStream(8);

    Map<String, List<String>> again = zone();
    assertThat(again.keySet(), equalTo(first.keySet()));
    List<String> lines = allLines(again);
    assertThat(lines.size(), is(7));
    assertThat(lines.stream().distinct().count(), is(7L));
  }

  @Test
  void leavesNoTemporaryFilesBehind() throws IOException {
    runStream(2);

    try (Stream<Path> s = Files.walk(out)) {
      assertThat(
          s.filter(f -> f.getFileName().toString().startsWith(".")).collect(Collectors.toList()), is(empty()));
    }
  }

  @Test
  void writesPanesOnlyFromStableInput() {
    assertThat(
        DoFnSignatures.getSignature(StablePaneWrite.WritePaneFileFn.class).processElement().requiresStableInput(),
        is(true));
  }
}
