package io.beamline.pipelines;

import io.beamline.io.CategorySalesJson;
import io.beamline.io.DeadLetterJson;
import io.beamline.io.PartitionPath;
import io.beamline.io.PartitionedParquetWrite;
import io.beamline.io.PartitionedTextWrite;
import io.beamline.transforms.ParseEnvelope;
import io.beamline.transforms.ProcessedEnvelopes;
import io.beamline.transforms.model.CategorySales;
import io.beamline.transforms.model.DeadLetter;
import io.beamline.transforms.model.Envelope;
import io.beamline.transforms.model.EtlRow;
import io.beamline.transforms.schema.TableSchemas;
import java.time.Instant;
import org.apache.beam.sdk.transforms.Filter;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.windowing.AfterProcessingTime;
import org.apache.beam.sdk.transforms.windowing.AfterWatermark;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;

/**
 * Writes the etl, dlq and raw zones of a run, the same for batch and streaming. In a stream the
 * rows are first cut into fixed event-time windows, each window (and each late pane) written to
 * files of its own.
 */
public final class OutputZones {
  /** Late records within the allowed lateness are gathered this long before a late pane fires. */
  static final Duration LATE_PANE_DELAY = Duration.standardSeconds(10);

  private final String outputRoot;
  private final TableSchemas schemas;
  private final int shardsPerPartition;
  private final Instant ingestedAt;
  private final boolean writeRaw;
  private final Duration window;
  private final Duration allowedLateness;
  private final String runToken;
  private final boolean writeEtl;

  private OutputZones(
      String outputRoot,
      TableSchemas schemas,
      int shardsPerPartition,
      Instant ingestedAt,
      boolean writeRaw,
      Duration window,
      Duration allowedLateness,
      String runToken,
      boolean writeEtl) {
    this.writeEtl = writeEtl;
    this.outputRoot = outputRoot;
    this.schemas = schemas;
    this.shardsPerPartition = shardsPerPartition;
    this.ingestedAt = ingestedAt;
    this.writeRaw = writeRaw;
    this.window = window;
    this.allowedLateness = allowedLateness;
    this.runToken = runToken;
  }

  /** Zones of a bounded run: one set of files per partition, replacing an earlier run's. */
  public static OutputZones batch(
      String outputRoot, TableSchemas schemas, int shardsPerPartition, Instant ingestedAt, boolean writeRaw) {
    return new OutputZones(outputRoot, schemas, shardsPerPartition, ingestedAt, writeRaw, null, null, null, true);
  }

  /**
   * Zones of an incremental batch run (each run reads only new records): its files are added to
   * the partitions beside earlier runs', named after {@code runToken}, instead of replacing them.
   */
  public static OutputZones appending(
      String outputRoot,
      TableSchemas schemas,
      int shardsPerPartition,
      Instant ingestedAt,
      boolean writeRaw,
      String runToken) {
    return new OutputZones(outputRoot, schemas, shardsPerPartition, ingestedAt, writeRaw, null, null, runToken, true);
  }

  /**
   * Zones of a stream: files per partition, window and pane, their names carrying {@code
   * runToken} so that a restarted job never overwrites what an earlier one wrote.
   */
  public static OutputZones windowed(
      String outputRoot,
      TableSchemas schemas,
      int shardsPerPartition,
      Instant ingestedAt,
      boolean writeRaw,
      Duration window,
      Duration allowedLateness,
      String runToken) {
    return new OutputZones(
        outputRoot, schemas, shardsPerPartition, ingestedAt, writeRaw, window, allowedLateness, runToken, true);
  }

  /**
   * The same zones, with or without the etl zone's files ({@code --writeEtl}); without, the rows
   * are still made and counted, so that a run shows what its write costs.
   */
  public OutputZones withEtlWrite(boolean write) {
    return new OutputZones(
        outputRoot, schemas, shardsPerPartition, ingestedAt, writeRaw, window, allowedLateness, runToken, write);
  }

  public void write(ProcessedEnvelopes processed, PCollection<DeadLetter> deadLetters) {
    write(processed, processed.rows(), deadLetters);
  }

