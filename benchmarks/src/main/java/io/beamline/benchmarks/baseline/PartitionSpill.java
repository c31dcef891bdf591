package io.beamline.benchmarks.baseline;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.hadoop.ParquetWriter;

/**
 * One worker's rows spilled per partition, then written as one Parquet file per partition: what an
 * engineer does when rows arrive in random partition order (the sample's event times are spread
 * over days) and an open Parquet writer costs ~1.5 MB of heap before its first row. Each row is
 * appended Avro-binary to its partition's spill file; at most {@code maxOpen} spill files are open
 * (the least recently used is closed and later reopened for append, which costs no new output
 * file). When every worker is done, {@link #writeParquet} turns the spill files of each partition
 * (from all workers) into its one Parquet file, one writer per thread at a time, and deletes them.
 * Memory: {@code maxOpen} 64 KiB buffers per worker, then one Parquet writer per thread. Files
 * appear under a hidden name and are renamed whole. Not thread-safe.
 */
final class PartitionSpill implements EtlRowSink {
  private final Path etlRoot;
  private final Path spillDir;
  private final int worker;
  private final int maxOpen;
  private final long ingestedAtMicros;
  private final Configuration conf;
  private final GenericData.Record[] records;
  private final GenericDatumWriter<GenericData.Record>[] datumWriters;
  private final Map<String, Spilled> spilled = new TreeMap<>();
  private final LinkedHashMap<String, Spilled> open;
  private BinaryEncoder encoder;

  static final class Spilled {
    final Path file;
    final TablePlan plan;
    OutputStream out;

    Spilled(Path file, TablePlan plan) {
      this.file = file;
      this.plan = plan;
    }
  }

  @SuppressWarnings("unchecked")
  PartitionSpill(
      Path etlRoot, Path spillRoot, int worker, int maxOpen, long ingestedAtMicros, SchemaPlans plans,
      Configuration conf) {
    this.etlRoot = etlRoot;
    this.spillDir = spillRoot.resolve("worker-" + worker);
    this.worker = worker;
    this.maxOpen = maxOpen;
    this.ingestedAtMicros = ingestedAtMicros;
    this.conf = conf;
    this.records = new GenericData.Record[plans.all().size()];
    this.datumWriters = new GenericDatumWriter[plans.all().size()];
    for (TablePlan p : plans.all()) {
      records[p.index] = new GenericData.Record(p.avroSchema);
      datumWriters[p.index] = new GenericDatumWriter<>(p.avroSchema);
    }
    this.open = new LinkedHashMap<>(Math.min(maxOpen, 1 << 16) * 2, 0.75f, true);
    try {
      Files.createDirectories(spillDir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + spillDir, e);
    }
  }

  @Override
  public void write(String partition, FlatRow row, Envelope e) {
    Spilled s = open.get(partition);
    try {
      if (s == null) {
        s = spilled.computeIfAbsent(partition, p -> new Spilled(spillDir.resolve(spilled.size() + ".rows"), row.plan));
        if (open.size() >= maxOpen) {
          Iterator<Map.Entry<String, Spilled>> eldest = open.entrySet().iterator();
          Spilled evicted = eldest.next().getValue();
          eldest.remove();
          evicted.out.close();
          evicted.out = null;
        }
        s.out = new BufferedOutputStream(
            Files.newOutputStream(s.file, StandardOpenOption.CREATE, StandardOpenOption.APPEND), 1 << 16);
        open.put(partition, s);
      }
      GenericData.Record r = records[row.plan.index];
      EtlRowSink.fill(r, row, e, ingestedAtMicros);
      encoder = EncoderFactory.get().directBinaryEncoder(s.out, encoder);
      datumWriters[row.plan.index].write(r, encoder);
    } catch (IOException ex) {
      throw new UncheckedIOException("cannot spill a row of " + partition, ex);
    }
  }

  /** Closes the spill files; the rows are turned into Parquet by {@link #writeParquet}. */
  @Override
  public void close() {
    try {
      for (Spilled s : open.values()) {
        s.out.close();
      }
      open.clear();
    } catch (IOException ex) {
      throw new UncheckedIOException("cannot close the spill files of worker " + worker, ex);
    }
  }

  /** The spill file of each partition this worker wrote to. */
  Map<String, Spilled> spilled() {
    return spilled;
  }

  /**
   * Writes one partition's rows, spilled by any number of workers, as its one Parquet file {@code
   * part-00000.parquet} (so the etl zone has Beamline's one file per partition), then deletes the
   * spill files. Partitions are independent: threads may write different ones at once.
   */
  static void writeParquet(Path etlRoot, String partition, java.util.List<Spilled> files, Configuration conf) {
    TablePlan plan = files.get(0).plan;
    Path dir = etlRoot.resolve(partition);
    String name = "part-00000.parquet";
    Path temp = dir.resolve("." + name + ".inprogress");
    try {
      Files.createDirectories(dir);
      GenericDatumReader<GenericData.Record> reader = new GenericDatumReader<>(plan.avroSchema);
      GenericData.Record r = new GenericData.Record(plan.avroSchema);
      BinaryDecoder decoder = null;
      try (ParquetWriter<GenericData.Record> writer = PartitionedParquetWriters.parquetWriter(temp, plan, conf)) {
        for (Spilled s : files) {
          try (InputStream in = new BufferedInputStream(Files.newInputStream(s.file), 1 << 16)) {
            decoder = DecoderFactory.get().binaryDecoder(in, decoder);
            while (!decoder.isEnd()) {
              r = reader.read(r, decoder);
              writer.write(r);
            }
          }
        }
      }
      Files.move(temp, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE);
      for (Spilled s : files) {
        Files.delete(s.file);
      }
    } catch (IOException ex) {
      throw new UncheckedIOException("cannot write the spilled rows of " + partition, ex);
    }
  }
}
