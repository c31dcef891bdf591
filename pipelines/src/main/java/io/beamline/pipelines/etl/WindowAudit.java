package io.beamline.pipelines.etl;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.beamline.io.jdbc.JdbcConnection;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.beamline.io.PartitionPath;
import io.beamline.io.PartitionedTextWrite;
import io.beamline.transforms.Json;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.coders.MapCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.AfterProcessingTime;
import org.apache.beam.sdk.transforms.windowing.AfterWatermark;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.PaneInfo;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PDone;
import org.joda.time.Duration;

/**
 * The audit of a stream, one record per event-time window and pane under {@code
 * audit/windows/dt=…/hr=…}: records in, etl records and rows per table, dead letters per reason,
 * duplicates, and whether they add up. Every count follows the timestamp of the line it came from
 * (a late record's, the watermark it was read at), so each window balances on its own. Panes
 * accumulate: the highest pane of a window holds its final numbers.
 */
final class WindowAudit extends PTransform<PCollection<String>, PDone> {
  static final String ZONE_PREFIX = PartitionPath.AUDIT + "/windows/";
  private static final Duration LATE_PANE_DELAY = Duration.standardSeconds(10);

  private final String outputRoot;
  private final Duration window;
  private final Duration allowedLateness;
  private final String runId;
  private final JdbcConnection warehouse;
  private final QualityAlerts alerts;

  /**
   * {@code warehouse}: where {@code audit.windows} gets the same records; null for none. {@code
   * alerts}: raises each window's error-rate alert; null for none.
   */
  WindowAudit(
      String outputRoot,
      Duration window,
      Duration allowedLateness,
      String runId,
      JdbcConnection warehouse,
      QualityAlerts alerts) {
    this.outputRoot = outputRoot;
    this.window = window;
    this.allowedLateness = allowedLateness;
    this.runId = runId;
    this.warehouse = warehouse;
    this.alerts = alerts;
  }

  /** Input: the count keys of {@link AuditCounts#countKeys}. */
  @Override
  public PDone expand(PCollection<String> countKeys) {
    PCollection<KV<String, String>> records =
        countKeys
        .apply(
            "AuditWindows",
            Window.<String>into(FixedWindows.of(window))
                .triggering(
                    AfterWatermark.pastEndOfWindow()
                        .withLateFirings(
                            AfterProcessingTime.pastFirstElementInPane().plusDelayOf(LATE_PANE_DELAY)))
                .withAllowedLateness(allowedLateness)
                .accumulatingFiredPanes())
        .apply("CountPerWindow", Combine.globally(new CountKeys()).withoutDefaults())
        .apply("AuditRecord", ParDo.of(new AuditRecordFn(runId)));
    records.apply(
        "WriteAuditZone",
        PartitionedTextWrite.to(outputRoot).withShardsPerPartition(1).keepingOtherFiles(runId));
    if (warehouse != null) {
      records.apply("UpsertAuditWindows", ParDo.of(new UpsertWindowFn(warehouse)));
    }
    if (alerts != null) {
      records.apply("ErrorRateAlerts", ParDo.of(new QualityAlerts.RaiseForErrorRateFn(alerts)));
    }
    return PDone.in(countKeys.getPipeline());
  }

  static final class CountKeys extends Combine.CombineFn<String, Map<String, Long>, Map<String, Long>> {
    @Override
    public Map<String, Long> createAccumulator() {
      return new HashMap<>();
    }

    @Override
    public Map<String, Long> addInput(Map<String, Long> counts, String key) {
      counts.merge(key, 1L, Long::sum);
      return counts;
    }

    @Override
    public Map<String, Long> mergeAccumulators(Iterable<Map<String, Long>> all) {
      Map<String, Long> out = new HashMap<>();
      for (Map<String, Long> counts : all) {
        counts.forEach((k, v) -> out.merge(k, v, Long::sum));
      }
      return out;
    }

    @Override
    public Map<String, Long> extractOutput(Map<String, Long> counts) {
      return counts;
    }

    @Override
    public Coder<Map<String, Long>> getAccumulatorCoder(CoderRegistry registry, Coder<String> input) {
      return MapCoder.of(StringUtf8Coder.of(), VarLongCoder.of());
    }

    @Override
    public Coder<Map<String, Long>> getDefaultOutputCoder(CoderRegistry registry, Coder<String> input) {
      return MapCoder.of(StringUtf8Coder.of(), VarLongCoder.of());
    }
  }

  /** (audit partition path, the window's record as one JSON line). */
  static final class AuditRecordFn extends DoFn<Map<String, Long>, KV<String, String>> {
    private final String runId;

    AuditRecordFn(String runId) {
      this.runId = runId;
    }

