package io.beamline.benchmarks.baseline;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/**
 * Splits the input files into lines as Beamline's {@code ReadEnvelopeLines} does: on '\n', one
 * '\r' before it dropped, lines of only spaces, tabs and '\r' skipped, a line over {@code
 * maxRecordBytes} never held whole (only its first bytes kept, marked oversized). {@code .gz} files
 * are decompressed. Bytes only: decoding is the workers' job.
 */
final class EnvelopeFileReader {
  static final int OVERSIZED_PREFIX_BYTES = 1024;

  private final int maxRecordBytes;
  private final Supplier<LineBatch> emptyBatches;
  private final Consumer<LineBatch> fullBatches;
  private LineBatch batch;
  private long bytesRead;

  EnvelopeFileReader(int maxRecordBytes, Supplier<LineBatch> emptyBatches, Consumer<LineBatch> fullBatches) {
    this.maxRecordBytes = maxRecordBytes;
    this.emptyBatches = emptyBatches;
    this.fullBatches = fullBatches;
  }

  /** The regular files of a directory (names starting with '.' or '_' left out), sorted; or the file itself. */
  static List<Path> inputFiles(Path input) throws IOException {
    if (Files.isRegularFile(input)) {
      return List.of(input);
    }
    try (Stream<Path> s = Files.list(input)) {
      return s.filter(Files::isRegularFile)
          .filter(p -> !p.getFileName().toString().startsWith(".") && !p.getFileName().toString().startsWith("_"))
          .sorted()
          .toList();
    }
  }

  /** Reads every file, handing full batches on; the last, partly filled batch too. */
  void readAll(List<Path> files) throws IOException {
    batch = emptyBatches.get();
    byte[] chunk = new byte[1 << 16];
    for (Path file : files) {
      try (InputStream raw = Files.newInputStream(file);
          InputStream in = file.getFileName().toString().endsWith(".gz") ? new GZIPInputStream(raw, 1 << 16) : raw) {
        int lineStart = batch.used;
        long lineBytes = 0;
        int n;
        while ((n = in.read(chunk)) != -1) {
          bytesRead += n;
          int from = 0;
          for (int i = 0; i < n; i++) {
            if (chunk[i] == '\n') {
              lineBytes += keep(chunk, from, i - from, lineBytes);
              endLine(lineStart, lineBytes);
              lineStart = batch.used;
              lineBytes = 0;
              from = i + 1;
            }
          }
          lineBytes += keep(chunk, from, n - from, lineBytes);
        }
        if (lineBytes > 0) {
          endLine(lineStart, lineBytes);
        }
      }
    }
    if (batch.count > 0) {
      fullBatches.accept(batch);
    } else {
      batch.clear();
    }
    batch = null;
  }

  long bytesRead() {
    return bytesRead;
  }

  /** Appends at most one byte past the limit of the current line. */
  private int keep(byte[] chunk, int from, int length, long seen) {
    long room = Math.max(0, (long) maxRecordBytes + 1 - seen);
    int take = (int) Math.min(room, length);
    if (take > 0) {
      batch.ensureRoom(take);
      System.arraycopy(chunk, from, batch.data, batch.used, take);
      batch.used += take;
    }
    return length;
  }

  private void endLine(int start, long lineBytes) {
    int length = batch.used - start;
    boolean oversized = lineBytes > maxRecordBytes + 1
        || (lineBytes == maxRecordBytes + 1 && batch.data[start + length - 1] != '\r');
    if (!oversized && length > 0 && batch.data[start + length - 1] == '\r') {
      length--;
    }
    if (!oversized && isBlank(batch.data, start, length)) {
      batch.used = start;
      return;
    }
    if (oversized) {
      length = Math.min(length, OVERSIZED_PREFIX_BYTES);
      batch.used = start + length;
    }
    int k = batch.count++;
    batch.starts[k] = start;
    batch.lengths[k] = length;
    batch.oversized[k] = oversized;
    if (batch.full()) {
      fullBatches.accept(batch);
      batch = emptyBatches.get();
    }
  }

  private static boolean isBlank(byte[] bytes, int from, int length) {
    for (int i = from; i < from + length; i++) {
      if (bytes[i] != ' ' && bytes[i] != '\t' && bytes[i] != '\r') {
        return false;
      }
    }
    return true;
  }
}
