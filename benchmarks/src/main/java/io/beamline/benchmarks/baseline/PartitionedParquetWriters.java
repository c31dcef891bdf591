package io.beamline.benchmarks.baseline;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.avro.generic.GenericData;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.avro.AvroParquetWriter;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;

/**
 * One worker's Parquet files in {@code <outputRoot>/etl/<source>/<table>/tenant=/dt=/hr=}: Snappy,
 * the etl zone's Avro schema per table, Parquet's default page and row-group sizes (as Beamline's
 * ParquetIO sink). Memory is bounded two ways, however many partitions the input touches: at most
 * {@code maxOpen} files are open at once (the least recently used is closed first), and when the
 * rows the open files buffer (Parquet holds a row group in memory until it is full or closed) pass
 * {@code maxBufferedBytes}, the file buffering most is closed. A later row of a closed partition
 * opens a new file. Files are {@code part-<worker>-<n>.parquet}, written under a hidden name
 * ({@code .part-...inprogress}) and renamed when closed. Not thread-safe.
 */
final class PartitionedParquetWriters implements EtlRowSink {
  private final Path outputRoot;
  private final int worker;
  private final int maxOpen;
  private final long maxBufferedBytes;
  private int writesSinceCheck;
  private final long ingestedAtMicros;
  private final Configuration conf;
  private final GenericData.Record[] records;
  private final LinkedHashMap<String, OpenFile> open;
  private int filesCreated;

  private record OpenFile(ParquetWriter<GenericData.Record> writer, Path temp, Path target) {}

  PartitionedParquetWriters(
      Path outputRoot, int worker, int maxOpen, long maxBufferedBytes, long ingestedAtMicros, SchemaPlans plans,
      Configuration conf) {
    this.outputRoot = outputRoot;
    this.worker = worker;
    this.maxOpen = maxOpen;
    this.maxBufferedBytes = maxBufferedBytes;
    this.ingestedAtMicros = ingestedAtMicros;
    this.conf = conf;
    this.records = new GenericData.Record[plans.all().size()];
    for (TablePlan p : plans.all()) {
      records[p.index] = new GenericData.Record(p.avroSchema);
    }
    this.open = new LinkedHashMap<>(maxOpen * 2, 0.75f, true);
  }

  @Override
  public void write(String partition, FlatRow row, Envelope e) {
    OpenFile file = open.get(partition);
    if (file == null) {
      if (open.size() >= maxOpen) {
        Iterator<Map.Entry<String, OpenFile>> eldest = open.entrySet().iterator();
        OpenFile evicted = eldest.next().getValue();
        eldest.remove();
        finish(evicted);
      }
      file = create(partition, row.plan);
      open.put(partition, file);
    }
    // One record per table, reused: the writer encodes it before write() returns.
    GenericData.Record r = records[row.plan.index];
    EtlRowSink.fill(r, row, e, ingestedAtMicros);
    try {
      file.writer().write(r);
    } catch (IOException ex) {
      throw new UncheckedIOException("cannot write " + file.temp(), ex);
    }
    // Summing the buffers costs a walk over the open files: every few hundred rows is enough.
    if (++writesSinceCheck >= 256) {
      writesSinceCheck = 0;
      closeLargestWhileOverBudget();
    }
  }

  private void closeLargestWhileOverBudget() {
    while (true) {
      long total = 0;
      String largest = null;
      long largestSize = -1;
      for (Map.Entry<String, OpenFile> f : open.entrySet()) {
        // The data size of a file still in its first row group is what it buffers.
        long size = f.getValue().writer().getDataSize();
        total += size;
        if (size > largestSize) {
          largestSize = size;
          largest = f.getKey();
        }
      }
      if (total <= maxBufferedBytes || largest == null) {
        return;
      }
      finish(open.remove(largest));
    }
  }

  int filesCreated() {
    return filesCreated;
  }

  /** A new Parquet file of the etl zone's format (Snappy, the table's Avro schema), under a hidden name. */
  static ParquetWriter<GenericData.Record> parquetWriter(Path temp, TablePlan plan, Configuration conf)
      throws IOException {
    return AvroParquetWriter.<GenericData.Record>builder(new LocalParquetFile(temp))
        .withSchema(plan.avroSchema)
        .withConf(conf)
        .withCompressionCodec(CompressionCodecName.SNAPPY)
        .withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
        .build();
  }

  private OpenFile create(String partition, TablePlan plan) {
    String name = "part-" + worker + "-" + filesCreated++ + ".parquet";
    Path dir = outputRoot.resolve(partition);
    Path temp = dir.resolve("." + name + ".inprogress");
    try {
      Files.createDirectories(dir);
      return new OpenFile(parquetWriter(temp, plan, conf), temp, dir.resolve(name));
    } catch (IOException ex) {
      throw new UncheckedIOException("cannot create " + temp, ex);
    }
  }

  private static void finish(OpenFile file) {
    try {
      file.writer().close();
      Files.move(file.temp(), file.target(), StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException ex) {
      throw new UncheckedIOException("cannot finish " + file.target(), ex);
    }
  }

  @Override
  public void close() {
    for (OpenFile f : open.values()) {
      finish(f);
    }
    open.clear();
  }
}