    @ProcessElement
    public void process(
        @Element Map<String, Long> counts,
        BoundedWindow window,
        PaneInfo pane,
        OutputReceiver<KV<String, String>> out)
        throws JsonProcessingException {
      IntervalWindow w = (IntervalWindow) window;
      ObjectNode record = Json.MAPPER.createObjectNode();
      record.put("run_id", runId);
      record.put("window_start", Instant.ofEpochMilli(w.start().getMillis()).toString());
      record.put("window_end", Instant.ofEpochMilli(w.end().getMillis()).toString());
      record.put("pane_index", pane.getIndex());
      record.put("pane_timing", pane.getTiming().name());
      long in = counts.getOrDefault(AuditCounts.RECORDS_IN, 0L);
      long etl = counts.getOrDefault(AuditCounts.ETL_RECORDS, 0L);
      long duplicates = counts.getOrDefault(AuditCounts.DUPLICATES, 0L);
      record.put("records_in", in);
      record.put("etl_records", etl);
      record.put("duplicates_dropped", duplicates);
      ObjectNode deadLetters = record.putObject("dead_letters");
      ObjectNode rows = record.putObject("etl_rows");
      ObjectNode quarantined = Json.MAPPER.createObjectNode();
      long rejected = 0;
      for (Map.Entry<String, Long> e : new TreeMap<>(counts).entrySet()) {
        if (e.getKey().startsWith(AuditCounts.DEAD_LETTERS)) {
          deadLetters.put(e.getKey().substring(AuditCounts.DEAD_LETTERS.length()), e.getValue());
          rejected += e.getValue();
        } else if (e.getKey().startsWith(AuditCounts.ETL_ROWS)) {
          rows.put(e.getKey().substring(AuditCounts.ETL_ROWS.length()), e.getValue());
        } else if (e.getKey().startsWith(AuditCounts.QUARANTINED_ROWS)) {
          quarantined.put(e.getKey().substring(AuditCounts.QUARANTINED_ROWS.length()), e.getValue());
        }
      }
      record.put("dead_letters_total", rejected);
      if (counts.containsKey(AuditCounts.LOAD_REFUSED_ROWS)) {
        record.put("load_refused_rows", counts.get(AuditCounts.LOAD_REFUSED_ROWS));
      }
      if (!quarantined.isEmpty()) {
        record.set("quarantined_rows", quarantined);
      }
      record.put("conserved", in == etl + rejected + duplicates);
      out.output(
          KV.of(
              ZONE_PREFIX + PartitionPath.dateHour(w.start().getMillis()),
              Json.MAPPER.writeValueAsString(record)));
    }
  }

  /** The same record into {@code audit.windows}, a window's highest pane winning. */
  static final class UpsertWindowFn extends DoFn<KV<String, String>, Void> {
    private static final String UPSERT =
        "INSERT INTO audit.windows (run_id, window_start, window_end, pane_index, pane_timing,"
            + " records_in, etl_records, dead_letters, duplicates_dropped, conserved, counts)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, CAST(? AS jsonb))"
            + " ON CONFLICT (run_id, window_start) DO UPDATE SET window_end = EXCLUDED.window_end,"
            + " pane_index = EXCLUDED.pane_index, pane_timing = EXCLUDED.pane_timing,"
            + " records_in = EXCLUDED.records_in, etl_records = EXCLUDED.etl_records,"
            + " dead_letters = EXCLUDED.dead_letters, duplicates_dropped = EXCLUDED.duplicates_dropped,"
            + " conserved = EXCLUDED.conserved, counts = EXCLUDED.counts"
            + " WHERE EXCLUDED.pane_index >= audit.windows.pane_index";

    private final JdbcConnection warehouse;

    UpsertWindowFn(JdbcConnection warehouse) {
      this.warehouse = warehouse;
    }

    @ProcessElement
    public void process(@Element KV<String, String> record) throws SQLException, JsonProcessingException {
      JsonNode r = Json.MAPPER.readTree(record.getValue());
      try (Connection c = warehouse.open();
          PreparedStatement s = c.prepareStatement(UPSERT)) {
        s.setString(1, r.get("run_id").asText());
        s.setObject(2, OffsetDateTime.ofInstant(Instant.parse(r.get("window_start").asText()), ZoneOffset.UTC));
        s.setObject(3, OffsetDateTime.ofInstant(Instant.parse(r.get("window_end").asText()), ZoneOffset.UTC));
        s.setLong(4, r.get("pane_index").asLong());
        s.setString(5, r.get("pane_timing").asText());
        s.setLong(6, r.get("records_in").asLong());
        s.setLong(7, r.get("etl_records").asLong());
        s.setLong(8, r.get("dead_letters_total").asLong());
        s.setLong(9, r.get("duplicates_dropped").asLong());
        s.setBoolean(10, r.get("conserved").asBoolean());
        s.setString(11, record.getValue());
        s.executeUpdate();
      }
    }
  }
}
