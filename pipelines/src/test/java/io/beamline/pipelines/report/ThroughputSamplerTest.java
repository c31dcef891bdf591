package io.beamline.pipelines.report;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ThroughputSamplerTest {
  private static final Instant START = Instant.parse("2026-11-22T10:00:00Z");
  private static PipelineResult result;

  /** Counts each element as a record in and every third as a dead letter. */
  static final class CountFn extends DoFn<Integer, Void> {
    private final Counter in = Metrics.counter("beamline", "records_in");
    private final Counter dead = Metrics.counter("beamline", "dead_letters.parse.MALFORMED_JSON");

    @ProcessElement
    public void process(@Element Integer i) {
      in.inc();
      if (i % 3 == 0) {
        dead.inc();
      }
    }
  }

  @BeforeAll
  static void runAPipelineWithCounters() {
    Pipeline p = Pipeline.create(TestPipeline.testingPipelineOptions());
    p.apply(Create.of(1, 2, 3, 4, 5, 6, 7)).apply(ParDo.of(new CountFn()));
    result = p.run();
    result.waitUntilFinish();
  }

  @Test
  void samplesTheCommittedCountersAtTheirElapsedTime() {
    ThroughputSampler sampler = ThroughputSampler.from(START);
    sampler.sample(result, START.plusMillis(1500), true);
    assertThat(sampler.samples(),
        is(List.of(new ThroughputSampler.Sample(0, 0, 0, 0), new ThroughputSampler.Sample(1500, 7, 2, 0))));
  }

  @Test
  void callsThePeriodicReportOncePerIntervalWhileTheRunGoesOn() {
    List<Long> reportedAt = new ArrayList<>();
    ThroughputSampler sampler =
        ThroughputSampler.reportingEvery(
            START, Duration.ofMinutes(1), s -> reportedAt.add(s.samples().get(s.samples().size() - 1).elapsedMillis()));
    for (int second : new int[] {30, 61, 90, 119, 125, 200}) {
      sampler.sample(result, START.plusSeconds(second), false);
    }
    sampler.sample(result, START.plusSeconds(400), true); // the end: the final report is the run's
    assertThat(reportedAt, is(List.of(61_000L, 125_000L, 200_000L)));
  }

  @Test
  void keepsABoundedNumberOfSamplesWithTheFirstAndLatest() {
    ThroughputSampler sampler = ThroughputSampler.from(START);
    for (int i = 1; i <= 1000; i++) {
      sampler.sample(result, START.plusSeconds(i), false);
    }
    List<ThroughputSampler.Sample> samples = sampler.samples();
    assertThat(samples.size() <= ThroughputSampler.MAX_SAMPLES, is(true));
    assertThat(samples.get(0).elapsedMillis(), is(0L));
    assertThat(samples.get(samples.size() - 1).elapsedMillis(), is(1_000_000L));
  }
}
