package io.beamline.pipelines.etl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.beamline.io.PartitionPath;
import io.beamline.transforms.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.coders.ListCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.PaneInfo;
import org.apache.beam.sdk.util.MimeTypes;
import org.apache.beam.sdk.values.PCollection;

/**
 * The quality audit: the table verdicts of a batch run, or of a stream's window pane, as one JSON
 * document in {@code audit/quality/} (format in docs/FORMATS.md). Outputs each document written,
 * for the warehouse and the alerts.
 */
final class QualityAudit extends PTransform<PCollection<String>, PCollection<String>> {
  static final String ZONE_PREFIX = PartitionPath.AUDIT + "/quality/";
  private static final DateTimeFormatter DATE =
      DateTimeFormatter.ofPattern("uuuu-MM-dd").withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter BOUND =
      DateTimeFormatter.ofPattern("uuuuMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

  private final String outputRoot;
  private final String runId;
  private final Instant startedAt;

  QualityAudit(String outputRoot, String runId, Instant startedAt) {
    this.outputRoot = outputRoot;
    this.runId = runId;
    this.startedAt = startedAt;
  }

  @Override
  public PCollection<String> expand(PCollection<String> verdicts) {
    return verdicts
        .apply("VerdictsTogether", Combine.globally(new VerdictList()).withoutDefaults())
        .apply("WriteQualityAudit", ParDo.of(new WriteFn(outputRoot, runId, startedAt)));
  }

  /** Where a batch run's quality audit goes. */
  static String batchFile(String outputRoot, Instant startedAt, String runId) {
    return outputRoot + "/" + ZONE_PREFIX + "dt=" + DATE.format(startedAt) + "/run-" + runId + ".json";
  }

  /** Where a stream's quality audit of one window pane goes (no ':' in the name). */
  static String windowFile(String outputRoot, Instant start, Instant end, long pane, String runId) {
    return outputRoot + "/" + ZONE_PREFIX + "dt=" + DATE.format(start) + "/window-" + BOUND.format(start) + "-"
        + BOUND.format(end) + "-pane-" + pane + "-run-" + runId + ".json";
  }

  /** A written quality audit document, or null when there is none at {@code path}. */
  static JsonNode read(String path) {
    try {
      if (FileSystems.match(path).metadata().isEmpty()) {
        return null;
      }
    } catch (IOException e) {
      return null; // nothing matched
    }
    try (InputStream in = Channels.newInputStream(FileSystems.open(FileSystems.matchNewResource(path, false)))) {
      return Json.MAPPER.readTree(in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the quality audit " + path, e);
    }
  }

  /** Collects a run's (or pane's) verdicts: one per table, so a handful of small documents. */
  static final class VerdictList extends Combine.CombineFn<String, List<String>, List<String>> {
    @Override
    public List<String> createAccumulator() {
      return new ArrayList<>();
    }

    @Override
    public List<String> addInput(List<String> acc, String verdict) {
      acc.add(verdict);
      return acc;
    }

    @Override
    public List<String> mergeAccumulators(Iterable<List<String>> accs) {
      List<String> out = new ArrayList<>();
      accs.forEach(out::addAll);
      return out;
    }

    @Override
    public List<String> extractOutput(List<String> acc) {
      return acc;
    }

    @Override
    public Coder<List<String>> getAccumulatorCoder(CoderRegistry registry, Coder<String> input) {
      return ListCoder.of(StringUtf8Coder.of());
    }

    @Override
    public Coder<List<String>> getDefaultOutputCoder(CoderRegistry registry, Coder<String> input) {
      return ListCoder.of(StringUtf8Coder.of());
    }
  }

  static final class WriteFn extends DoFn<List<String>, String> {
    private final String outputRoot;
    private final String runId;
    private final Instant startedAt;

    WriteFn(String outputRoot, String runId, Instant startedAt) {
      this.outputRoot = outputRoot;
      this.runId = runId;
      this.startedAt = startedAt;
    }

    @ProcessElement
    public void process(
        @Element List<String> verdicts, BoundedWindow window, PaneInfo pane, OutputReceiver<String> out)
        throws IOException {
      List<JsonNode> tables = new ArrayList<>();
      for (String v : verdicts) {
        tables.add(Json.MAPPER.readTree(v));
      }
      tables.sort(Comparator.comparing((JsonNode t) -> t.path("source").asText()).thenComparing(t -> t.path("table").asText()));
      ObjectNode doc = Json.MAPPER.createObjectNode();
      doc.put("runId", runId);
      String path;
      if (window instanceof IntervalWindow) {
        IntervalWindow w = (IntervalWindow) window;
        Instant start = Instant.ofEpochMilli(w.start().getMillis());
        Instant end = Instant.ofEpochMilli(w.end().getMillis());
        ObjectNode range = doc.putObject("window");
        range.put("start", start.toString());
        range.put("end", end.toString());
        doc.put("pane", pane.getIndex());
        path = windowFile(outputRoot, start, end, pane.getIndex(), runId);
      } else {
        doc.putNull("window");
        path = batchFile(outputRoot, startedAt, runId);
      }
      doc.put("evaluatedAt", Instant.now().toString());
      ArrayNode array = doc.putArray("tables");
      tables.forEach(array::add);
      String json = doc.toPrettyString();
      writeWhole(path, json);
      out.output(json);
    }
  }

  /** Writes under a temporary name, then renames: the file appears whole. */
  static void writeWhole(String path, String content) throws IOException {
    ResourceId target = FileSystems.matchNewResource(path, false);
    ResourceId temp = FileSystems.matchNewResource(path + ".tmp", false);
    try (OutputStream o = Channels.newOutputStream(FileSystems.create(temp, MimeTypes.TEXT))) {
      o.write(content.getBytes(StandardCharsets.UTF_8));
    }
    FileSystems.rename(List.of(temp), List.of(target));
  }
}
