package io.beamline.pipelines.etl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.beamline.io.PartitionPath;
import io.beamline.pipelines.report.RunReports;
import io.beamline.transforms.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.MoveOptions.StandardMoveOptions;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.apache.beam.sdk.util.MimeTypes;

/**
 * The audit record of one batch run: what came in, where it went, and whether the counts add up
 * (records in = etl records + dead letters + duplicates dropped). Written to {@code
 * <outputRoot>/audit/runs/dt=<start date>/run-<runId>.json} and printed at the end of the run.
 */
public final class EtlRunSummary {
  private static final DateTimeFormatter DATE =
      DateTimeFormatter.ofPattern("uuuu-MM-dd").withZone(ZoneOffset.UTC);

  private final ObjectNode json;
  private final String auditFile;
  private final String metricsFile;
  private final String reportFile;

  private EtlRunSummary(ObjectNode json, String auditFile, String metricsFile, String reportFile) {
    this.json = json;
    this.auditFile = auditFile;
    this.metricsFile = metricsFile;
    this.reportFile = reportFile;
  }

  /**
   * Reads the counts the pipeline staged, writes the audit record, and removes the staging file.
   * {@code metricsFile}: the run's Prometheus metrics file, named in the summary (or null).
   */
  static EtlRunSummary finish(
      String command,
      BatchEtlPipeline.Plan plan,
      String runner,
      String inputPath,
      Instant finishedAt,
      String metricsFile) {
    Map<String, Long> counts = readCounts(plan.stagingFile());
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.put("command", command);
    o.put("run_id", plan.runId());
    o.put("runner", runner);
    o.put("started_at", plan.startedAt().toString());
    o.put("finished_at", finishedAt.toString());
    o.put("duration_ms", Duration.between(plan.startedAt(), finishedAt).toMillis());
    o.put("input_path", inputPath);
    o.put("output_root", plan.outputRoot());
    long in = counts.getOrDefault(AuditCounts.RECORDS_IN, 0L);
    long etl = counts.getOrDefault(AuditCounts.ETL_RECORDS, 0L);
    long duplicates = counts.getOrDefault(AuditCounts.DUPLICATES, 0L);
    o.put("records_in", in);
    o.put("etl_records", etl);
    ObjectNode rows = o.putObject("etl_rows");
    ObjectNode reasons = Json.MAPPER.createObjectNode();
    long deadLetters = 0;
    for (Map.Entry<String, Long> e : counts.entrySet()) {
      if (e.getKey().startsWith(AuditCounts.ETL_ROWS)) {
        rows.put(e.getKey().substring(AuditCounts.ETL_ROWS.length()), e.getValue());
      } else if (e.getKey().startsWith(AuditCounts.DEAD_LETTERS)) {
        reasons.put(e.getKey().substring(AuditCounts.DEAD_LETTERS.length()), e.getValue());
        deadLetters += e.getValue();
      }
    }
    o.put("dead_letters", deadLetters);
    o.set("dead_letters_by_reason", reasons);
    o.put("duplicates_dropped", duplicates);
    Long min = counts.get(AuditCounts.EVENT_TIME_MIN);
    Long max = counts.get(AuditCounts.EVENT_TIME_MAX);
    o.put("event_time_min", min == null ? null : Instant.ofEpochMilli(min).toString());
    o.put("event_time_max", max == null ? null : Instant.ofEpochMilli(max).toString());
    o.put("conserved", in == etl + deadLetters + duplicates);
    if (counts.containsKey(AuditCounts.LOAD_REFUSED_ROWS)) {
      // Rows (not records) the warehouse refused: they are in the etl zone, and dead letters of
      // their own, outside the records' conservation.
      o.put("load_refused_rows", counts.get(AuditCounts.LOAD_REFUSED_ROWS));
    }
    ObjectNode quarantined = Json.MAPPER.createObjectNode();
    counts.forEach(
        (k, v) -> {
          if (k.startsWith(AuditCounts.QUARANTINED_ROWS)) {
            quarantined.put(k.substring(AuditCounts.QUARANTINED_ROWS.length()), v);
          }
        });
    if (!quarantined.isEmpty()) {
      // Rows of accepted records (in etl_rows) that the quality gate put in the quarantine zone
      // instead of the etl zone: etl zone rows of a table = etl_rows - quarantined_rows.
      o.set("quarantined_rows", quarantined);
    }
    String qualityFile = QualityAudit.batchFile(plan.outputRoot(), plan.startedAt(), plan.runId());
    if (!plan.quality().isEmpty() && QualityAudit.read(qualityFile) != null) {
      o.put("quality_audit", qualityFile); // batch runs; a stream's are per window pane
    }
    String auditFile =
        plan.outputRoot() + "/" + PartitionPath.AUDIT + "/runs/dt=" + DATE.format(plan.startedAt())
            + "/run-" + plan.runId() + ".json";
    writeWhole(auditFile, o.toPrettyString());
    try {
      FileSystems.delete(
          List.of(FileSystems.matchNewResource(plan.stagingFile(), false)),
          StandardMoveOptions.IGNORE_MISSING_FILES);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot remove " + plan.stagingFile(), e);
    }
    return new EtlRunSummary(o, auditFile, metricsFile, null);
  }

