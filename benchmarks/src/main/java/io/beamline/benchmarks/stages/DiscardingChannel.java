package io.beamline.benchmarks.stages;

import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;

/** A channel that counts the bytes written to it and keeps none: Parquet encoding without a disk. */
public final class DiscardingChannel implements WritableByteChannel {
  private long bytes;
  private boolean open = true;

  @Override
  public int write(ByteBuffer src) {
    int n = src.remaining();
    src.position(src.limit());
    bytes += n;
    return n;
  }

  /** Bytes written since this channel was made. */
  public long bytes() {
    return bytes;
  }

  @Override
  public boolean isOpen() {
    return open;
  }

  @Override
  public void close() {
    open = false;
  }
}
