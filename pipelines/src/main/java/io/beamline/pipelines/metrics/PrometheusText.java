package io.beamline.pipelines.metrics;

import io.beamline.transforms.DeadLetters;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.DistributionResult;
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
      } else if (!name.equals("records_in") && !name.equals("duplicates")) {
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
    return out.toString();
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
