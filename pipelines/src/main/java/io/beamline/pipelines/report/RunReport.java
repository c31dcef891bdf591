package io.beamline.pipelines.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.beamline.transforms.Json;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.beam.sdk.metrics.DistributionResult;

/**
 * The numbers of one run report, as its JSON twin (docs/FORMATS.md, "Run report"); the HTML page
 * is rendered from this very object, so the two always agree. Counts come from the audit record
 * (or, for a running stream, its window audit records), stage counts and the event-time lag from
 * the run's Beam metrics, throughput from the driver's samples of them.
 */
public final class RunReport {
  /** Stages in pipeline order; others follow by name. */
  static final List<String> STAGE_ORDER =
      List.of("read", "parse", "late", "decrypt", "flatten", "validate", "dedupe", "load");

  static final String LAG = "event_time_lag_ms";

  private final ObjectNode json;

  private RunReport(ObjectNode json) {
    this.json = json;
  }

  /** What a report is made of. {@code audit}: an audit record (docs/FORMATS.md, "Audit record"). */
  public record Inputs(
      String kind,
      ObjectNode audit,
      Instant startedAt,
      Instant generatedAt,
      MetricValues metrics,
      List<ThroughputSampler.Sample> samples,
      Map<String, List<DeadLetterExample>> examples,
      Optional<ObjectNode> quality,
      ArrayNode partitions) {}

  public static RunReport of(Inputs in) {
    JsonNode a = in.audit();
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.put("report_version", 1);
    o.put("kind", in.kind());
    for (String field : List.of("command", "run_id", "runner")) {
      o.set(field, a.path(field).isMissingNode() ? null : a.get(field));
    }
    o.put("generated_at", in.generatedAt().toString());
    o.put("started_at", in.startedAt().toString());
    o.set("finished_at", a.hasNonNull("finished_at") ? a.get("finished_at") : null);
    long duration =
        a.hasNonNull("duration_ms")
            ? a.get("duration_ms").asLong()
            : java.time.Duration.between(in.startedAt(), in.generatedAt()).toMillis();
    o.put("duration_ms", duration);
    for (String field : List.of("input_path", "output_root")) {
      o.set(field, a.path(field).isMissingNode() ? null : a.get(field));
    }

    ObjectNode totals = o.putObject("totals");
    for (String field : List.of("records_in", "etl_records", "dead_letters", "duplicates_dropped")) {
      totals.put(field, a.path(field).asLong());
    }
    totals.put("conserved", a.path("conserved").asBoolean());
    if (a.has("load_refused_rows")) {
      totals.put("load_refused_rows", a.get("load_refused_rows").asLong());
    }
    o.set("etl_rows", a.path("etl_rows").isObject() ? a.get("etl_rows").deepCopy() : o.objectNode());
    o.set("stages", stages(in.metrics(), a));
    o.set("dead_letters", deadLetters(a.path("dead_letters_by_reason"), in.examples()));
    o.set("quality", in.quality().orElse(null));
    o.set("throughput", throughput(in.samples(), totals.get("records_in").asLong(), duration));
    ObjectNode eventTime = o.putObject("event_time");
    eventTime.set("min", a.hasNonNull("event_time_min") ? a.get("event_time_min") : null);
    eventTime.set("max", a.hasNonNull("event_time_max") ? a.get("event_time_max") : null);
    DistributionResult lag = in.metrics().distributions().get(LAG);
    if (lag == null || lag.getCount() == 0) {
      o.set(LAG, null);
    } else {
      ObjectNode l = o.putObject(LAG);
      l.put("count", lag.getCount());
      l.put("min", lag.getMin());
      l.put("mean", Math.round((double) lag.getSum() / lag.getCount()));
      l.put("max", lag.getMax());
    }
    o.set("partitions", in.partitions());
    return new RunReport(o);
  }