  private static Map<String, Long> readCounts(String stagingFile) {
    try (InputStream in =
        Channels.newInputStream(FileSystems.open(FileSystems.matchNewResource(stagingFile, false)))) {
      JsonNode node = Json.MAPPER.readTree(in.readAllBytes());
      Map<String, Long> counts = new TreeMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        counts.put(e.getKey(), e.getValue().longValue());
      }
      return counts;
    } catch (IOException e) {
      throw new UncheckedIOException("the run's counts were not staged at " + stagingFile, e);
    }
  }

  /** Writes to a temporary name, then renames, so the audit record appears whole or not at all. */
  private static void writeWhole(String path, String text) {
    ResourceId target = FileSystems.matchNewResource(path, false);
    ResourceId temp = FileSystems.matchNewResource(path + ".tmp", false);
    try {
      try (OutputStream out = Channels.newOutputStream(FileSystems.create(temp, MimeTypes.TEXT))) {
        out.write(text.getBytes(StandardCharsets.UTF_8));
      }
      FileSystems.rename(List.of(temp), List.of(target));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the audit record " + path, e);
    }
  }

  /** The audit record, as written to the audit zone. */
  public ObjectNode record() {
    return json.deepCopy();
  }

  public String runId() {
    return json.get("run_id").asText();
  }

  public long recordsIn() {
    return json.get("records_in").asLong();
  }

  public long etlRecords() {
    return json.get("etl_records").asLong();
  }

  public long deadLetters() {
    return json.get("dead_letters").asLong();
  }

  public long duplicatesDropped() {
    return json.get("duplicates_dropped").asLong();
  }

  /** Dead letters per reason name; reasons with none are absent. */
  public Map<String, Long> deadLettersByReason() {
    return longs(json.get("dead_letters_by_reason"));
  }

  /** Etl rows per table, children included. */
  public Map<String, Long> etlRowsByTable() {
    return longs(json.get("etl_rows"));
  }

  /** Rows the quality gate sent to the quarantine zone, per table; empty when none. */
  public Map<String, Long> quarantinedRowsByTable() {
    return json.has("quarantined_rows") ? longs(json.get("quarantined_rows")) : Map.of();
  }

  /** The run's quality audit file, or null when no table has a quality suite. */
  public String qualityFile() {
    return json.has("quality_audit") ? json.get("quality_audit").asText() : null;
  }

  public boolean conserved() {
    return json.get("conserved").asBoolean();
  }

  public String auditFile() {
    return auditFile;
  }

  /** The run's metrics in Prometheus text format, or null when none were written. */
  public String metricsFile() {
    return metricsFile;
  }

  /** The run's HTML report (its JSON twin beside it, ending {@code .json}), or null when none was written. */
  public String reportFile() {
    return reportFile;
  }

  /** The same summary naming the run's HTML report. */
  public EtlRunSummary withReportFile(String htmlFile) {
    return new EtlRunSummary(json, auditFile, metricsFile, htmlFile);
  }

  public String toJson() {
    return json.toPrettyString();
  }

  /** The summary a person reads at the end of a run. */
  public String toText() {
    String root = json.get("output_root").asText();
    StringBuilder s = new StringBuilder();
    s.append(String.format("Beamline %s run %s on %s: %d ms%n", json.get("command").asText(), runId(), json.get("runner").asText(),
        json.get("duration_ms").asLong()));
    s.append(String.format("  input      %-10d records from %s%n", recordsIn(), json.get("input_path").asText()));
    s.append(String.format("  etl        %-10d records -> %s/%s%n", etlRecords(), root, PartitionPath.ETL));
    etlRowsByTable().forEach((t, n) -> s.append(String.format("               %-10d rows of %s%n", n, t)));
    s.append(String.format("  dlq        %-10d records -> %s/%s%n", deadLetters(), root, PartitionPath.DLQ));
    deadLettersByReason().forEach((r, n) -> s.append(String.format("               %-10d %s%n", n, r)));
    quarantinedRowsByTable()
        .forEach((t, n) -> s.append(String.format("  quarantine %-10d rows of %s -> %s/%s%n", n, t, root, PartitionPath.QUARANTINE)));
    s.append(String.format("  duplicates %-10d dropped%n", duplicatesDropped()));
    s.append(String.format("  raw        %s/%s%n", root, PartitionPath.RAW));
    s.append(String.format("  event time %s .. %s%n", json.get("event_time_min").asText(), json.get("event_time_max").asText()));
    s.append(String.format("  counts     %d in = %d etl + %d dlq + %d duplicates: %s%n", recordsIn(), etlRecords(),
        deadLetters(), duplicatesDropped(), conserved() ? "conserved" : "NOT CONSERVED"));
    s.append(String.format("  audit      %s%n", auditFile));
    if (qualityFile() != null) {
      s.append(String.format("  quality    %s%n", qualityFile()));
    }
    if (metricsFile != null) {
      s.append(String.format("  metrics    %s%n", metricsFile));
    }
    if (reportFile != null) {
      s.append(String.format("  report     %s%n", reportFile));
      s.append(String.format("             %s%n", RunReports.jsonTwin(reportFile)));
    }
    return s.toString();
  }

  private static Map<String, Long> longs(JsonNode node) {
    Map<String, Long> out = new TreeMap<>();
    node.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asLong()));
    return Collections.unmodifiableMap(out);
  }
}
