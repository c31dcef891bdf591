package io.beamline.pipelines.etl;

import io.beamline.io.ReadEnvelopesFromKafka;
import io.beamline.io.WriteDeadLettersToKafka;
import io.beamline.io.WriteEtlRowsToKafka;
import io.beamline.options.StreamOptions;
import io.beamline.pipelines.OutputZones;
import io.beamline.pipelines.report.DeadLetterExamples;
import io.beamline.pipelines.report.RunReports;
import io.beamline.pipelines.report.ThroughputSampler;
import io.beamline.transforms.EventTimeDeadline;
import io.beamline.transforms.FailOnceAfterElements;
import io.beamline.transforms.HourlyCategorySales;
import io.beamline.transforms.ProcessEnvelopes;
import io.beamline.transforms.ProcessedEnvelopes;
import io.beamline.transforms.model.DeadLetter;
import io.beamline.transforms.model.CategorySales;
import io.beamline.transforms.model.EtlRow;
import io.beamline.io.jdbc.UpsertHourlySales;
import io.beamline.transforms.quality.CheckQuality;
import io.beamline.transforms.quality.QualityChecked;
import java.time.Instant;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.DefaultTrigger;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.transforms.windowing.Window;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.StreamingOptions;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.WithFailures;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.joda.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The streaming ETL: envelopes from Kafka through the same {@link ProcessEnvelopes} composite as
 * the batch ETL, deduplicated within an event-time span, and written to the raw, etl and dlq zones
 * in fixed event-time windows. Bounded by a record count or read time, it ends by itself and
 * writes an audit record like a batch run.
 */
public final class StreamingEtlPipeline {
  private static final Logger LOG = LoggerFactory.getLogger(StreamingEtlPipeline.class);

  private StreamingEtlPipeline() {}

  /** Checks options and configuration; throws naming the option at the first problem. */
  public static BatchEtlPipeline.Plan prepare(StreamOptions options) {
    List<String> topics = topics(options);
    if (options.getWindowMinutes() < 1) {
      throw new IllegalArgumentException("--windowMinutes must be at least 1");
    }
    if (options.getAllowedLatenessMinutes() < 0) {
      throw new IllegalArgumentException("--allowedLatenessMinutes must not be negative");
    }
    if (options.getDedupMinutes() < 1) {
      throw new IllegalArgumentException("--dedupMinutes must be at least 1");
    }
    if (options.getOutOfOrdernessSeconds() < 0) {
      throw new IllegalArgumentException("--outOfOrdernessSeconds must not be negative");
    }
    if (options.getMaxRecords() < 0 || options.getMaxReadTimeSeconds() < 0) {
      throw new IllegalArgumentException("--maxRecords and --maxReadTimeSeconds must not be negative");
    }
    BatchEtlPipeline.required(options.getBootstrapServers(), "--bootstrapServers");
    WriteEtlRowsToKafka.Format.parse(options.getEtlFormat());
    if (options.getReportIntervalMinutes() < 1) {
      throw new IllegalArgumentException("--reportIntervalMinutes must be at least 1");
    }
    if (options.getKafkaSinkShards() < 1) {
      throw new IllegalArgumentException("--kafkaSinkShards must be at least 1");
    }
    if (options.getInjectFailureAfterRows() < 0) {
      throw new IllegalArgumentException("--injectFailureAfterRows must not be negative");
    }
    if (options.getInjectFailureAfterRows() > 0 && options.getInjectFailureMarker().isBlank()) {
      throw new IllegalArgumentException("--injectFailureAfterRows needs --injectFailureMarker");
    }
    return BatchEtlPipeline.plan(options, "kafka:" + String.join(",", topics));
  }

  private static List<String> topics(StreamOptions options) {
    List<String> topics =
        Arrays.stream(BatchEtlPipeline.required(options.getTopics(), "--topics").split(","))
            .map(String::trim)
            .filter(t -> !t.isEmpty())
            .collect(Collectors.toList());
    if (topics.isEmpty()) {
      throw new IllegalArgumentException("--topics names no topic");
    }
    return topics;
  }

  static ReadEnvelopesFromKafka source(StreamOptions options) {
    return ReadEnvelopesFromKafka.from(options.getBootstrapServers(), topics(options))
        .withConsumerGroup(options.getConsumerGroup())
        .withStartOffset(options.getStartOffset())
        .withMaxRecords(options.getMaxRecords())
        .withMaxReadTimeSeconds(options.getMaxReadTimeSeconds())
        .withOutOfOrderness(Duration.standardSeconds(options.getOutOfOrdernessSeconds()))
        .withMaxRecordBytes(options.getMaxRecordBytes())
        .withLateDataPast(lateDataDeadline(options));
  }

