package io.beamline.pipelines.metrics;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;

import java.util.List;
import org.apache.beam.sdk.metrics.DistributionResult;
import org.apache.beam.sdk.metrics.MetricKey;
import org.apache.beam.sdk.metrics.MetricName;
import org.apache.beam.sdk.metrics.MetricQueryResults;
import org.apache.beam.sdk.metrics.MetricResult;
import org.junit.jupiter.api.Test;

class PrometheusTextTest {
  private static MetricKey key(String step, String name) {
    return MetricKey.create(step, MetricName.named("beamline", name));
  }

  /** Committed value {@code committed}; attempted one more, so the test sees which is used. */
  private static MetricResult<Long> counter(String step, String name, long committed) {
    return MetricResult.create(key(step, name), committed, committed + 1);
  }

  private static MetricQueryResults counters(List<MetricResult<Long>> counters) {
    return MetricQueryResults.create(counters, List.of(), List.of(), List.of());
  }

  @Test
  void formatsCountersAndDistributionsInFixedOrderWithCommittedValuesSummedOverSteps() {
    MetricQueryResults results =
        MetricQueryResults.create(
            List.of(
                counter("Read/SplitLines", "records_in", 90),
                counter("Read2/SplitLines", "records_in", 10),
                counter("Dedup", "duplicates", 2),
                counter("Validate", "records_out.validate", 80),
                counter("Parse", "records_out.parse", 95),
                counter("Parse", "dead_letters.parse.MALFORMED_JSON", 3),
                counter("Read", "dead_letters.read.OVERSIZED", 1),
                counter("Validate", "dead_letters.validate.SCHEMA_VIOLATION", 12),
                counter("Read", "blank_lines", 4),
                // another namespace: not Beamline's, left out
                MetricResult.create(
                    MetricKey.create("X", MetricName.named("other", "records_in")), 7L, 7L)),
            List.of(
                MetricResult.create(
                    key("Read", "record_size_bytes"),
                    DistributionResult.create(1000, 4, 100, 400),
                    DistributionResult.create(1, 1, 1, 1)),
                MetricResult.create(
                    key("Parse", "event_time_lag_ms"),
                    DistributionResult.create(0, 0, Long.MAX_VALUE, Long.MIN_VALUE),
                    DistributionResult.create(0, 0, Long.MAX_VALUE, Long.MIN_VALUE))),
            List.of(),
            List.of());

    assertThat(
        PrometheusText.format(results),
        is(
            String.join(
                "\n",
                "# HELP beamline_records_in_total Input records read (non-blank lines, messages, API records and failed pages).",
                "# TYPE beamline_records_in_total counter",
                "beamline_records_in_total 100",
                "# HELP beamline_records_out_total Records a stage passed on to the next.",
                "# TYPE beamline_records_out_total counter",
                "beamline_records_out_total{stage=\"parse\"} 95",
                "beamline_records_out_total{stage=\"validate\"} 80",
                "# HELP beamline_dead_letters_total Records rejected to the dead-letter zone, by stage and reason.",
                "# TYPE beamline_dead_letters_total counter",
                "beamline_dead_letters_total{stage=\"parse\",reason=\"MALFORMED_JSON\"} 3",
                "beamline_dead_letters_total{stage=\"read\",reason=\"OVERSIZED\"} 1",
                "beamline_dead_letters_total{stage=\"validate\",reason=\"SCHEMA_VIOLATION\"} 12",
                "# HELP beamline_duplicates_total Duplicate events dropped.",
                "# TYPE beamline_duplicates_total counter",
                "beamline_duplicates_total 2",
                "# HELP beamline_blank_lines_total Beam counter beamline:blank_lines.",
                "# TYPE beamline_blank_lines_total counter",
                "beamline_blank_lines_total 4",
                "# HELP beamline_event_time_lag_ms Beam distribution beamline:event_time_lag_ms: count and sum.",
                "# TYPE beamline_event_time_lag_ms summary",
                "beamline_event_time_lag_ms_sum 0",
                "beamline_event_time_lag_ms_count 0",
                "# HELP beamline_record_size_bytes Beam distribution beamline:record_size_bytes: count and sum.",
                "# TYPE beamline_record_size_bytes summary",
                "beamline_record_size_bytes_sum 1000",
                "beamline_record_size_bytes_count 4",
                "# HELP beamline_record_size_bytes_min Beam distribution beamline:record_size_bytes: smallest value.",
                "# TYPE beamline_record_size_bytes_min gauge",
                "beamline_record_size_bytes_min 100",
                "# HELP beamline_record_size_bytes_max Beam distribution beamline:record_size_bytes: largest value.",
                "# TYPE beamline_record_size_bytes_max gauge",
                "beamline_record_size_bytes_max 400",
                "")));
  }

  @Test
  void usesAttemptedValuesWhenTheRunnerHasNoCommittedOnes() {
    MetricQueryResults results =
        counters(List.of(MetricResult.attempted(key("Read", "records_in"), 42L)));

    assertThat(PrometheusText.format(results), containsString("\nbeamline_records_in_total 42\n"));
  }

  @Test
  void escapesBackslashQuoteAndNewlineInLabelValues() {
    MetricQueryResults results =
        counters(List.of(counter("S", "dead_letters.a\"b\\c\nd.MALFORMED_JSON", 1)));

    assertThat(
        PrometheusText.format(results),
        containsString(
            "\nbeamline_dead_letters_total{stage=\"a\\\"b\\\\c\\nd\",reason=\"MALFORMED_JSON\"} 1\n"));
  }
}
