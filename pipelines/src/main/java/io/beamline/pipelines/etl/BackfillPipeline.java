package io.beamline.pipelines.etl;

import io.beamline.io.PartitionPath;
import io.beamline.io.ReadEnvelopeLines;
import io.beamline.options.BackfillOptions;
import io.beamline.transforms.Json;
import io.beamline.transforms.model.DeadLetter;
import io.beamline.transforms.model.DeadLetterReason;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.EmptyMatchTreatment;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.WithFailures;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;

/**
 * {@code backfill --from --to}: replays days of a lake through the batch ETL into the same lake
 * (and the warehouse): the raw zone's envelopes of those days, and the envelopes of their {@code
 * LATE_DATA} dead letters. Days are replaced as a batch run replaces them, in the zones (etl, dlq,
 * agg) and in the warehouse, so a rerun of the same range leaves the same rows. The raw zone is
 * read, never rewritten.
 */
public final class BackfillPipeline {
  /** The most days one backfill may span: a guard against a mistyped year. */
  static final int MAX_DAYS = 366;

  private BackfillPipeline() {}

  /** What to read: the raw and dlq files of the days, matched before the run starts. */
  record Inputs(BatchEtlPipeline.Plan plan, List<String> rawPatterns, List<String> dlqPatterns) {}

  static Inputs prepare(BackfillOptions options) {
    LocalDate from = day(options.getFrom(), "--from");
    LocalDate to = day(options.getTo(), "--to");
    if (to.isBefore(from)) {
      throw new IllegalArgumentException("--to (" + to + ") is before --from (" + from + ")");
    }
    if (to.toEpochDay() - from.toEpochDay() >= MAX_DAYS) {
      throw new IllegalArgumentException("--from and --to span more than " + MAX_DAYS + " days");
    }
    options.setWriteRaw(false); // the raw zone is this run's input
    BatchEtlPipeline.Plan plan =
        BatchEtlPipeline.plan(options, "backfill:" + from + ".." + to);
    List<String> raw = new ArrayList<>();
    List<String> dlq = new ArrayList<>();
    for (LocalDate d = from; !d.isAfter(to); d = d.plusDays(1)) {
      addIfAny(raw, dayPattern(plan.outputRoot(), PartitionPath.RAW, d));
      addIfAny(dlq, dayPattern(plan.outputRoot(), PartitionPath.DLQ, d));
    }
    if (raw.isEmpty() && dlq.isEmpty()) {
      throw new IllegalArgumentException(
          "--from/--to: no raw or dlq files for " + from + ".." + to + " under " + plan.outputRoot());
    }
    return new Inputs(plan, raw, dlq);
  }

  static String dayPattern(String root, String zone, LocalDate day) {
    return root + "/" + zone + "/*/*/tenant=*/dt=" + day + "/hr=*/*";
  }

  private static void addIfAny(List<String> patterns, String pattern) {
    try {
      MatchResult m = FileSystems.match(pattern, EmptyMatchTreatment.ALLOW);
      if (m.status() == MatchResult.Status.OK && !m.metadata().isEmpty()) {
        patterns.add(pattern);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + pattern, e);
    }
  }

  private static LocalDate day(String value, String option) {
    try {
      return LocalDate.parse(BatchEtlPipeline.required(value, option));
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(option + " must be a date YYYY-MM-DD, got " + value);
    }
  }

  static Pipeline build(BackfillOptions options, Inputs inputs, Optional<Warehouse> warehouse) {
    Pipeline p = Pipeline.create(options);
    PCollectionList<String> lines = PCollectionList.empty(p);
    PCollectionList<DeadLetter> failures = PCollectionList.empty(p);
    int i = 0;
    for (String pattern : inputs.rawPatterns()) {
      WithFailures.Result<PCollection<String>, DeadLetter> read =
          p.apply("ReadRaw" + i++, ReadEnvelopeLines.from(pattern).withMaxLineBytes(options.getMaxRecordBytes()));
      lines = lines.and(read.output());
      failures = failures.and(read.failures());
    }
    for (String pattern : inputs.dlqPatterns()) {
      WithFailures.Result<PCollection<String>, DeadLetter> read =
          p.apply("ReadDlq" + i++, ReadEnvelopeLines.from(pattern).withMaxLineBytes(Integer.MAX_VALUE));
      // Dead letters of other reasons stay where they are: only late records are replayed.
      lines = lines.and(read.output().apply("LateEnvelopes" + i, ParDo.of(new LateEnvelopeFn())));
    }
    WithFailures.Result<PCollection<String>, DeadLetter> all =
        WithFailures.Result.of(
            lines.apply("AllLines", Flatten.pCollections()),
            failures.apply("AllReadFailures", Flatten.pCollections()));
    BatchEtlPipeline.processAndWrite(all, inputs.plan(), options, options.getAggregates(), warehouse, false);
    return p;
  }

  public static EtlRunSummary run(BackfillOptions options) {
    Inputs inputs = prepare(options);
    Optional<Warehouse> warehouse = Warehouse.prepare(options, inputs.plan().schemas());
    return BatchEtlPipeline.runToEnd(
        "backfill", build(options, inputs, warehouse), inputs.plan(), inputs.plan().inputPattern(), warehouse);
  }

  /** The original envelope of a {@code LATE_DATA} dead-letter line; nothing for other reasons. */
  static final class LateEnvelopeFn extends DoFn<String, String> {
    private final Counter replayed = Metrics.counter("beamline", "late_data_replayed");

    @ProcessElement
    public void process(@Element String line, OutputReceiver<String> out) throws IOException {
      JsonNode letter = Json.MAPPER.readTree(line);
      if (DeadLetterReason.LATE_DATA.name().equals(letter.path("reason").asText())
          && letter.hasNonNull("raw")) {
        out.output(letter.get("raw").asText());
        replayed.inc();
      }
    }
  }
}
