package io.beamline.benchmarks.harness;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

import java.util.List;
import org.junit.jupiter.api.Test;

class ResultsTableTest {
  private static Measurement run(String contender, int events, double seconds, double rssGb, boolean correct) {
    return new Measurement(Contenders.named(contender), events, events * 1000L, seconds, seconds * 2,
        (long) (rssGb * 1024 * 1024 * 1024), correct, correct ? null : "exit code 1");
  }

  @Test
  void ratiosAreToTheBaselineOfTheSameModeAndSize() {
    ResultsTable t = new ResultsTable(List.of(
        run("baseline", 1000, 10, 1, true), run("baseline-nowrite", 1000, 5, 1, true),
        run("flink", 1000, 20, 1, true), run("flink-nowrite", 1000, 10, 1, true)));
    assertThat(t.ratioToBaseline(t.of("flink", 1000).orElseThrow()).orElseThrow(), is(0.5));
    assertThat(t.ratioToBaseline(t.of("flink-nowrite", 1000).orElseThrow()).orElseThrow(), is(0.5));
  }

  @Test
  void targetsAreJudgedFromTheMeasurements() {
    ResultsTable t = new ResultsTable(List.of(
        run("baseline", 1000, 10, 1, true), run("flink", 1000, 12, 1, true),
        run("spark", 1000, 20, 1, true), run("native-spark", 1000, 15, 1, true)));
    String targets = t.targets();
    assertThat(targets, containsString("| Flink >= 80 % of the baseline (1,000 events) | 83 % | yes |"));
    assertThat(targets, containsString("| Spark runner >= 70 % of the baseline (1,000 events) | 50 % | **no** |"));
    assertThat(targets, containsString("| Beamline on Spark >= 90 % of native Spark (1,000 events) | 75 % | **no** |"));
    assertThat(targets, containsString("| Flink faster than native Spark (1,000 events) | 125 % | yes |"));
  }

  @Test
  void scalingIsJudgedOnTimeAndPeakMemory() {
    ResultsTable t = new ResultsTable(List.of(
        run("flink", 250_000, 30, 1.5, true), run("flink", 1_000_000, 100, 2.0, true),
        run("flink", 4_000_000, 430, 2.2, true)));
    String targets = t.targets();
    assertThat(targets, containsString("| flink, 250,000 -> 1,000,000 events: 4x the input in <= 4.2x the time | 3.33x | yes |"));
    assertThat(targets, containsString("| flink, 250,000 -> 1,000,000 events: peak memory grows <= 20 % | +33 % | **no** |"));
    assertThat(targets, containsString("| flink, 1,000,000 -> 4,000,000 events: 4x the input in <= 4.2x the time | 4.30x | **no** |"));
    assertThat(targets, containsString("| flink, 1,000,000 -> 4,000,000 events: peak memory grows <= 20 % | +10 % | yes |"));
  }

  @Test
  void directAtOneMillionIsJudgedWithTheDefaultHeapAndCappedAlike() {
    ResultsTable t = new ResultsTable(List.of(
        run("baseline", 1_000_000, 100, 1, true), run("direct", 1_000_000, 500, 6.3, true),
        run("direct-2g", 1_000_000, 300, 2.6, true)));
    String targets = t.targets();
    assertThat(targets, containsString("| direct, 1M events: peak RSS < 3 GB | 6.30 GB | **no** |"));
    assertThat(targets, containsString("| direct-2g, 1M events: peak RSS < 3 GB | 2.60 GB | yes |"));
    assertThat(targets, containsString("| direct-2g, 1M events: >= 30 % of the baseline | 33 % | yes |"));
  }

  @Test
  void aFailedRunIsShownButNeverCountsAsAResult() {
    ResultsTable t = new ResultsTable(List.of(run("baseline", 1000, 10, 1, true), run("flink", 1000, 1, 1, false)));
    assertThat(t.of("flink", 1000).isPresent(), is(false));
    assertThat(t.targets(), not(containsString("Flink >= 80 %")));
    assertThat(t.markdown("t", java.util.Map.of(), "c.svg"), containsString("NO: exit code 1"));
    assertThat(ThroughputChart.svg(t), containsString("failed"));
  }
}
