package io.beamline.pipelines.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.beamline.io.PartitionPath;
import io.beamline.transforms.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.io.fs.MatchResult;

/**
 * Writes run reports: {@code <outputRoot>/audit/reports/dt=<date>/run-<runId>.html} and its JSON
 * twin {@code run-<runId>.json} when a run has finished, and for a running stream {@code
 * run-<runId>-at-<yyyyMMdd'T'HHmmss'Z'>.html} (and {@code .json}) every report interval. Each file
 * appears whole (temporary name, then rename).
 */
public final class RunReports {
  private static final DateTimeFormatter DATE =
      DateTimeFormatter.ofPattern("uuuu-MM-dd").withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("uuuuMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

  private RunReports() {}

  /** Where the HTML report of a finished run goes; the JSON twin is the same path ending {@code .json}. */
  public static String htmlFile(String outputRoot, Instant startedAt, String runId) {
    return outputRoot + "/" + PartitionPath.AUDIT + "/reports/dt=" + DATE.format(startedAt) + "/run-" + runId + ".html";
  }

  /** The JSON twin of an HTML report. */
  public static String jsonTwin(String htmlFile) {
    return htmlFile.substring(0, htmlFile.length() - ".html".length()) + ".json";
  }

  /**
   * Writes the report of a finished run from its audit record (docs/FORMATS.md), its final
   * metrics, the driver's samples and the staged dead-letter examples, then removes the staging
   * file. Returns the HTML file.
   */
  public static String writeFinished(
      ObjectNode auditRecord,
      String outputRoot,
      Instant startedAt,
      String examplesStaging,
      ThroughputSampler sampler,
      MetricValues finalMetrics) {
    String runId = auditRecord.path("run_id").asText();
    RunReport report =
        RunReport.of(
            new RunReport.Inputs(
                "run",
                auditRecord,
                startedAt,
                Instant.now(),
                finalMetrics,
                sampler.samples(),
                DeadLetterExamples.read(examplesStaging),
                QualityAudit.of(outputRoot, runId),
                PartitionsWritten.of(outputRoot, startedAt)));
    String html = htmlFile(outputRoot, startedAt, runId);
    write(report, html);
    DeadLetterExamples.remove(examplesStaging);
    return html;
  }

  /**
   * Writes the report of a stream while it runs, from the window audit records it has written so
   * far (the latest pane of each window), the latest metrics sample and the examples staged so far.
   * Returns the HTML file.
   */
  public static String writeInterval(
      String command,
      String runId,
      String runner,
      String inputPath,
      String outputRoot,
      Instant startedAt,
      String examplesStaging,
      ThroughputSampler sampler) {
    Instant now = Instant.now();
    ObjectNode audit = windowTotals(outputRoot, runId);
    audit.put("command", command);
    audit.put("run_id", runId);
    audit.put("runner", runner);
    audit.put("input_path", inputPath);
    audit.put("output_root", outputRoot);
    RunReport report =
        RunReport.of(
            new RunReport.Inputs(
                "interval",
                audit,
                startedAt,
                now,
                sampler.latest(),
                sampler.samples(),
                DeadLetterExamples.read(examplesStaging),
                QualityAudit.of(outputRoot, runId),
                PartitionsWritten.of(outputRoot, startedAt)));
    String html =
        outputRoot + "/" + PartitionPath.AUDIT + "/reports/dt=" + DATE.format(now) + "/run-" + runId + "-at-"
            + STAMP.format(now) + ".html";
    write(report, html);
    return html;
  }

  private static void write(RunReport report, String html) {
    ReportFiles.writeWhole(jsonTwin(html), report.json().toPrettyString());
    ReportFiles.writeWhole(html, report.html());
  }

  /**
   * The counts of a stream's window audit records so far, summed over its windows (each window's
   * highest pane, which holds its numbers), as an audit record without times.
   */
  static ObjectNode windowTotals(String outputRoot, String runId) {
    Map<String, JsonNode> latestPane = new HashMap<>();
    String glob = outputRoot + "/" + PartitionPath.AUDIT + "/windows/**/part-" + runId + "-*.jsonl";
    for (MatchResult.Metadata m : ReportFiles.match(glob)) {
      if (m.resourceId().getFilename().startsWith(".")) {
        continue;
      }
      for (String line : ReportFiles.read(m.resourceId()).split("\n")) {
        if (line.isBlank()) {
          continue;
        }
        JsonNode w;
        try {
          w = Json.MAPPER.readTree(line);
        } catch (IOException e) {
          throw new UncheckedIOException("unreadable window audit record in " + m.resourceId(), e);
        }
        latestPane.merge(
            w.path("window_start").asText(),
            w,
            (a, b) -> a.path("pane_index").asLong() >= b.path("pane_index").asLong() ? a : b);
      }
    }
    long in = 0;
    long etl = 0;
    long duplicates = 0;
    long refused = 0;
    Map<String, Long> reasons = new TreeMap<>();
    Map<String, Long> rows = new TreeMap<>();
    for (JsonNode w : latestPane.values()) {
      in += w.path("records_in").asLong();
      etl += w.path("etl_records").asLong();
      duplicates += w.path("duplicates_dropped").asLong();
      refused += w.path("load_refused_rows").asLong();
      w.path("dead_letters").fields().forEachRemaining(e -> reasons.merge(e.getKey(), e.getValue().asLong(), Long::sum));
      w.path("etl_rows").fields().forEachRemaining(e -> rows.merge(e.getKey(), e.getValue().asLong(), Long::sum));
    }
    long deadLetters = reasons.values().stream().mapToLong(Long::longValue).sum();
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.put("records_in", in);
    o.put("etl_records", etl);
    ObjectNode r = o.putObject("etl_rows");
    rows.forEach(r::put);
    o.put("dead_letters", deadLetters);
    ObjectNode byReason = o.putObject("dead_letters_by_reason");
    reasons.forEach(byReason::put);
    o.put("duplicates_dropped", duplicates);
    o.put("conserved", in == etl + deadLetters + duplicates);
    if (refused > 0) {
      o.put("load_refused_rows", refused);
    }
    o.put("windows", latestPane.size());
    return o;
  }
}
