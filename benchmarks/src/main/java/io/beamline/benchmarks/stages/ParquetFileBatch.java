package io.beamline.benchmarks.stages;

import io.beamline.io.SnappyParquetSink;
import java.io.IOException;
import java.nio.channels.WritableByteChannel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.io.parquet.ParquetIO;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;

/**
 * Writes Avro records as Parquet the way Beamline's etl zone does: one file per table, each
 * through the sink {@code PartitionedParquetWrite} gives FileIO ({@link SnappyParquetSink}), or for
 * comparison through Beam's {@code ParquetIO.sink(schema).withCompressionCodec(SNAPPY)}, which
 * Beamline used before; opened on a channel, written, and flushed (which writes the footer and
 * closes the file). Only the channels differ: a benchmark discards the bytes.
 */
public final class ParquetFileBatch {
  private final GenericRecord[] pool;
  private final int[] fileOf;
  private final List<Schema> schemas;
  private final List<FileIO.Sink<GenericRecord>> sinks;
  /** Per file, the index of its table's first record in the pool. */
  private final int[] firstRecordOf;
  private int next;
  private int nextSmallFile;

  /** Beamline's sink, or Beam's ParquetIO sink that Beamline used before. */
  public enum SinkKind {
    BEAMLINE,
    BEAM_PARQUETIO;

    FileIO.Sink<GenericRecord> of(Schema schema) {
      return this == BEAMLINE
          ? new SnappyParquetSink(schema)
          : ParquetIO.sink(schema).withCompressionCodec(CompressionCodecName.SNAPPY);
    }
  }

  /** Files for the tables of {@code pool}'s records through Beamline's sink. */
  public ParquetFileBatch(GenericRecord[] pool) {
    this(pool, SinkKind.BEAMLINE);
  }

  /** Files for the tables of {@code pool}'s records, in the order their tables first appear. */
  public ParquetFileBatch(GenericRecord[] pool, SinkKind kind) {
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
    this.sinks = new ArrayList<>();
    for (Schema schema : schemas) {
      sinks.add(kind.of(schema));
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
    for (int f = 0; f < sinks.size(); f++) {
      sinks.get(f).open(channels.apply(f));
    }
    int[] written = new int[sinks.size()];
    int i = next;
    for (int n = 0; n < count; n++) {
      sinks.get(fileOf[i]).write(pool[i]);
      written[fileOf[i]]++;
      if (++i == pool.length) {
        i = 0;
      }
    }
    next = i;
    for (FileIO.Sink<GenericRecord> sink : sinks) {
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
    nextSmallFile = file + 1 == sinks.size() ? 0 : file + 1;
    sinks.get(file).open(channel);
    sinks.get(file).write(pool[firstRecordOf[file]]);
    sinks.get(file).flush();
    return file;
  }
}