  /**
   * When a record is too late for every window it would land in: the zones' windows and the
   * hourly aggregates' windows, each with the allowed lateness.
   */
  static EventTimeDeadline lateDataDeadline(StreamOptions options) {
    return EventTimeDeadline.of(
        Duration.standardMinutes(options.getAllowedLatenessMinutes()),
        Duration.standardMinutes(options.getWindowMinutes()),
        HourlyCategorySales.WINDOW);
  }

  public static Pipeline build(StreamOptions options, BatchEtlPipeline.Plan plan) {
    ReadEnvelopesFromKafka source = source(options);
    if (!source.isBounded()) {
      options.as(StreamingOptions.class).setStreaming(true);
    }
    Pipeline p = Pipeline.create(options);
    WithFailures.Result<PCollection<String>, DeadLetter> read = p.apply("ReadEnvelopesFromKafka", source);
    ProcessedEnvelopes processed =
        read.output()
            .apply(
                "ProcessEnvelopes",
                ProcessEnvelopes.with(plan.keyring(), plan.schemas())
                    .withLimits(plan.limits())
                    .deduplicatingWithin(Duration.standardMinutes(options.getDedupMinutes()))
                    .routingLateDataPast(lateDataDeadline(options)));
    PCollection<DeadLetter> deadLetters =
        PCollectionList.of(read.failures())
            .and(processed.deadLetters())
            .apply("AllDeadLetters", Flatten.pCollections());
    Duration lateness = Duration.standardMinutes(options.getAllowedLatenessMinutes());
    OutputZones zones =
        OutputZones.windowed(
            plan.outputRoot(),
            plan.schemas(),
            options.getShardsPerPartition(),
            plan.startedAt(),
            options.getWriteRaw(),
            Duration.standardMinutes(options.getWindowMinutes()),
            lateness,
            plan.runId())
            .withEtlWrite(options.getWriteEtl());
    PCollection<String> countKeys = AuditCounts.countKeys(read.output(), processed, deadLetters);
    PCollection<DeadLetter> dlq = deadLetters;
    Optional<Warehouse> warehouse = Warehouse.prepare(options, plan.schemas());
    QualityAlerts alerts = QualityAlerts.of("stream", plan.runId(), options);
    PCollection<EtlRow> etlRows = processed.rows();
    if (!plan.quality().isEmpty()) {
      // Judged per window pane in the zones' own windows; a table's window that fails a critical
      // rule goes to quarantine with an alert, and the stream goes on.
      QualityChecked checked =
          zones.windowed("WindowRowsForQuality", processed.rows())
              .apply("CheckQuality", CheckQuality.with(plan.quality()));
      etlRows = checked.passed();
      zones.writeQuarantine(checked.quarantined());
      PCollection<String> documents =
          checked.verdicts().apply("QualityAudit", new QualityAudit(plan.outputRoot(), plan.runId(), plan.startedAt()));
      documents.apply("QualityAlerts", ParDo.of(new QualityAlerts.RaiseForQualityFn(alerts)));
      warehouse.ifPresent(
          w -> documents.apply("UpsertAuditQuality", ParDo.of(new Warehouse.UpsertQualityFn(w.connection()))));
      countKeys =
          PCollectionList.of(countKeys)
              .and(
                  AuditCounts.quarantinedKeys(checked.quarantined())
                      .apply(
                          "QuarantinedKeysUnwindowed",
                          Window.<String>into(new GlobalWindows())
                              .triggering(DefaultTrigger.of())
                              .withAllowedLateness(Duration.ZERO)
                              .discardingFiredPanes()))
              .apply("WithQuarantinedKeys", Flatten.pCollections());
    }
    if (warehouse.isPresent()) {
      // The rows the loader gets are in the quality check's windows; its refusals join the other
      // dead letters, which are not windowed yet.
      PCollection<DeadLetter> refused =
          warehouse
              .get()
              .load(etlRows, plan.schemas(), plan.startedAt(), true)
              .apply(
                  "LoadRefusalsUnwindowed",
                  Window.<DeadLetter>into(new GlobalWindows())
                      .triggering(DefaultTrigger.of())
                      .withAllowedLateness(Duration.ZERO)
                      .discardingFiredPanes());
      dlq = PCollectionList.of(deadLetters).and(refused).apply("WithLoadRefusals", Flatten.pCollections());
      countKeys =
          PCollectionList.of(countKeys)
              .and(AuditCounts.loadRefusedKeys(refused))
              .apply("WithLoadRefusedKeys", Flatten.pCollections());
    }
    zones.write(processed, etlRows, dlq);
    PCollection<CategorySales> sales =
        processed
            .rows()
            .apply("HourlyCategorySales", HourlyCategorySales.create().withAllowedLateness(lateness));
    zones.writeAggregates(sales);
    warehouse.ifPresent(w -> sales.apply("UpsertHourlySales", UpsertHourlySales.to(w.connection())));
    writeToKafka(options, plan, withInjectedFailure(options, etlRows), dlq);
    countKeys.apply(
        "AuditPerWindow",
        new WindowAudit(
            plan.outputRoot(),
            Duration.standardMinutes(options.getWindowMinutes()),
            lateness,
            plan.runId(),
            warehouse.map(Warehouse::connection).orElse(null),
            alerts));
    DeadLetterExamples examples = DeadLetterExamples.stagedAt(plan.examplesStagingFile());
    if (source.isBounded()) {
      // A run that ends is also audited as a whole, like a batch run.
      countKeys.apply("AuditRun", new AuditCounts(processed, plan.stagingFile()));
    } else {
      // The periodic reports show the examples seen so far.
      examples = examples.restagedEvery(Duration.standardMinutes(1));
    }
    dlq.apply("DeadLetterExamples", examples);
    return p;
  }