  /** Per stage: records passed on and dead letters (metrics); duplicates dropped at dedupe (audit). */
  private static ArrayNode stages(MetricValues metrics, JsonNode audit) {
    Map<String, long[]> byStage = new TreeMap<>();
    metrics.counters().forEach(
        (name, n) -> {
          if (name.startsWith("records_out.")) {
            byStage.computeIfAbsent(name.substring("records_out.".length()), s -> new long[] {-1, 0})[0] = n;
          } else if (name.startsWith("dead_letters.") && name.indexOf('.', 13) > 0) {
            String stage = name.substring(13, name.indexOf('.', 13));
            byStage.computeIfAbsent(stage, s -> new long[] {-1, 0})[1] += n;
          }
        });
    Map<String, long[]> ordered = new LinkedHashMap<>();
    for (String stage : STAGE_ORDER) {
      if (stage.equals("dedupe")) {
        ordered.put(stage, new long[] {audit.path("etl_records").asLong(), 0});
      } else if (byStage.containsKey(stage)) {
        ordered.put(stage, byStage.get(stage));
      }
    }
    byStage.forEach(ordered::putIfAbsent);
    ArrayNode out = Json.MAPPER.createArrayNode();
    ordered.forEach(
        (stage, n) -> {
          ObjectNode s = out.addObject();
          s.put("stage", stage);
          if (n[0] < 0) {
            s.putNull("records_out"); // the read stage counts records in, not out
          } else {
            s.put("records_out", n[0]);
          }
          s.put("dead_letters", n[1]);
          s.put("duplicates_dropped", stage.equals("dedupe") ? audit.path("duplicates_dropped").asLong() : 0);
        });
    return out;
  }

  private static ArrayNode deadLetters(JsonNode byReason, Map<String, List<DeadLetterExample>> examples) {
    TreeSet<String> reasons = new TreeSet<>(examples.keySet());
    byReason.fieldNames().forEachRemaining(reasons::add);
    List<ObjectNode> rows = new ArrayList<>();
    for (String reason : reasons) {
      ObjectNode r = Json.MAPPER.createObjectNode();
      r.put("reason", reason);
      r.put("count", byReason.path(reason).asLong());
      ArrayNode list = r.putArray("examples");
      examples.getOrDefault(reason, List.of()).forEach(e -> list.add(e.toJson()));
      rows.add(r);
    }
    // Most frequent first, then by name.
    rows.sort(
        (x, y) ->
            x.get("count").asLong() != y.get("count").asLong()
                ? Long.compare(y.get("count").asLong(), x.get("count").asLong())
                : x.get("reason").asText().compareTo(y.get("reason").asText()));
    ArrayNode out = Json.MAPPER.createArrayNode();
    rows.forEach(out::add);
    return out;
  }

  private static ObjectNode throughput(List<ThroughputSampler.Sample> samples, long recordsIn, long durationMs) {
    ObjectNode t = Json.MAPPER.createObjectNode();
    t.put("sample_interval_ms", ThroughputSampler.SAMPLE_INTERVAL.toMillis());
    t.put("records_per_second", durationMs <= 0 ? 0.0 : round1(recordsIn * 1000.0 / durationMs));
    double peak = 0;
    for (int i = 1; i < samples.size(); i++) {
      long dt = samples.get(i).elapsedMillis() - samples.get(i - 1).elapsedMillis();
      if (dt > 0) {
        peak = Math.max(peak, (samples.get(i).recordsIn() - samples.get(i - 1).recordsIn()) * 1000.0 / dt);
      }
    }
    t.put("peak_records_per_second", round1(peak));
    ArrayNode list = t.putArray("samples");
    for (ThroughputSampler.Sample s : samples) {
      ObjectNode p = list.addObject();
      p.put("elapsed_ms", s.elapsedMillis());
      p.put("records_in", s.recordsIn());
      p.put("dead_letters", s.deadLetters());
      p.put("duplicates", s.duplicates());
    }
    return t;
  }

  private static double round1(double v) {
    return Math.round(v * 10) / 10.0;
  }

  /** The JSON twin. */
  public ObjectNode json() {
    return json.deepCopy();
  }

  /** The self-contained HTML page. */
  public String html() {
    return RunReportHtml.render(json);
  }
}
