package io.beamline.io;

import java.io.IOException;
import java.io.OutputStream;
import org.apache.parquet.io.PositionOutputStream;

/** A Parquet output stream over any {@link OutputStream}, counting the bytes written. */
public final class CountingPositionOutputStream extends PositionOutputStream {
  private final OutputStream out;
  private long position;

  public CountingPositionOutputStream(OutputStream out) {
    this.out = out;
  }

  @Override
  public long getPos() {
    return position;
  }

  @Override
  public void write(int b) throws IOException {
    out.write(b);
    position++;
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    out.write(b, off, len);
    position += len;
  }

  @Override
  public void flush() throws IOException {
    out.flush();
  }

  @Override
  public void close() throws IOException {
    out.close(); // as Beam's Parquet sink does; FileIO's own close of the channel after it is harmless
  }
}
