package io.beamline.pipelines.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.beamline.transforms.Json;
import io.beamline.transforms.model.DeadLetter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.coders.ListCoder;
import org.apache.beam.sdk.coders.MapCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.MoveOptions.StandardMoveOptions;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Top;
import org.apache.beam.sdk.transforms.windowing.AfterProcessingTime;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.transforms.windowing.Repeatedly;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.util.MimeTypes;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PDone;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;

/**
 * A few cleaned examples of each dead-letter reason ({@link DeadLetterExample}), chosen inside the
 * pipeline by a combiner (the {@value #PER_REASON} smallest by their JSON text, so the same input
 * gives the same examples) and staged as one JSON object, reason to examples, for the run report.
 * In an unbounded stream the examples are re-staged every {@code interval} of processing time.
 */
public final class DeadLetterExamples extends PTransform<PCollection<DeadLetter>, PDone> {
  /** Examples kept per reason. */
  public static final int PER_REASON = 3;

  private final String stagingFile;
  private final Duration interval;

  private DeadLetterExamples(String stagingFile, Duration interval) {
    this.stagingFile = stagingFile;
    this.interval = interval;
  }

  /** Stages the examples of a bounded run at {@code stagingFile}, once at its end. */
  public static DeadLetterExamples stagedAt(String stagingFile) {
    return new DeadLetterExamples(stagingFile, null);
  }

  /** For an unbounded stream: re-stages the examples seen so far every {@code interval}. */
  public DeadLetterExamples restagedEvery(Duration interval) {
    return new DeadLetterExamples(stagingFile, interval);
  }

  @Override
  public PDone expand(PCollection<DeadLetter> deadLetters) {
    PCollection<KV<String, String>> examples =
        deadLetters.apply(
            "CleanExample",
            MapElements.into(TypeDescriptors.kvs(TypeDescriptors.strings(), TypeDescriptors.strings()))
                .via((DeadLetter d) -> KV.of(d.reason().name(), DeadLetterExample.of(d).toJsonText())));
    if (interval != null) {
      examples =
          examples.apply(
              "EveryInterval",
              Window.<KV<String, String>>into(new GlobalWindows())
                  .triggering(
                      Repeatedly.forever(AfterProcessingTime.pastFirstElementInPane().plusDelayOf(interval)))
                  .withAllowedLateness(Duration.ZERO)
                  .accumulatingFiredPanes());
    }
    examples
        .apply("FewPerReason", Top.<String, String>smallestPerKey(PER_REASON))
        .apply("AllReasons", Combine.globally(new ByReason()).withoutDefaults())
        .apply("Stage", ParDo.of(new StageFn(stagingFile)));
    return PDone.in(deadLetters.getPipeline());
  }

  /** Gathers (reason, examples) into one map; there are at most a dozen reasons. */
  static final class ByReason
      extends Combine.CombineFn<KV<String, List<String>>, Map<String, List<String>>, Map<String, List<String>>> {
    @Override
    public Map<String, List<String>> createAccumulator() {
      return new HashMap<>();
    }

    @Override
    public Map<String, List<String>> addInput(Map<String, List<String>> acc, KV<String, List<String>> in) {
      acc.put(in.getKey(), new ArrayList<>(in.getValue()));
      return acc;
    }

    @Override
    public Map<String, List<String>> mergeAccumulators(Iterable<Map<String, List<String>>> accs) {
      Map<String, List<String>> out = new HashMap<>();
      accs.forEach(out::putAll);
      return out;
    }

    @Override
    public Map<String, List<String>> extractOutput(Map<String, List<String>> acc) {
      return new TreeMap<>(acc);
    }

    @Override
    public Coder<Map<String, List<String>>> getAccumulatorCoder(
        CoderRegistry registry, Coder<KV<String, List<String>>> input) {
      return coder();
    }

    @Override
    public Coder<Map<String, List<String>>> getDefaultOutputCoder(
        CoderRegistry registry, Coder<KV<String, List<String>>> input) {
      return coder();
    }

    private static Coder<Map<String, List<String>>> coder() {
      return MapCoder.of(StringUtf8Coder.of(), ListCoder.of(StringUtf8Coder.of()));
    }
  }

  /** Writes the examples under a temporary name, then renames, so readers see them whole. */
  static final class StageFn extends DoFn<Map<String, List<String>>, Void> {
    private final String path;

    StageFn(String path) {
      this.path = path;
    }

    @ProcessElement
    public void process(@Element Map<String, List<String>> byReason) throws IOException {
      ObjectNode json = Json.MAPPER.createObjectNode();
      for (Map.Entry<String, List<String>> e : new TreeMap<>(byReason).entrySet()) {
        ArrayNode list = json.putArray(e.getKey());
        for (String example : e.getValue()) {
          list.add(Json.MAPPER.readTree(example));
        }
      }
      ResourceId target = FileSystems.matchNewResource(path, false);
      ResourceId temp = FileSystems.matchNewResource(path + ".tmp", false);
      try (OutputStream out = Channels.newOutputStream(FileSystems.create(temp, MimeTypes.TEXT))) {
        out.write(Json.MAPPER.writeValueAsBytes(json));
      }
      FileSystems.rename(List.of(temp), List.of(target), StandardMoveOptions.IGNORE_MISSING_FILES);
    }
  }

  /** The staged examples by reason; empty when none were staged (a run without dead letters). */
  public static Map<String, List<DeadLetterExample>> read(String stagingFile) {
    Map<String, List<DeadLetterExample>> out = new TreeMap<>();
    ReportFiles.readIfPresent(stagingFile)
        .ifPresent(
            text -> {
              JsonNode json;
              try {
                json = Json.MAPPER.readTree(text);
              } catch (IOException e) {
                throw new UncheckedIOException("cannot parse the dead-letter examples at " + stagingFile, e);
              }
              json.fields()
                  .forEachRemaining(
                      e -> {
                        List<DeadLetterExample> list = new ArrayList<>();
                        e.getValue().forEach(x -> list.add(DeadLetterExample.fromJson(x)));
                        out.put(e.getKey(), list);
                      });
            });
    return out;
  }

  /** Removes the staging file (and a left-over temporary one). */
  public static void remove(String stagingFile) {
    ReportFiles.delete(stagingFile, stagingFile + ".tmp");
  }
}
