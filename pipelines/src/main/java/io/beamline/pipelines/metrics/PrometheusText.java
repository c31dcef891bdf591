package io.beamline.pipelines.metrics;

import io.beamline.transforms.DeadLetters;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.DistributionResult;
import org.apache.beam.sdk.metrics.GaugeResult;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricQueryResults;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;

/**
 * Beamline's Beam metrics (namespace {@code beamline}) in the Prometheus text exposition format
 * 0.0.4. Counters become {@code _total} counters ({@code records_out.<stage>} and {@code
 * dead_letters.<stage>.<reason>} with labels), distributions a summary ({@code _count}, {@code
 * _sum}) and two gauges ({@code _min}, {@code _max}). Values are summed over the steps that report
 * a metric; committed values where the runner has them, else attempted. Families and samples come
 * in a fixed order, so the same metrics always give the same text.
 */
public final class PrometheusText {
  /** The content type of this format. */
  public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private static final String PREFIX = DeadLetters.METRICS_NAMESPACE + "_";
  private static final String RECORDS_OUT = "records_out.";
  private static final String DEAD_LETTERS = "dead_letters.";

  private PrometheusText() {}

  /** The current metrics of a (running or finished) pipeline. */
  public static String of(PipelineResult result) {
    return format(
        result
            .metrics()
            .queryMetrics(
                MetricsFilter.builder()
                    .addNameFilter(MetricNameFilter.inNamespace(DeadLetters.METRICS_NAMESPACE))
                    .build()));
  }

  /** The metrics of namespace {@code beamline} in {@code results} as Prometheus text. */
  public static String format(MetricQueryResults results) {
    Map<String, Long> counters = new TreeMap<>();
    for (MetricResult<Long> r : results.getCounters()) {
      if (DeadLetters.METRICS_NAMESPACE.equals(r.getName().getNamespace())) {
        counters.merge(r.getName().getName(), value(r), Long::sum);
      }
    }
    Map<String, DistributionResult> distributions = new TreeMap<>();
    for (MetricResult<DistributionResult> r : results.getDistributions()) {
      if (DeadLetters.METRICS_NAMESPACE.equals(r.getName().getNamespace())) {
        distributions.merge(r.getName().getName(), value(r), PrometheusText::combine);
      }
    }

    StringBuilder out = new StringBuilder();
    family(out, "records_in_total", "counter", "Input records read (non-blank lines, messages, API records and failed pages).");
    sample(out, "records_in_total", List.of(), counters.getOrDefault("records_in", 0L));

    Map<String, Long> outByStage = new TreeMap<>();
    Map<String, Long> deadByStageReason = new TreeMap<>();
    Map<String, Long> others = new TreeMap<>();
    for (Map.Entry<String, Long> e : counters.entrySet()) {
      String name = e.getKey();
      if (name.startsWith(RECORDS_OUT)) {
        outByStage.put(name.substring(RECORDS_OUT.length()), e.getValue());
      } else if (name.startsWith(DEAD_LETTERS) && name.indexOf('.', DEAD_LETTERS.length()) > 0) {
        deadByStageReason.put(name.substring(DEAD_LETTERS.length()), e.getValue());
      } else if (labelled(name) == null && !name.equals("records_in") && !name.equals("duplicates")) {
        others.put(name, e.getValue());
      }
    }
    if (!outByStage.isEmpty()) {
      family(out, "records_out_total", "counter", "Records a stage passed on to the next.");
      outByStage.forEach((stage, n) -> sample(out, "records_out_total", List.of("stage", stage), n));
    }
    if (!deadByStageReason.isEmpty()) {
      family(out, "dead_letters_total", "counter", "Records rejected to the dead-letter zone, by stage and reason.");
      deadByStageReason.forEach(
          (stageReason, n) -> {
            int dot = stageReason.indexOf('.');
            sample(
                out,
                "dead_letters_total",
                List.of("stage", stageReason.substring(0, dot), "reason", stageReason.substring(dot + 1)),
                n);
          });
    }
    family(out, "duplicates_total", "counter", "Duplicate events dropped.");
    sample(out, "duplicates_total", List.of(), counters.getOrDefault("duplicates", 0L));
    for (Map.Entry<String, List<String>> family : LABELLED_COUNTERS.entrySet()) {
      String prefix = family.getKey();
      List<String> labelNames = family.getValue().subList(2, family.getValue().size());
      boolean first = true;
      for (Map.Entry<String, Long> e : counters.entrySet()) {
        if (!e.getKey().startsWith(prefix)) {
          continue;
        }
        String[] values = e.getKey().substring(prefix.length()).split("\\.", -1);
        if (values.length != labelNames.size()) {
          continue;
        }
        String metric = family.getValue().get(0);
        if (first) {
          family(out, metric, "counter", family.getValue().get(1));
          first = false;
        }
        List<String> labels = new ArrayList<>();
        for (int i = 0; i < values.length; i++) {
          labels.add(labelNames.get(i));
          labels.add(values[i]);
        }
        sample(out, metric, labels, e.getValue());
      }
    }
    others.forEach(
        (name, n) -> {
          String metric = sanitize(name) + "_total";
          family(out, metric, "counter", "Beam counter " + DeadLetters.METRICS_NAMESPACE + ":" + name + ".");
          sample(out, metric, List.of(), n);
        });

    distributions.forEach(
        (name, d) -> {
          String metric = sanitize(name);
          String what = "Beam distribution " + DeadLetters.METRICS_NAMESPACE + ":" + name;
          family(out, metric, "summary", what + ": count and sum.");
          sample(out, metric + "_sum", List.of(), d.getSum());
          sample(out, metric + "_count", List.of(), d.getCount());
          if (d.getCount() > 0) {
            family(out, metric + "_min", "gauge", what + ": smallest value.");
            sample(out, metric + "_min", List.of(), d.getMin());
            family(out, metric + "_max", "gauge", what + ": largest value.");
            sample(out, metric + "_max", List.of(), d.getMax());
          }
        });
    qualityScores(out, results);
    return out.toString();
  }

