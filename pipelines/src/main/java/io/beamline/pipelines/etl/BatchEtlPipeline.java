package io.beamline.pipelines.etl;

import io.beamline.io.PartitionPath;
import io.beamline.io.ReadEnvelopeLines;
import io.beamline.io.s3.S3Access;
import io.beamline.options.CryptoOptions;
import io.beamline.options.EtlOptions;
import io.beamline.options.OutputOptions;
import io.beamline.options.RecordLimitOptions;
import io.beamline.options.RunOptions;
import io.beamline.options.SchemaOptions;
import io.beamline.pipelines.OutputZones;
import io.beamline.pipelines.metrics.MetricsServer;
import io.beamline.pipelines.metrics.RunMetrics;
import io.beamline.pipelines.report.DeadLetterExamples;
import io.beamline.pipelines.report.MetricValues;
import io.beamline.pipelines.report.RunReports;
import io.beamline.pipelines.report.ThroughputSampler;
import io.beamline.io.jdbc.UpsertHourlySales;
import io.beamline.transforms.DeduplicateEvents;
import io.beamline.transforms.HourlyCategorySales;
import io.beamline.transforms.model.CategorySales;
import io.beamline.transforms.Keyring;
import io.beamline.transforms.ProcessEnvelopes;
import io.beamline.transforms.ProcessedEnvelopes;
import io.beamline.transforms.RecordLimits;
import io.beamline.transforms.model.DeadLetter;
import io.beamline.transforms.schema.TableSchemas;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.beamline.transforms.model.EtlRow;
import io.beamline.transforms.quality.CheckQuality;
import io.beamline.transforms.quality.QualityChecked;
import io.beamline.transforms.quality.QualitySuites;
import io.beamline.transforms.quality.TableVerdict;
import java.util.ArrayList;
import org.apache.beam.sdk.options.PipelineOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
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

  /** The fewest dedup buckets of a batch run on the Direct runner; see {@link #dedupBuckets}. */
  static final int DIRECT_RUNNER_DEDUP_BUCKETS = 4;

  /** Where FileIO puts temporary files below the output root (Beam's default). */
  private static final String FILEIO_TEMP_DIRECTORY = ".temp-beam";

  /** What Beam's S3 file system treats as a glob. */
  private static final Pattern S3_WILDCARD = Pattern.compile("[*?\\[]");

  private BatchEtlPipeline() {}

  /** What a run needs that is checked, loaded and fixed before its pipeline starts. */
  public record Plan(
      String runId,
      Instant startedAt,
      String inputPattern,
      String outputRoot,
      Keyring keyring,
      TableSchemas schemas,
      RecordLimits limits,
      QualitySuites quality,
      int dedupBuckets) {
    /** The same plan, deduplicating in {@code buckets} groups (sized to a known input). */
    Plan withDedupBuckets(int buckets) {
      return new Plan(runId, startedAt, inputPattern, outputRoot, keyring, schemas, limits, quality, buckets);
    }

    String stagingFile() {
      return outputRoot + "/" + PartitionPath.AUDIT + "/_staging/run-" + runId + ".json";
    }

    /** Where the pipeline stages a few examples of each dead-letter reason for the run report. */
    String examplesStagingFile() {
      return outputRoot + "/" + PartitionPath.AUDIT + "/_staging/examples-" + runId + ".json";
    }
  }

  /**
   * Checks options and configuration and loads the keyring and schemas. Throws {@link
   * IllegalArgumentException} with a message naming the option at the first problem.
   */
  public static Plan prepare(EtlOptions options) {
    S3Access.configure(options);
    FileSystems.setDefaultPipelineOptions(options);
    String inputPath = required(options.getInputPath(), "--inputPath");
    S3Access.requireUsable(options, "--inputPath", inputPath);
    String input = inputPattern(inputPath);
    return plan(options, input)
        .withDedupBuckets(
            dedupBuckets(options.getRunner(), DeduplicateEvents.bucketsForInputBytes(inputBytes(input))));
  }

  /** The part of a plan every command that writes the zones shares; checks in option order. */
  static <O extends OutputOptions & CryptoOptions & SchemaOptions & RunOptions & RecordLimitOptions>
      Plan plan(O options, String input) {
    // Our S3 options into Beam's before any file system is used or the pipeline is created, so
    // that the driver and every worker reach the same store.
    S3Access.configure(options);
    FileSystems.setDefaultPipelineOptions(options);
    Instant startedAt = Instant.now();
    String runId =
        options.getRunId() != null
            ? options.getRunId()
            : RUN_ID_TIME.format(startedAt) + "-" + UUID.randomUUID().toString().substring(0, 8);
    if (!runId.matches("[A-Za-z0-9_.-]{1,100}")) {
      throw new IllegalArgumentException("--runId must match [A-Za-z0-9_.-]{1,100}");
    }
    RecordLimits limits = RecordLimits.from(options);
    if (options.getShardsPerPartition() < 1) {
      throw new IllegalArgumentException("--shardsPerPartition must be at least 1");
    }
    RunMetrics.checkPort(options);
    String outputRoot = stripTrailingSlash(required(options.getOutputRoot(), "--outputRoot"));
    if (outputRoot.isEmpty()) {
      throw new IllegalArgumentException("--outputRoot must not be empty");
    }
    S3Access.requireUsable(options, "--outputRoot", outputRoot);
    Keyring keyring = Keyring.load(Path.of(required(options.getKeyringPath(), "--keyringPath")));
    Path schemaDir = Path.of(required(options.getSchemaDir(), "--schemaDir"));
    TableSchemas schemas = TableSchemas.load(schemaDir);
    // Quality suites sit beside the schemas; a bad one stops the run here, naming file and rule.
    QualitySuites quality = QualitySuites.load(schemaDir, schemas);
    QualityAlerts.of("check", runId, options);
    return new Plan(
        runId, startedAt, input, outputRoot, keyring, schemas, limits, quality,
        dedupBuckets(options.getRunner(), DeduplicateEvents.DEFAULT_BUCKETS));
  }

  /**
   * The dedup buckets of a batch run: {@code sized} (to the input), but on the Direct runner one
   * per core, at least {@link #DIRECT_RUNNER_DEDUP_BUCKETS}. That runner copies a grouping's
   * held values through their coder for every bundle that adds to a key, and makes a bundle of
   * each key's output: hundreds of buckets meant hundreds of small bundles into the etl write's
   * grouping, each copying the rows held so far per partition, quadratic in the run's size (250k
   * events: 130 s with 91 buckets, 83 s with 4; 1M did not finish). Larger buckets cost nothing
   * there, as that runner holds every event in memory anyway.
   */
  static int dedupBuckets(Class<?> runner, int sized) {
    if (runner != null && runner.getSimpleName().equals("DirectRunner")) {
      return Math.max(DIRECT_RUNNER_DEDUP_BUCKETS, Runtime.getRuntime().availableProcessors());
    }
    return sized;
  }

  /** Options built in code skip Beam's validation; check the required ones here too. */
  static String required(String value, String option) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(option + " is required");
    }
    return value;
  }

  /**
   * A local directory stands for the files in it; anything else is a file or glob. In S3, where
   * directories are only key prefixes, a path without wildcards that is no object (or that ends
   * with '/') stands for the objects directly below it.
   */
  static String inputPattern(String inputPath) {
    if (S3Access.isS3(inputPath)) {
      return s3InputPattern(inputPath.trim());
    }
    String pattern = localInputPattern(inputPath);
    if (!matchesFiles(pattern, inputPath)) {
      throw new IllegalArgumentException("--inputPath " + inputPath + " matches no file");
    }
    return pattern;
  }

  private static String s3InputPattern(String inputPath) {
    List<String> candidates =
        S3_WILDCARD.matcher(inputPath).find()
            ? List.of(inputPath)
            : inputPath.endsWith("/")
                ? List.of(inputPath + "*")
                : List.of(inputPath, inputPath + "/*");
    for (String pattern : candidates) {
      if (matchesFiles(pattern, inputPath)) {
        return pattern;
      }
    }
    throw new IllegalArgumentException("--inputPath " + inputPath + " matches no file");
  }

  /** A local {@code --inputPath} as a pattern: a folder means its files. */
  private static String localInputPattern(String inputPath) {
    return Files.isDirectory(Path.of(inputPath.startsWith("file:") ? inputPath.substring(5) : inputPath))
        ? stripTrailingSlash(inputPath) + "/*"
        : inputPath;
  }

  /**
   * The bytes a local {@code --inputPath} names, as {@code etl} reads it (a file, a folder's files,
   * a glob's matches); 0 for an input in S3 or one that matches nothing.
   */
  public static long localInputBytes(String inputPath) {
    if (inputPath == null || inputPath.isBlank() || S3Access.isS3(inputPath)) {
      return 0;
    }
    try {
      return inputBytes(localInputPattern(inputPath));
    } catch (RuntimeException notAPath) {
      return 0;
    }
  }

  /** The bytes of the files a pattern matches (0 when they cannot be listed: checked before). */
  private static long inputBytes(String pattern) {
    try {
      return FileSystems.match(pattern).metadata().stream().mapToLong(m -> m.sizeBytes()).sum();
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  /**
   * Whether a pattern matches at least one file. A file system that cannot list it is an error;
   * so, in S3, is a listing that fails (no such bucket, access denied).
   */
  private static boolean matchesFiles(String pattern, String inputPath) {
    try {
      MatchResult match = FileSystems.match(pattern);
      if (match.status() == MatchResult.Status.ERROR && S3Access.isS3(pattern)) {
        match.metadata(); // throws the listing's error
      }
      return match.status() == MatchResult.Status.OK && !match.metadata().isEmpty();
    } catch (IOException | RuntimeException e) {
      // RuntimeException: the AWS SDK's client errors (no connection, no credentials).
      throw new IllegalArgumentException(
          "--inputPath " + inputPath + " cannot be listed: " + e.getMessage());
    }
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
        read.output().apply("ProcessEnvelopes", ProcessEnvelopes.with(plan.keyring(), plan.schemas())
                .withLimits(plan.limits())
                .withDedupBuckets(plan.dedupBuckets()));
    PCollection<DeadLetter> deadLetters =
        PCollectionList.of(read.failures())
            .and(processed.deadLetters())
            .apply("AllDeadLetters", Flatten.pCollections());
    PCollection<String> countKeys = AuditCounts.countKeys(read.output(), processed, deadLetters);
    OutputZones zones =
        incremental
            ? OutputZones.appending(
                plan.outputRoot(), plan.schemas(), output.getShardsPerPartition(), plan.startedAt(),
                output.getWriteRaw(), plan.runId()).withEtlWrite(output.getWriteEtl())
            : OutputZones.batch(
                plan.outputRoot(), plan.schemas(), output.getShardsPerPartition(), plan.startedAt(),
                output.getWriteRaw())
            .withEtlWrite(output.getWriteEtl());
    PCollection<EtlRow> etlRows = processed.rows();
    if (!plan.quality().isEmpty()) {
      // The circuit breaker: a table whose critical rule fails reaches neither the etl zone nor
      // the warehouse; its rows go to quarantine, and the driver fails the run after the audit.
      QualityChecked checked =
          processed.rows()
              .apply("CheckQuality", CheckQuality.with(plan.quality()).withReferenceTime(plan.startedAt()));
      etlRows = checked.passed();
      zones.writeQuarantine(checked.quarantined());
      checked.verdicts().apply("QualityAudit", new QualityAudit(plan.outputRoot(), plan.runId(), plan.startedAt()));
      countKeys =
          PCollectionList.of(countKeys)
              .and(AuditCounts.quarantinedKeys(checked.quarantined()))
              .apply("WithQuarantinedKeys", Flatten.pCollections());
    }
    PCollection<DeadLetter> dlq = deadLetters;
    if (warehouse.isPresent()) {
      PCollection<DeadLetter> refused =
          warehouse.get().load(etlRows, plan.schemas(), plan.startedAt(), incremental);
      dlq = PCollectionList.of(deadLetters).and(refused).apply("WithLoadRefusals", Flatten.pCollections());
      countKeys =
          PCollectionList.of(countKeys)
              .and(AuditCounts.loadRefusedKeys(refused))
              .apply("WithLoadRefusedKeys", Flatten.pCollections());
    }
    zones.write(processed, etlRows, dlq);
    if (aggregates) {
      PCollection<CategorySales> sales =
          processed.rows().apply("HourlyCategorySales", HourlyCategorySales.create());
      zones.writeAggregates(sales);
      warehouse.ifPresent(w -> sales.apply("UpsertHourlySales", UpsertHourlySales.to(w.connection())));
    }
    countKeys.apply("CountForAudit", new AuditCounts(processed, plan.stagingFile()));
    dlq.apply("DeadLetterExamples", DeadLetterExamples.stagedAt(plan.examplesStagingFile()));
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
    RunLineage lineage = RunLineage.of(command, plan, inputPath, pipeline.getOptions());
    lineage.start();
    EtlRunSummary summary;
    try {
      ThroughputSampler sampler = ThroughputSampler.from(plan.startedAt());
      PipelineResult result = runServingMetrics(pipeline, sampler);
      PipelineResult.State state = result.getState();
      if (state != PipelineResult.State.DONE) {
        throw new IllegalStateException("pipeline ended in state " + state);
      }
      removeEmptyTempDirectory(plan.outputRoot());
      String metricsFile = writeMetrics(plan, result);
      EtlRunSummary finished =
          EtlRunSummary.finish(
              command, plan, pipeline.getOptions().getRunner().getSimpleName(), inputPath, Instant.now(),
              metricsFile);
      // Last of the run's files, so that it can show every other one (the quality audit included).
      summary = finished.withReportFile(writeReport(plan, finished, sampler, result));
      warehouse.ifPresent(w -> w.recordRun(finished));
      checkQuality(command, plan, summary, pipeline.getOptions(), warehouse);
    } catch (RuntimeException | Error e) {
      lineage.fail(e);
      throw e;
    }
    lineage.complete(summary);
    return summary;
  }

  /**
   * After a finished run and its audit record: records the quality verdicts in the warehouse,
   * raises the run's alerts (circuit breaker, freshness SLA, error rate), and fails the run with
   * a {@link QualityGateException} when a table tripped the circuit breaker.
   */
  static void checkQuality(
      String command, Plan plan, EtlRunSummary summary, PipelineOptions options, Optional<Warehouse> warehouse) {
    JsonNode quality = summary.qualityFile() == null ? null : QualityAudit.read(summary.qualityFile());
    if (quality != null) {
      warehouse.ifPresent(w -> w.recordQuality(quality));
    }
    QualityAlerts alerts = QualityAlerts.of(command, plan.runId(), options);
    Instant now = Instant.now();
    List<ObjectNode> raised = new ArrayList<>();
    if (quality != null) {
      raised.addAll(alerts.ofQuality(quality, plan.startedAt(), now));
    }
    raised.addAll(alerts.ofErrorRate(summary.recordsIn(), summary.deadLetters(), null, now));
    raised.forEach(alerts::raise);
    List<String> failures = new ArrayList<>();
    if (quality != null) {
      for (JsonNode table : quality.path("tables")) {
        failures.addAll(TableVerdict.fromJson(table).criticalFailures());
      }
    }
    if (!failures.isEmpty()) {
      throw new QualityGateException(summary, failures, plan.outputRoot() + "/" + PartitionPath.QUARANTINE);
    }
  }

  /**
   * Runs a pipeline to its end, serving its metrics at {@code --metricsPort} meanwhile (when set)
   * and sampling its counters for the run report; the endpoint stops when the run ends, however it
   * ends. Returns the finished run.
   */
  static PipelineResult runServingMetrics(Pipeline pipeline, ThroughputSampler sampler) {
    RunMetrics.letRunReturnWhileRunning(pipeline.getOptions());
    PipelineResult result = pipeline.run();
    try (MetricsServer ignored = RunMetrics.serve(pipeline.getOptions(), result)) {
      org.joda.time.Duration every = org.joda.time.Duration.millis(ThroughputSampler.SAMPLE_INTERVAL.toMillis());
      while (!result.getState().isTerminal()) {
        result.waitUntilFinish(every);
        sampler.sample(result, Instant.now(), result.getState().isTerminal());
      }
      result.waitUntilFinish(); // rethrows the failure of a run that failed
    }
    if (sampler.samples().size() == 1) {
      sampler.sample(result, Instant.now(), true); // run() blocked until the end (Flink, attached)
    }
    return result;
  }

  /** Writes the run report (HTML and JSON twin) of a finished run; returns the HTML file. */
  static String writeReport(Plan plan, EtlRunSummary summary, ThroughputSampler sampler, PipelineResult result) {
    return RunReports.writeFinished(
        summary.record(), plan.outputRoot(), plan.startedAt(), plan.examplesStagingFile(), sampler,
        MetricValues.of(result));
  }

  /** Writes a finished run's metrics to the audit zone; returns the file. */
  static String writeMetrics(Plan plan, PipelineResult result) {
    return RunMetrics.write(RunMetrics.file(plan.outputRoot(), plan.startedAt(), plan.runId()), result);
  }

  /**
   * FileIO removes its temporary files but leaves their parent, {@code .temp-beam}, on a local
   * file system. Remove it when empty; a concurrent run's files keep it. In S3 the directory is
   * only the prefix of those files, gone with them.
   */
  static void removeEmptyTempDirectory(String outputRoot) {
    if (S3Access.isS3(outputRoot)) {
      return; // object stores have no directories: nothing is left once the files are gone
    }
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
