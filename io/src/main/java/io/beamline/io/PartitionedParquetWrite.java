package io.beamline.io;

import io.beamline.transforms.model.EtlRow;
import io.beamline.transforms.schema.TableSchemas;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.transforms.Contextful;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Values;
import org.apache.beam.sdk.values.PCollection;

/**
 * Writes etl rows as Snappy Parquet ({@link SnappyParquetSink}) into {@code <outputRoot>/etl/<source>/<table>/tenant=/dt=/hr=},
 * a fixed number of files per partition with deterministic names, each written to a temporary
 * name and renamed into place. Files an earlier run left in the same partitions are then removed,
 * so a rerun replaces its partitions. Outputs the paths of the files written.
 */
public final class PartitionedParquetWrite extends PTransform<PCollection<EtlRow>, PCollection<String>> {
  private final String outputRoot;
  private final TableSchemas schemas;
  private final int shardsPerPartition;
  private final Instant ingestedAt;
  private final boolean replaceEarlierFiles;
  private final String filePrefix;
  private final String zone;

  private PartitionedParquetWrite(
      String outputRoot,
      TableSchemas schemas,
      int shardsPerPartition,
      Instant ingestedAt,
      boolean replaceEarlierFiles,
      String filePrefix,
      String zone) {
    this.outputRoot = outputRoot;
    this.schemas = schemas;
    this.shardsPerPartition = shardsPerPartition;
    this.ingestedAt = ingestedAt;
    this.replaceEarlierFiles = replaceEarlierFiles;
    this.filePrefix = filePrefix;
    this.zone = zone;
  }

  public static PartitionedParquetWrite to(String outputRoot, TableSchemas schemas) {
    return new PartitionedParquetWrite(outputRoot, schemas, 1, Instant.now(), true, "part", PartitionPath.ETL);
  }

  /**
   * For windowed (streaming) input: each window and pane writes files of its own, named after
   * them and after {@code runToken}, and files already in a partition are kept. The token keeps a
   * restarted job, whose pane numbers start again, from overwriting an earlier run's files. An
   * unbounded input is written from stable input ({@link StablePaneWrite}), so that a pane replayed
   * after a restore rewrites its own files instead of adding rows twice.
   */
  public PartitionedParquetWrite keepingOtherFiles(String runToken) {
    return new PartitionedParquetWrite(
        outputRoot, schemas, shardsPerPartition, ingestedAt, false, "part-" + runToken, zone);
  }

  public PartitionedParquetWrite withShardsPerPartition(int shards) {
    if (shards < 1) {
      throw new IllegalArgumentException("--shardsPerPartition must be at least 1, got " + shards);
    }
    return new PartitionedParquetWrite(outputRoot, schemas, shards, ingestedAt, replaceEarlierFiles, filePrefix, zone);
  }

  /** The {@code _ingested_at} value of every row: the run's start, so one run reads as one. */
  public PartitionedParquetWrite withIngestedAt(Instant time) {
    return new PartitionedParquetWrite(outputRoot, schemas, shardsPerPartition, time, replaceEarlierFiles, filePrefix, zone);
  }

  /**
   * Into another zone with the etl zone's layout and format, such as {@code quarantine}, where
   * the rows of a table that tripped the quality circuit breaker go.
   */
  public PartitionedParquetWrite inZone(String zone) {
    return new PartitionedParquetWrite(outputRoot, schemas, shardsPerPartition, ingestedAt, replaceEarlierFiles, filePrefix, zone);
  }

  @Override
  public PCollection<String> expand(PCollection<EtlRow> rows) {
    EtlAvroSchemas avro = new EtlAvroSchemas(schemas);
    long ingestedAtMicros = ChronoUnit.MICROS.between(Instant.EPOCH, ingestedAt);
    String prefix = filePrefix;
    String zoneName = zone;
    PCollection<AvroEncodedRow> encoded =
        rows.apply("EncodeAsAvro", ParDo.of(new EncodeAsAvroFn(avro, ingestedAtMicros, zoneName)))
            .setCoder(AvroEncodedRow.AvroEncodedRowCoder.of());
    if (!replaceEarlierFiles && rows.isBounded() == PCollection.IsBounded.UNBOUNDED) {
      return encoded.apply(
          "WriteParquetPanes",
          new StablePaneWrite<AvroEncodedRow, GenericRecord>(
              new StablePaneWrite.PaneFiles<>(
                  outputRoot,
                  prefix,
                  ".parquet",
                  shardsPerPartition,
                  row -> avro.decode(sourceOf(row.partition()), tableOf(row.partition()), row.record()),
                  partition -> new SnappyParquetSink(avro.of(sourceOf(partition), tableOf(partition)))),
              AvroEncodedRow::partition));
    }
    PCollection<String> written =
        encoded
            .apply(
                "WriteParquet",
                FileIO.<String, AvroEncodedRow>writeDynamic()
                    .by(AvroEncodedRow::partition)
                    .withDestinationCoder(StringUtf8Coder.of())
                    .via(
                        Contextful.fn(
                            (AvroEncodedRow row) ->
                                avro.decode(sourceOf(row.partition()), tableOf(row.partition()), row.record())),
                        Contextful.fn(
                            (String partition) ->
                                (FileIO.Sink<GenericRecord>)
                                    new SnappyParquetSink(avro.of(sourceOf(partition), tableOf(partition)))))
                    .to(outputRoot)
                    .withNaming(partition -> new PartitionFileNaming(partition, prefix, ".parquet"))
                    .withNumShards(shardsPerPartition))
        .getPerDestinationOutputFilenames()
        .apply("WrittenFiles", Values.create());
    return replaceEarlierFiles
        ? written.apply("ReplaceEarlierFiles", ReplaceStaleFiles.inTheirDirectories())
        : written;
  }

  /**
   * Each row as its Parquet record before the write groups rows by file: the conversion from
   * JSON text happens once either way, and the grouping then holds and moves compact bytes.
   */
  static final class EncodeAsAvroFn extends DoFn<EtlRow, AvroEncodedRow> {
    private final EtlAvroSchemas avro;
    private final long ingestedAtMicros;
    private final String zone;

    EncodeAsAvroFn(EtlAvroSchemas avro, long ingestedAtMicros, String zone) {
      this.avro = avro;
      this.ingestedAtMicros = ingestedAtMicros;
      this.zone = zone;
    }

    @ProcessElement
    public void process(@Element EtlRow row, OutputReceiver<AvroEncodedRow> out) {
      out.output(
          new AvroEncodedRow(PartitionPath.of(zone, row), avro.encode(avro.toRecord(row, ingestedAtMicros))));
    }
  }

  private static String sourceOf(String partition) {
    return partition.split("/")[1];
  }

  private static String tableOf(String partition) {
    return partition.split("/")[2];
  }
}