  /**
   * Counters whose name carries label values after a prefix: prefix -> metric, help, label
   * names.
   */
  private static final Map<String, List<String>> LABELLED_COUNTERS =
      new TreeMap<>(
          Map.of(
              "quarantined_rows.",
              List.of("quarantined_rows_total", "Rows the quality circuit breaker sent to the quarantine zone.", "source", "table"),
              "circuit_breaker_trips.",
              List.of("circuit_breaker_trips_total", "Tables (per run or stream window pane) that failed a critical quality rule.", "source", "table"),
              "alerts.",
              List.of("alerts_total", "Alerts raised (circuit breaker, freshness SLA, error rate).", "kind")));

  private static String labelled(String name) {
    for (String prefix : LABELLED_COUNTERS.keySet()) {
      if (name.startsWith(prefix)) {
        return prefix;
      }
    }
    return null;
  }

  private static final String QUALITY_SCORE = "quality_score.";

  /**
   * The quality gauges {@code quality_score.<kind>.<source>.<table>.<column>} (millionths; an
   * empty column for the table's score) as {@code beamline_quality_score{source,table,column,kind}}
   * fractions.
   */
  private static void qualityScores(StringBuilder out, MetricQueryResults results) {
    Map<List<String>, Long> scores = new TreeMap<>(java.util.Comparator.comparing(List::toString));
    for (MetricResult<GaugeResult> r : results.getGauges()) {
      String name = r.getName().getName();
      if (DeadLetters.METRICS_NAMESPACE.equals(r.getName().getNamespace()) && name.startsWith(QUALITY_SCORE)) {
        String[] parts = name.substring(QUALITY_SCORE.length()).split("\\.", -1);
        if (parts.length == 4) {
          // source, table, column, kind
          scores.put(List.of(parts[1], parts[2], parts[3], parts[0]), value(r).getValue());
        }
      }
    }
    if (scores.isEmpty()) {
      return;
    }
    family(out, "quality_score", "gauge", "Data quality score, a fraction from 0 to 1, per table (column=\"\") and column, by kind.");
    scores.forEach(
        (k, millionths) -> {
          out.append(PREFIX).append("quality_score{source=\"").append(escapeLabel(k.get(0)))
              .append("\",table=\"").append(escapeLabel(k.get(1)))
              .append("\",column=\"").append(escapeLabel(k.get(2)))
              .append("\",kind=\"").append(escapeLabel(k.get(3))).append("\"} ")
              .append(java.math.BigDecimal.valueOf(millionths, 6).stripTrailingZeros().toPlainString())
              .append('\n');
        });
  }

  private static DistributionResult combine(DistributionResult a, DistributionResult b) {
    return DistributionResult.create(
        a.getSum() + b.getSum(),
        a.getCount() + b.getCount(),
        Math.min(a.getMin(), b.getMin()),
        Math.max(a.getMax(), b.getMax()));
  }

  /** Committed when the runner supports it, else attempted. */
  private static <T> T value(MetricResult<T> r) {
    try {
      return r.getCommitted();
    } catch (UnsupportedOperationException notSupported) {
      return r.getAttempted();
    }
  }

  private static void family(StringBuilder out, String name, String type, String help) {
    out.append("# HELP ").append(PREFIX).append(name).append(' ').append(escapeHelp(help)).append('\n');
    out.append("# TYPE ").append(PREFIX).append(name).append(' ').append(type).append('\n');
  }

  /** {@code labels}: name, value, name, value, ... */
  private static void sample(StringBuilder out, String name, List<String> labels, long value) {
    out.append(PREFIX).append(name);
    if (!labels.isEmpty()) {
      List<String> pairs = new ArrayList<>();
      for (int i = 0; i < labels.size(); i += 2) {
        pairs.add(labels.get(i) + "=\"" + escapeLabel(labels.get(i + 1)) + "\"");
      }
      out.append('{').append(String.join(",", pairs)).append('}');
    }
    out.append(' ').append(value).append('\n');
  }

  /** A Beam metric name as a Prometheus metric name: [a-zA-Z0-9_], everything else '_'. */
  static String sanitize(String name) {
    return name.replaceAll("[^a-zA-Z0-9_]", "_");
  }

  static String escapeLabel(String value) {
    return escape(value, s -> s.replace("\"", "\\\""));
  }

  private static String escapeHelp(String text) {
    return escape(text, Function.identity());
  }

  private static String escape(String s, Function<String, String> more) {
    return more.apply(s.replace("\\", "\\\\").replace("\n", "\\n"));
  }
}
