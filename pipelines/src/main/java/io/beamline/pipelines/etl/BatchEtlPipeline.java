package io.beamline.pipelines.etl;

import io.beamline.io.PartitionPath;
import io.beamline.io.ReadEnvelopeLines;
import io.beamline.options.CryptoOptions;
import io.beamline.options.EtlOptions;
import io.beamline.options.OutputOptions;
import io.beamline.options.RunOptions;
import io.beamline.options.SchemaOptions;
import io.beamline.pipelines.OutputZones;
import io.beamline.io.jdbc.UpsertHourlySales;
import io.beamline.transforms.HourlyCategorySales;
import io.beamline.transforms.model.CategorySales;
import io.beamline.transforms.Keyring;
import io.beamline.transforms.ProcessEnvelopes;
import io.beamline.transforms.ProcessedEnvelopes;
import io.beamline.transforms.model.DeadLetter;
import io.beamline.transforms.schema.TableSchemas;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.io.fs.MoveOptions.StandardMoveOptions;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.WithFailures;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;

/**
 * The batch ETL: envelope files in; raw, etl (Parquet), dlq and audit zones out. A thin
 * composition of named steps around the shared {@link ProcessEnvelopes} composite.
 */
public final class BatchEtlPipeline {
  private static final DateTimeFormatter RUN_ID_TIME =
      DateTimeFormatter.ofPattern("uuuuMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

  /** Where FileIO puts temporary files below the output root (Beam's default). */
  private static final String FILEIO_TEMP_DIRECTORY = ".temp-beam";

  private BatchEtlPipeline() {}

  /** What a run needs that is checked, loaded and fixed before its pipeline starts. */
  public record Plan(
      String runId,
      Instant startedAt,
      String inputPattern,
      String outputRoot,
      Keyring keyring,
      TableSchemas schemas) {
    String stagingFile() {
      return outputRoot + "/" + PartitionPath.AUDIT + "/_staging/run-" + runId + ".json";
    }
  }

  /**
   * Checks options and configuration and loads the keyring and schemas. Throws {@link
   * IllegalArgumentException} with a message naming the option at the first problem.
   */
  public static Plan prepare(EtlOptions options) {
    FileSystems.setDefaultPipelineOptions(options);
    String input = inputPattern(required(options.getInputPath(), "--inputPath"));
    return plan(options, input, options.getMaxRecordBytes());
  }

  /** The part of a plan every command that writes the zones shares; checks in option order. */
  static <O extends OutputOptions & CryptoOptions & SchemaOptions & RunOptions> Plan plan(
      O options, String input, int maxRecordBytes) {
    FileSystems.setDefaultPipelineOptions(options);
    Instant startedAt = Instant.now();
    String runId =
        options.getRunId() != null
            ? options.getRunId()
            : RUN_ID_TIME.format(startedAt) + "-" + UUID.randomUUID().toString().substring(0, 8);
    if (!runId.matches("[A-Za-z0-9_.-]{1,100}")) {
      throw new IllegalArgumentException("--runId must match [A-Za-z0-9_.-]{1,100}");
    }
    if (maxRecordBytes < 1) {
      throw new IllegalArgumentException("--maxRecordBytes must be positive");
    }
    if (options.getShardsPerPartition() < 1) {
      throw new IllegalArgumentException("--shardsPerPartition must be at least 1");
    }
    String outputRoot = stripTrailingSlash(required(options.getOutputRoot(), "--outputRoot"));
    if (outputRoot.isEmpty()) {
      throw new IllegalArgumentException("--outputRoot must not be empty");
    }
    Keyring keyring = Keyring.load(Path.of(required(options.getKeyringPath(), "--keyringPath")));
    TableSchemas schemas = TableSchemas.load(Path.of(required(options.getSchemaDir(), "--schemaDir")));
    return new Plan(runId, startedAt, input, outputRoot, keyring, schemas);
  }

  /** Options built in code skip Beam's validation; check the required ones here too. */
  static String required(String value, String option) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(option + " is required");
    }
    return value;
  }

  /** A local directory stands for the files in it; anything else is a file or glob. */
  static String inputPattern(String inputPath) {
    String pattern =
        Files.isDirectory(Path.of(inputPath.startsWith("file:") ? inputPath.substring(5) : inputPath))
            ? stripTrailingSlash(inputPath) + "/*"
            : inputPath;
    try {
      MatchResult match = FileSystems.match(pattern);
      if (match.status() != MatchResult.Status.OK || match.metadata().isEmpty()) {
        throw new IllegalArgumentException("--inputPath " + inputPath + " matches no file");
      }
    } catch (IOException e) {
      throw new IllegalArgumentException("--inputPath " + inputPath + " cannot be listed: " + e.getMessage());
    }
    return pattern;
  }

  /** Builds the pipeline for a prepared plan (and the warehouse of the options, if any). */
  public static Pipeline build(EtlOptions options, Plan plan) {
    return build(options, plan, Warehouse.prepare(options, plan.schemas()));
  }

  static Pipeline build(EtlOptions options, Plan plan, Optional<Warehouse> warehouse) {
    Pipeline p = Pipeline.create(options);
    WithFailures.Result<PCollection<String>, DeadLetter> read =
        p.apply(
            "ReadEnvelopeLines",
            ReadEnvelopeLines.from(plan.inputPattern()).withMaxLineBytes(options.getMaxRecordBytes()));
    processAndWrite(read, plan, options, options.getAggregates(), warehouse, false);
    return p;
  }

  /**
   * Everything after the source of a batch run: the shared composite, the raw, etl and dlq zones,
   * the aggregates when asked, and the audit counts. {@code read}: envelope lines and the source's
   * own dead letters (stage {@code read}), each counted as a record in.
   */
  static void processAndWrite(
      WithFailures.Result<PCollection<String>, DeadLetter> read,
      Plan plan,
      OutputOptions output,
      boolean aggregates) {
    processAndWrite(read, plan, output, aggregates, Optional.empty(), false);
  }

  /**
   * As above, also loading the warehouse when there is one. {@code incremental}: the run holds
   * only records new since the last one (incremental ingestion), so its files join the partitions
   * instead of replacing them, and the warehouse upserts its rows instead of replacing days.
   */
  static void processAndWrite(
      WithFailures.Result<PCollection<String>, DeadLetter> read,
      Plan plan,
      OutputOptions output,
      boolean aggregates,
      Optional<Warehouse> warehouse,
      boolean incremental) {
    ProcessedEnvelopes processed =
        read.output().apply("ProcessEnvelopes", ProcessEnvelopes.with(plan.keyring(), plan.schemas()));
    PCollection<DeadLetter> deadLetters =
        PCollectionList.of(read.failures())
            .and(processed.deadLetters())
            .apply("AllDeadLetters", Flatten.pCollections());
    PCollection<String> countKeys = AuditCounts.countKeys(read.output(), processed, deadLetters);
    PCollection<DeadLetter> dlq = deadLetters;
    if (warehouse.isPresent()) {
      PCollection<DeadLetter> refused =
          warehouse.get().load(processed.rows(), plan.schemas(), plan.startedAt(), incremental);
      dlq = PCollectionList.of(deadLetters).and(refused).apply("WithLoadRefusals", Flatten.pCollections());
      countKeys =
          PCollectionList.of(countKeys)
              .and(AuditCounts.loadRefusedKeys(refused))
              .apply("WithLoadRefusedKeys", Flatten.pCollections());
    }

    OutputZones zones =
        incremental
            ? OutputZones.appending(
                plan.outputRoot(), plan.schemas(), output.getShardsPerPartition(), plan.startedAt(),
                output.getWriteRaw(), plan.runId())
            : OutputZones.batch(
                plan.outputRoot(), plan.schemas(), output.getShardsPerPartition(), plan.startedAt(),
                output.getWriteRaw());
    zones.write(processed, dlq);
    if (aggregates) {
      PCollection<CategorySales> sales =
          processed.rows().apply("HourlyCategorySales", HourlyCategorySales.create());
      zones.writeAggregates(sales);
      warehouse.ifPresent(w -> sales.apply("UpsertHourlySales", UpsertHourlySales.to(w.connection())));
    }
    countKeys.apply("CountForAudit", new AuditCounts(processed, plan.stagingFile()));
  }

  /** Prepares, runs to completion and audits one batch run. */
  public static EtlRunSummary run(EtlOptions options) {
    Plan plan = prepare(options);
    Optional<Warehouse> warehouse = Warehouse.prepare(options, plan.schemas());
    return runToEnd("etl", build(options, plan, warehouse), plan, options.getInputPath(), warehouse);
  }

  /**
   * Runs a batch pipeline built with {@link #processAndWrite} to its end and writes its audit
   * record, naming {@code command} and {@code inputPath} in it.
   */
  static EtlRunSummary runToEnd(String command, Pipeline pipeline, Plan plan, String inputPath) {
    return runToEnd(command, pipeline, plan, inputPath, Optional.empty());
  }

  /** As above, also recording the run in the warehouse's {@code audit.runs} when there is one. */
  static EtlRunSummary runToEnd(
      String command, Pipeline pipeline, Plan plan, String inputPath, Optional<Warehouse> warehouse) {
    PipelineResult result = pipeline.run();
    PipelineResult.State state = result.waitUntilFinish();
    if (state != PipelineResult.State.DONE) {
      throw new IllegalStateException("pipeline ended in state " + state);
    }
    removeEmptyTempDirectory(plan.outputRoot());
    EtlRunSummary summary =
        EtlRunSummary.finish(
            command, plan, pipeline.getOptions().getRunner().getSimpleName(), inputPath, Instant.now());
    warehouse.ifPresent(w -> w.recordRun(summary));
    return summary;
  }

  /**
   * FileIO removes its temporary files but leaves their parent, {@code .temp-beam}, on a local
   * file system. Remove it when empty; a concurrent run's files keep it.
   */
  static void removeEmptyTempDirectory(String outputRoot) {
    try {
      FileSystems.delete(
          List.of(FileSystems.matchNewResource(outputRoot + "/" + FILEIO_TEMP_DIRECTORY, true)),
          StandardMoveOptions.IGNORE_MISSING_FILES);
    } catch (IOException notEmptyOrNotLocal) {
      // Left for the next run: hidden, and skipped by Hive-style readers.
    }
  }

  private static String stripTrailingSlash(String path) {
    String p = path == null ? "" : path.trim();
    while (p.endsWith("/") && p.length() > 1 && !p.endsWith("://")) {
      p = p.substring(0, p.length() - 1);
    }
    return p;
  }
}
