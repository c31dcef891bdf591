package io.beamline.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.io.FileIO;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.avro.AvroParquetWriter;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.io.PositionOutputStream;

/**
 * Writes Avro records as one Snappy Parquet file per opened channel, as Beam's {@code
 * ParquetIO.sink} does, but without a new Hadoop {@link Configuration} per file: Beam's sink makes
 * one for every file it opens, and each parses Hadoop's default XML resources again, a tenth of a
 * Direct run's CPU when a run writes hundreds of partitions. Parquet reads only its own keys from
 * the configuration, none of which those resources set, so an empty one writes the same files.
 */
public final class SnappyParquetSink implements FileIO.Sink<GenericRecord> {
  private static final Configuration NO_DEFAULT_RESOURCES = new Configuration(false);

  private final String jsonSchema;
  private transient ParquetWriter<GenericRecord> writer;

  public SnappyParquetSink(Schema schema) {
    this.jsonSchema = schema.toString();
  }

  @Override
  public void open(WritableByteChannel channel) throws IOException {
    writer =
        AvroParquetWriter.<GenericRecord>builder(new ChannelOutputFile(Channels.newOutputStream(channel)))
            .withSchema(new Schema.Parser().parse(jsonSchema))
            .withDataModel(GenericData.get())
            .withCompressionCodec(CompressionCodecName.SNAPPY)
            .withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
            .withConf(NO_DEFAULT_RESOURCES)
            .build();
  }

  @Override
  public void write(GenericRecord element) throws IOException {
    writer.write(element);
  }

  @Override
  public void flush() throws IOException {
    // Closing the writer writes the footer; FileIO closes the channel after flush().
    writer.close();
  }

  /** A Parquet output over the channel FileIO opened, counting the bytes written. */
  private static final class ChannelOutputFile implements OutputFile {
    private final OutputStream out;

    ChannelOutputFile(OutputStream out) {
      this.out = out;
    }

    @Override
    public PositionOutputStream create(long blockSizeHint) {
      return new CountingPositionOutputStream(out);
    }

    @Override
    public PositionOutputStream createOrOverwrite(long blockSizeHint) {
      return new CountingPositionOutputStream(out);
    }

    @Override
    public boolean supportsBlockSize() {
      return false;
    }

    @Override
    public long defaultBlockSize() {
      return 0;
    }
  }
}
