package io.beamline.benchmarks.streaming;

import java.util.List;

/**
 * Whether a rate step is sustainable: the backlog (events produced minus events whose outcome, an
 * etl row or a dead letter, is visible) must not grow across the step's second half.
 *
 * <p>Rows of the exactly-once sink become visible only when a checkpoint completes, so the lag is
 * a saw-tooth even when the job keeps up. The rule therefore compares troughs, not points: the
 * smallest lag in the third quarter of the step against the smallest in the fourth. The backlog
 * counts as growing when that trough rises faster than {@code tolerance} times the target rate
 * per second (with 0.05: the job falls behind by more than 5 % of what is produced).
 */
final class LagBoundedRule {
  /** One observation: wall-clock milliseconds and the lag, in events, at that moment. */
  record LagSample(long atMillis, long lag) {}

  /** The verdict with the numbers behind it. */
  record Verdict(boolean bounded, long troughThirdQuarter, long troughFourthQuarter, double growthPerSecond) {}

  static final double DEFAULT_TOLERANCE = 0.05;

  private LagBoundedRule() {}

  static Verdict judge(List<LagSample> samples, long stepStart, long stepEnd, double rate, double tolerance) {
    long quarter = (stepEnd - stepStart) / 4;
    long third = stepStart + 2 * quarter;
    long fourth = stepStart + 3 * quarter;
    LagSample trough3 = trough(samples, third, fourth);
    LagSample trough4 = trough(samples, fourth, stepEnd + 1);
    if (trough3 == null || trough4 == null || quarter <= 0) {
      // Without observations in both quarters nothing shows that the job kept up.
      return new Verdict(
          false, trough3 == null ? -1 : trough3.lag(), trough4 == null ? -1 : trough4.lag(), Double.NaN);
    }
    // Per second between the two troughs' own times, so where a checkpoint fell does not matter.
    double growth = (trough4.lag() - trough3.lag()) / ((trough4.atMillis() - trough3.atMillis()) / 1000.0);
    return new Verdict(growth <= tolerance * rate, trough3.lag(), trough4.lag(), growth);
  }

  /** The sample with the smallest lag in [from, to) (the earliest of equals), or null. */
  private static LagSample trough(List<LagSample> samples, long from, long to) {
    LagSample min = null;
    for (LagSample s : samples) {
      if (s.atMillis() >= from && s.atMillis() < to && (min == null || s.lag() < min.lag())) {
        min = s;
      }
    }
    return min;
  }
}
