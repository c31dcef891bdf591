package io.beamline.benchmarks.streaming;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;

import org.junit.jupiter.api.Test;

class FreshnessTest {
  @Test
  void percentilesAreNearestRankOfTheSamplesGivenInAnyOrder() {
    long[] samples = new long[200];
    for (int i = 0; i < 100; i++) {
      samples[i] = 100 - i; // 100..1, reversed
    }
    Freshness f = Freshness.of(samples, 100); // only the first 100 count

    assertThat(f, equalTo(new Freshness(100, 50, 95, 99, 100)));
  }

  @Test
  void aSingleSampleIsEveryPercentile() {
    assertThat(Freshness.of(new long[] {1234}, 1), equalTo(new Freshness(1, 1234, 1234, 1234, 1234)));
  }

  @Test
  void theP99OfTenSamplesIsTheLargest() {
    long[] samples = {5, 1, 9, 3, 7, 2, 8, 4, 6, 4000};
    Freshness f = Freshness.of(samples, samples.length);

    assertThat(f.p50(), equalTo(5L));
    assertThat(f.p95(), equalTo(4000L));
    assertThat(f.p99(), equalTo(4000L));
  }

  @Test
  void noSamplesIsNone() {
    assertThat(Freshness.of(new long[0], 0), equalTo(Freshness.NONE));
  }
}
