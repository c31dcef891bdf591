package io.beamline.benchmarks.streaming;

import java.util.Arrays;

/**
 * Percentiles of a set of freshness samples (milliseconds), by the nearest-rank method: the p-th
 * percentile is the smallest sample with at least p % of the samples at or below it, so every
 * figure reported is a delay that was actually observed.
 */
record Freshness(long count, long p50, long p95, long p99, long max) {
  static final Freshness NONE = new Freshness(0, -1, -1, -1, -1);

  static Freshness of(long[] samples, int length) {
    if (length == 0) {
      return NONE;
    }
    long[] sorted = Arrays.copyOf(samples, length);
    Arrays.sort(sorted);
    return new Freshness(
        length, rank(sorted, 50), rank(sorted, 95), rank(sorted, 99), sorted[length - 1]);
  }

  /** The nearest-rank percentile of sorted samples. */
  static long rank(long[] sorted, double percentile) {
    int n = sorted.length;
    int index = (int) Math.ceil(percentile / 100.0 * n) - 1;
    return sorted[Math.max(0, Math.min(n - 1, index))];
  }
}
