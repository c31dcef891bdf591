package io.beamline.pipelines.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.beamline.io.PartitionPath;
import io.beamline.transforms.Json;
import java.io.IOException;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.beam.sdk.io.fs.MatchResult;

/**
 * The quality audit of a run, read for the report from {@code
 * audit/quality/dt=<date>/run-<runId>.json} (batch) or, in a stream, from the latest window pane
 * file of each table ({@code window-<start>-<end>-pane-<n>-run-<runId>.json}). Read tolerantly:
 * missing fields are null, and a file that does not parse is reported as unreadable rather than
 * failing the run. Normalised into the report's {@code quality} section (see docs/FORMATS.md).
 */
final class QualityAudit {
  private QualityAudit() {}

  /** The quality section of the report, or empty when the run has no quality audit file. */
  static Optional<ObjectNode> of(String outputRoot, String runId) {
    String dir = outputRoot + "/" + PartitionPath.AUDIT + "/quality/";
    List<MatchResult.Metadata> runFiles = ReportFiles.match(dir + "*/run-" + runId + ".json");
    List<MatchResult.Metadata> files =
        runFiles.isEmpty() ? ReportFiles.match(dir + "*/window-*-run-" + runId + ".json") : runFiles;
    if (files.isEmpty()) {
      return Optional.empty();
    }
    // Window files sort by window start, then pane: the last holds a table's latest numbers.
    List<MatchResult.Metadata> ordered =
        files.stream()
            .sorted(Comparator.comparing((MatchResult.Metadata m) -> m.resourceId().getFilename(), QualityAudit::byWindowThenPane))
            .toList();
    Map<String, ObjectNode> tables = new TreeMap<>();
    ObjectNode section = Json.MAPPER.createObjectNode();
    ArrayNode read = section.putArray("files");
    ArrayNode unreadable = section.putArray("unreadable");
    for (MatchResult.Metadata m : ordered) {
      String file = m.resourceId().toString();
      JsonNode doc;
      try {
        doc = Json.MAPPER.readTree(ReportFiles.read(m.resourceId()));
      } catch (IOException | RuntimeException e) {
        unreadable.add(file);
        continue;
      }
      if (doc == null || !doc.isObject()) {
        unreadable.add(file);
        continue;
      }
      read.add(file);
      for (JsonNode t : doc.path("tables")) {
        ObjectNode table = table(t);
        tables.put(table.path("source").asText() + "/" + table.path("table").asText(), table);
      }
      section.set("window", doc.path("window").isObject() ? doc.get("window").deepCopy() : null);
    }
    ArrayNode out = section.putArray("tables");
    tables.values().forEach(out::add);
    return Optional.of(section);
  }

  /** File names of window panes compare by window start, end, then pane number (not as text: pane 10 after 9). */
  private static int byWindowThenPane(String a, String b) {
    String pa = a.replaceAll(".*-pane-(\\d+)-run-.*", "$1");
    String pb = b.replaceAll(".*-pane-(\\d+)-run-.*", "$1");
    String wa = a.replaceAll("-pane-\\d+-run-.*", "");
    String wb = b.replaceAll("-pane-\\d+-run-.*", "");
    int byWindow = wa.compareTo(wb);
    if (byWindow != 0 || pa.equals(a) || pb.equals(b)) {
      return byWindow != 0 ? byWindow : a.compareTo(b);
    }
    return Long.compare(Long.parseLong(pa), Long.parseLong(pb));
  }

  private static ObjectNode table(JsonNode t) {
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.put("source", text(t, "source"));
    o.put("table", text(t, "table"));
    o.set("rows", t.path("rows").isNumber() ? t.get("rows") : null);
    o.set("passed", bool(t, "passed"));
    o.set("quarantined", bool(t, "quarantined"));
    ObjectNode scores = o.putObject("scores");
    t.path("scores").fields().forEachRemaining(e -> scores.set(e.getKey(), number(e.getValue())));
    ArrayNode rules = o.putArray("rules");
    Map<String, Boolean> columnPassed = new LinkedHashMap<>();
    for (JsonNode r : t.path("rules")) {
      ObjectNode rule = rules.addObject();
      rule.put("name", text(r, "name"));
      rule.put("type", text(r, "type"));
      rule.put("column", text(r, "column"));
      rule.put("severity", text(r, "severity"));
      rule.set("observed", number(r.path("observed")));
      rule.set("threshold", number(r.path("threshold")));
      rule.set("passed", bool(r, "passed"));
      rule.set("failing_rows", r.path("failingRows").isNumber() ? r.get("failingRows") : null);
      if (r.hasNonNull("column") && r.path("passed").isBoolean()) {
        columnPassed.merge(r.get("column").asText(), r.get("passed").asBoolean(), Boolean::logicalAnd);
      }
    }
    ArrayNode columns = o.putArray("columns");
    for (JsonNode c : t.path("columns")) {
      ObjectNode column = columns.addObject();
      String name = text(c, "column");
      column.put("column", name);
      for (String score : List.of("completeness", "validity", "uniqueness")) {
        column.set(score, number(c.path(score)));
      }
      // A column passes when the file says so, else when none of its rules failed.
      column.put(
          "passed",
          c.path("passed").isBoolean() ? c.get("passed").asBoolean() : columnPassed.getOrDefault(name, true));
    }
    return o;
  }

  private static String text(JsonNode o, String field) {
    JsonNode v = o.get(field);
    return v == null || v.isNull() || v.isContainerNode() ? null : v.asText();
  }

  private static JsonNode bool(JsonNode o, String field) {
    JsonNode v = o.get(field);
    return v != null && v.isBoolean() ? v : null;
  }

  private static JsonNode number(JsonNode v) {
    return v != null && v.isNumber() ? v : null;
  }
}
