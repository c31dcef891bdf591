package io.beamline.benchmarks.stages;

import java.io.IOException;
import java.nio.channels.WritableByteChannel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.io.parquet.ParquetIO;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;

/**
 * Writes Avro records as Parquet the way Beamline's etl zone does: one file per table, each
 * through {@code ParquetIO.sink(schema).withCompressionCodec(SNAPPY)} (the sink {@code
 * PartitionedParquetWrite} gives FileIO), opened on a channel, written, and flushed (which writes
 * the footer and closes the file). Only the channels differ: a benchmark discards the bytes.
 */
public final class ParquetFileBatch {
  private final GenericRecord[] pool;
  private final int[] fileOf;
  private final List<Schema> schemas;
  private final ParquetIO.Sink[] sinks;
  /** Per file, the index of its table's first record in the pool. */
  private final int[] firstRecordOf;
  private int next;
  private int nextSmallFile;

  /** Files for the tables of {@code pool}'s records, in the order their tables first appear. */
  public ParquetFileBatch(GenericRecord[] pool) {
    this.pool = pool;
    this.fileOf = new int[pool.length];
    Map<String, Integer> files = new LinkedHashMap<>();
    this.schemas = new ArrayList<>();
    for (int i = 0; i < pool.length; i++) {
      Schema schema = pool[i].getSchema();
      Integer file = files.get(schema.getFullName());
      if (file == null) {
        file = schemas.size();
        files.put(schema.getFullName(), file);
        schemas.add(schema);
      }
      fileOf[i] = file;
    }
    this.firstRecordOf = new int[schemas.size()];
    for (int i = pool.length - 1; i >= 0; i--) {
      firstRecordOf[fileOf[i]] = i;
    }
    this.sinks = new ParquetIO.Sink[schemas.size()];
    for (int f = 0; f < sinks.length; f++) {
      sinks[f] = ParquetIO.sink(schemas.get(f)).withCompressionCodec(CompressionCodecName.SNAPPY);
    }
  }

  /** The schema of each file, by file index. */
  public List<Schema> schemas() {
    return schemas;
  }

  /**
   * Writes the next {@code count} records of the pool (cycling) into one file per table, each on
   * the channel {@code channels} gives for its file index, and closes the files. Returns how many
   * records went to each file.
   */
  public int[] write(int count, Function<Integer, WritableByteChannel> channels) throws IOException {
    for (int f = 0; f < sinks.length; f++) {
      sinks[f].open(channels.apply(f));
    }
    int[] written = new int[sinks.length];
    int i = next;
    for (int n = 0; n < count; n++) {
      sinks[fileOf[i]].write(pool[i]);
      written[fileOf[i]]++;
      if (++i == pool.length) {
        i = 0;
      }
    }
    next = i;
    for (ParquetIO.Sink sink : sinks) {
      sink.flush();
    }
    return written;
  }

  /**
   * Writes a file of one record, for each table in turn (its first record in the pool): what a
   * file costs beyond its rows (opening the writer, its Hadoop configuration and buffers, the
   * footer). Returns the file's index.
   */
  public int writeOneRecordFile(WritableByteChannel channel) throws IOException {
    int file = nextSmallFile;
    nextSmallFile = file + 1 == sinks.length ? 0 : file + 1;
    sinks[file].open(channel);
    sinks[file].write(pool[firstRecordOf[file]]);
    sinks[file].flush();
    return file;
  }
}