  /**
   * As above, with the rows for the etl zone given: those that passed the quality gate, when
   * there is one (its quarantined rows go to {@link #writeQuarantine}).
   */
  public void write(
      ProcessedEnvelopes processed, PCollection<EtlRow> etlRows, PCollection<DeadLetter> deadLetters) {
    PartitionedParquetWrite etl =
        PartitionedParquetWrite.to(outputRoot, schemas)
            .withShardsPerPartition(shardsPerPartition)
            .withIngestedAt(ingestedAt);
    PartitionedTextWrite text =
        PartitionedTextWrite.to(outputRoot).withShardsPerPartition(shardsPerPartition);
    if (runToken != null) {
      etl = etl.keepingOtherFiles(runToken);
      text = text.keepingOtherFiles(runToken);
    }
    if (writeEtl) {
      windowed("WindowEtlRows", etlRows).apply("WriteEtlZone", etl);
    }
    windowed(
            "WindowDeadLetters",
            deadLetters.apply(
                "DeadLetterLines",
                MapElements.into(
                        TypeDescriptors.kvs(TypeDescriptors.strings(), TypeDescriptors.strings()))
                    .via(
                        (DeadLetter d) ->
                            KV.of(PartitionPath.of(PartitionPath.DLQ, d), DeadLetterJson.format(d)))))
        .apply("WriteDlqZone", text);
    if (writeRaw) {
      windowed("WindowRawLines", rawLines(processed, deadLetters)).apply("WriteRawZone", text);
    }
  }

  /**
   * Writes rows that tripped the quality circuit breaker to the quarantine zone: the etl zone's
   * layout and Parquet format under {@code <outputRoot>/quarantine/}, files named as the etl
   * zone's (a batch run replaces its partitions, a stream adds files per window and pane).
   */
  public void writeQuarantine(PCollection<EtlRow> rows) {
    PartitionedParquetWrite quarantine =
        PartitionedParquetWrite.to(outputRoot, schemas)
            .inZone(PartitionPath.QUARANTINE)
            .withShardsPerPartition(shardsPerPartition)
            .withIngestedAt(ingestedAt);
    if (runToken != null) {
      quarantine = quarantine.keepingOtherFiles(runToken);
    }
    windowed("WindowQuarantineRows", rows).apply("WriteQuarantineZone", quarantine);
  }

  /**
   * Writes the hourly category sales to the agg zone, one file per hour, pane and shard: the
   * aggregate's own windows and triggers decide when.
   */
  public void writeAggregates(PCollection<CategorySales> sales) {
    PartitionedTextWrite text =
        PartitionedTextWrite.to(outputRoot).withShardsPerPartition(shardsPerPartition);
    sales
        .apply(
            "AggregateLines",
            MapElements.into(TypeDescriptors.kvs(TypeDescriptors.strings(), TypeDescriptors.strings()))
                .via(CategorySalesJson::partitionedLine))
        .apply("WriteAggZone", runToken == null ? text : text.keepingOtherFiles(runToken));
  }

  /**
   * The zones' windowing of a stream (fixed event-time windows, a pane when the watermark passes
   * the end, late panes within the allowed lateness); unchanged in a batch run. The quality gate
   * judges rows in these same windows.
   */
  public <T> PCollection<T> windowed(String name, PCollection<T> input) {
    if (window == null) {
      return input;
    }
    return input.apply(
        name,
        Window.<T>into(FixedWindows.of(window))
            .triggering(
                AfterWatermark.pastEndOfWindow()
                    .withLateFirings(
                        AfterProcessingTime.pastFirstElementInPane().plusDelayOf(LATE_PANE_DELAY)))
            .withAllowedLateness(allowedLateness)
            .discardingFiredPanes());
  }

  /** Every record that was read as text: well-formed envelopes and lines the parser rejected. */
  private static PCollection<KV<String, String>> rawLines(
      ProcessedEnvelopes processed, PCollection<DeadLetter> deadLetters) {
    PCollection<KV<String, String>> envelopes =
        processed
            .envelopes()
            .apply(
                "RawOfEnvelopes",
                MapElements.into(TypeDescriptors.kvs(TypeDescriptors.strings(), TypeDescriptors.strings()))
                    .via((Envelope e) -> KV.of(PartitionPath.of(PartitionPath.RAW, e), e.raw())));
    PCollection<KV<String, String>> unparsed =
        deadLetters
            .apply("RejectedByParser", Filter.by((DeadLetter d) -> d.stage().equals(ParseEnvelope.STAGE)))
            .apply(
                "RawOfRejected",
                MapElements.into(TypeDescriptors.kvs(TypeDescriptors.strings(), TypeDescriptors.strings()))
                    .via((DeadLetter d) -> KV.of(PartitionPath.of(PartitionPath.RAW, d), d.raw())));
    return PCollectionList.of(envelopes).and(unparsed).apply("AllRawLines", Flatten.pCollections());
  }
}
