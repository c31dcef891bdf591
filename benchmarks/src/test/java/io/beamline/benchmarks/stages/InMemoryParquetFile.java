package io.beamline.benchmarks.stages;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.generic.GenericRecord;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.io.DelegatingSeekableInputStream;
import org.apache.parquet.io.InputFile;
import org.apache.parquet.io.SeekableInputStream;

/** A Parquet file written to memory through a channel, and read back with parquet-avro. */
final class InMemoryParquetFile implements WritableByteChannel {
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private boolean open = true;

  @Override
  public int write(ByteBuffer src) {
    int n = src.remaining();
    byte[] chunk = new byte[n];
    src.get(chunk);
    bytes.write(chunk, 0, n);
    return n;
  }

  @Override
  public boolean isOpen() {
    return open;
  }

  @Override
  public void close() {
    open = false;
  }

  long size() {
    return bytes.size();
  }

  List<GenericRecord> readAll() throws IOException {
    byte[] data = bytes.toByteArray();
    InputFile file =
        new InputFile() {
          @Override
          public long getLength() {
            return data.length;
          }

          @Override
          public SeekableInputStream newStream() {
            Positioned in = new Positioned(data);
            return new DelegatingSeekableInputStream(in) {
              @Override
              public long getPos() {
                return in.position();
              }

              @Override
              public void seek(long newPos) {
                in.seek((int) newPos);
              }
            };
          }
        };
    List<GenericRecord> records = new ArrayList<>();
    try (ParquetReader<GenericRecord> reader = AvroParquetReader.<GenericRecord>builder(file).build()) {
      for (GenericRecord r = reader.read(); r != null; r = reader.read()) {
        records.add(r);
      }
    }
    return records;
  }

  private static final class Positioned extends InputStream {
    private final byte[] data;
    private int pos;

    Positioned(byte[] data) {
      this.data = data;
    }

    int position() {
      return pos;
    }

    void seek(int newPos) {
      pos = newPos;
    }

    @Override
    public int read() {
      return pos < data.length ? data[pos++] & 0xff : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      if (pos >= data.length) {
        return len == 0 ? 0 : -1;
      }
      int n = Math.min(len, data.length - pos);
      System.arraycopy(data, pos, b, off, n);
      pos += n;
      return n;
    }
  }
}
