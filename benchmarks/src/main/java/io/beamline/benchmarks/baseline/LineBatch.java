package io.beamline.benchmarks.baseline;

import java.util.Arrays;

/**
 * Input lines handed from the reader to a worker in one go: their bytes back to back in one
 * array, with offsets. Batches are recycled through a fixed pool, which bounds the memory between
 * reader and workers.
 */
final class LineBatch {
  static final int MAX_LINES = 512;
  static final int TARGET_BYTES = 256 * 1024;

  byte[] data = new byte[TARGET_BYTES + 4096];
  int used;
  final int[] starts = new int[MAX_LINES];
  final int[] lengths = new int[MAX_LINES];
  /** Over --maxRecordBytes: only the line's first bytes are kept, for its dead letter. */
  final boolean[] oversized = new boolean[MAX_LINES];
  int count;
  /** The marker that tells a worker to stop. */
  final boolean last;

  LineBatch(boolean last) {
    this.last = last;
  }

  void clear() {
    used = 0;
    count = 0;
  }

  boolean full() {
    return count == MAX_LINES || used >= TARGET_BYTES;
  }

  void ensureRoom(int more) {
    if (used + more > data.length) {
      data = Arrays.copyOf(data, Math.max(data.length * 2, used + more));
    }
  }
}