  /** The rows, failing once after --injectFailureAfterRows of them when that is set (testing). */
  private static PCollection<EtlRow> withInjectedFailure(StreamOptions options, PCollection<EtlRow> rows) {
    if (options.getInjectFailureAfterRows() == 0) {
      return rows;
    }
    return rows.apply(
        "InjectedFailure",
        FailOnceAfterElements.of(options.getInjectFailureAfterRows(), options.getInjectFailureMarker()));
  }

  /** The optional Kafka sinks: etl rows to --etlTopic, dead letters to --deadLetterTopic. */
  private static void writeToKafka(
      StreamOptions options, BatchEtlPipeline.Plan plan, PCollection<EtlRow> rows, PCollection<DeadLetter> deadLetters) {
    if (!options.getEtlTopic().isBlank()) {
      WriteEtlRowsToKafka sink =
          WriteEtlRowsToKafka.to(options.getBootstrapServers(), options.getEtlTopic())
              .withFormat(WriteEtlRowsToKafka.Format.parse(options.getEtlFormat()))
              .withSchemas(plan.schemas())
              .withIngestedAt(plan.startedAt());
      if (options.getExactlyOnce()) {
        String group =
            options.getKafkaSinkGroupId().isBlank()
                ? "beamline-sink-" + plan.runId()
                : options.getKafkaSinkGroupId();
        sink = sink.withExactlyOnce(options.getKafkaSinkShards(), group);
      }
      rows.apply("WriteEtlTopic", sink);
    }
    if (!options.getDeadLetterTopic().isBlank()) {
      deadLetters.apply(
          "WriteDeadLetterTopic",
          WriteDeadLettersToKafka.to(options.getBootstrapServers(), options.getDeadLetterTopic()));
    }
  }

  /**
   * Runs the stream. A bounded run returns its audit summary; an unbounded one runs until it is
   * cancelled and returns null.
   */
  public static EtlRunSummary run(StreamOptions options) {
    BatchEtlPipeline.Plan plan = prepare(options);
    boolean bounded = source(options).isBounded();
    String runner = options.getRunner().getSimpleName();
    ThroughputSampler sampler =
        ThroughputSampler.reportingEvery(
            plan.startedAt(),
            java.time.Duration.ofMinutes(options.getReportIntervalMinutes()),
            s -> writeIntervalReport(plan, runner, s));
    PipelineResult result = BatchEtlPipeline.runServingMetrics(build(options, plan), sampler);
    PipelineResult.State state = result.getState();
    if (!bounded) {
      return null;
    }
    if (state != PipelineResult.State.DONE) {
      throw new IllegalStateException("pipeline ended in state " + state);
    }
    BatchEtlPipeline.removeEmptyTempDirectory(plan.outputRoot());
    String metricsFile = BatchEtlPipeline.writeMetrics(plan, result);
    EtlRunSummary summary =
        EtlRunSummary.finish("stream", plan, runner, plan.inputPattern(), Instant.now(), metricsFile);
    return summary.withReportFile(BatchEtlPipeline.writeReport(plan, summary, sampler, result));
  }

  /** A report of the stream so far; a failure to write it is logged and the stream goes on. */
  private static void writeIntervalReport(BatchEtlPipeline.Plan plan, String runner, ThroughputSampler sampler) {
    try {
      String html =
          RunReports.writeInterval(
              "stream", plan.runId(), runner, plan.inputPattern(), plan.outputRoot(), plan.startedAt(),
              plan.examplesStagingFile(), sampler);
      LOG.info("Run report written: {}", html);
    } catch (RuntimeException e) {
      LOG.warn("Could not write the periodic run report: {}", e.toString());
    }
  }
}
