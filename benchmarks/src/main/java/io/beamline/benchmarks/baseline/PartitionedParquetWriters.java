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
 * ParquetIO sink). At most {@code maxOpen} files are open at once (least recently used closed
 * first), so memory is bounded however many partitions the input touches; a row for a partition
 * whose file was closed opens a new file. Files are {@code part-<worker>-<n>.parquet}, written
 * under a hidden name ({@code .part-...inprogress}) and renamed when closed. Not thread-safe.
 */
final class PartitionedParquetWriters implements AutoCloseable {
  private final Path outputRoot;
  private final int worker;
  private final int maxOpen;
  private final long ingestedAtMicros;
  private final Configuration conf;
  private final GenericData.Record[] records;
  private final LinkedHashMap<String, OpenFile> open;
  private int filesCreated;

  private record OpenFile(ParquetWriter<GenericData.Record> writer, Path temp, Path target) {}

  PartitionedParquetWriters(
      Path outputRoot, int worker, int maxOpen, long ingestedAtMicros, SchemaPlans plans, Configuration conf) {
    this.outputRoot = outputRoot;
    this.worker = worker;
    this.maxOpen = maxOpen;
    this.ingestedAtMicros = ingestedAtMicros;
    this.conf = conf;
    this.records = new GenericData.Record[plans.all().size()];
    for (TablePlan p : plans.all()) {
      records[p.index] = new GenericData.Record(p.avroSchema);
    }
    this.open = new LinkedHashMap<>(maxOpen * 2, 0.75f, true);
  }

  /** Writes a validated row into the file of its partition (a directory relative to the output root). */
  void write(String partition, FlatRow row, Envelope e) {
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
    r.put(0, e.eventId);
    r.put(1, e.tenant);
    r.put(2, e.eventTimeMillis * 1000L);
    int n = row.plan.columns.length;
    for (int i = 0; i < n; i++) {
      r.put(3 + i, row.values[i]);
    }
    r.put(3 + n, row.extra);
    r.put(4 + n, ingestedAtMicros);
    try {
      file.writer().write(r);
    } catch (IOException ex) {
      throw new UncheckedIOException("cannot write " + file.temp(), ex);
    }
  }

  int filesCreated() {
    return filesCreated;
  }

  private OpenFile create(String partition, TablePlan plan) {
    String name = "part-" + worker + "-" + filesCreated++ + ".parquet";
    Path dir = outputRoot.resolve(partition);
    Path temp = dir.resolve("." + name + ".inprogress");
    try {
      Files.createDirectories(dir);
      ParquetWriter<GenericData.Record> writer =
          AvroParquetWriter.<GenericData.Record>builder(new LocalParquetFile(temp))
              .withSchema(plan.avroSchema)
              .withConf(conf)
              .withCompressionCodec(CompressionCodecName.SNAPPY)
              .withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
              .build();
      return new OpenFile(writer, temp, dir.resolve(name));
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
