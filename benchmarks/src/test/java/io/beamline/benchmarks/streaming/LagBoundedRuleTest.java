package io.beamline.benchmarks.streaming;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.closeTo;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;

import io.beamline.benchmarks.streaming.LagBoundedRule.LagSample;
import io.beamline.benchmarks.streaming.LagBoundedRule.Verdict;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LagBoundedRuleTest {
  private static final long START = 1_000_000;
  private static final long END = START + 60_000;

  /**
   * The lag of a job that keeps up with 1,000 events/s behind an exactly-once sink committing
   * every 2 s: it climbs to 2,000 and falls back to {@code floor} at each checkpoint, plus
   * {@code growthPerSecond} of backlog that accumulates.
   */
  private static List<LagSample> sawTooth(long floor, double growthPerSecond) {
    List<LagSample> samples = new ArrayList<>();
    for (long t = START; t <= END; t += 250) {
      long sinceCheckpoint = (t - START) % 2000;
      long backlog = (long) ((t - START) / 1000.0 * growthPerSecond);
      samples.add(new LagSample(t, floor + sinceCheckpoint + backlog));
    }
    return samples;
  }

  @Test
  void aSawToothWithSteadyTroughsIsBounded() {
    Verdict v = LagBoundedRule.judge(sawTooth(100, 0), START, END, 1000, 0.05);

    assertThat(v.bounded(), is(true));
    assertThat(v.troughThirdQuarter(), equalTo(100L));
    assertThat(v.troughFourthQuarter(), equalTo(100L));
    assertThat(v.growthPerSecond(), closeTo(0.0, 1e-9));
  }

  @Test
  void troughsRisingByTenPercentOfTheRateAreNotBounded() {
    Verdict v = LagBoundedRule.judge(sawTooth(100, 100), START, END, 1000, 0.05);

    assertThat(v.bounded(), is(false));
    assertThat(v.growthPerSecond(), closeTo(100.0, 1.0));
  }

  @Test
  void troughsRisingWithinTheToleranceAreBounded() {
    Verdict v = LagBoundedRule.judge(sawTooth(100, 20), START, END, 1000, 0.05);

    assertThat(v.bounded(), is(true));
    assertThat(v.growthPerSecond(), closeTo(20.0, 1.0));
  }

  @Test
  void aLagThatFallsIsBounded() {
    List<LagSample> falling = new ArrayList<>();
    for (long t = START; t <= END; t += 500) {
      falling.add(new LagSample(t, Math.max(0, 30_000 - (t - START))));
    }

    assertThat(LagBoundedRule.judge(falling, START, END, 1000, 0.05).bounded(), is(true));
  }

  @Test
  void withoutSamplesInTheLastQuarterNothingShowsTheJobKeptUp() {
    List<LagSample> early = new ArrayList<>();
    for (LagSample s : sawTooth(0, 0)) {
      if (s.atMillis() < START + 45_000) {
        early.add(s);
      }
    }

    assertThat(LagBoundedRule.judge(early, START, END, 1000, 0.05).bounded(), is(false));
  }
}
