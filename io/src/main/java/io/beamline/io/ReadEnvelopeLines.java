package io.beamline.io;


import io.beamline.transforms.DeadLetters;
import io.beamline.transforms.model.DeadLetter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.io.Compression;
import org.apache.beam.sdk.io.range.OffsetRange;
import org.apache.beam.sdk.io.ReadableFileCoder;
import org.apache.beam.sdk.transforms.Reshuffle;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.io.fs.EmptyMatchTreatment;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.WithFailures;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;

/**
 * Reads newline-delimited envelope files (local or S3, .gz decompressed) into lines. Unlike
 * TextIO it never lets a line grow past {@code maxLineBytes} in memory and it decodes UTF-8
 * strictly: oversized lines and lines that are not UTF-8 go to the dead-letter output, the latter
 * with their exact bytes. Blank lines are not records and are only counted.
 *
 * <p>An uncompressed file is read in byte ranges of {@code rangeBytes} (64 MiB), each by any
 * worker, as TextIO does: a line belongs to the range holding its first byte. A large file is
 * then read in parallel, and a runner that gathers a bundle's output before passing it on (the
 * Direct runner) holds a range's lines at a time, not a file's. A compressed file is one range.
 */
public final class ReadEnvelopeLines
    extends PTransform<PBegin, WithFailures.Result<PCollection<String>, DeadLetter>> {
  /** The stage name of this reader's dead letters. */
  public static final String STAGE = "read";
  private static final TupleTag<String> LINES = new TupleTag<String>("lines") {};
  static final long DEFAULT_RANGE_BYTES = 64L << 20;

  private final String filepattern;
  private final int maxLineBytes;
  private final long rangeBytes;

  private ReadEnvelopeLines(String filepattern, int maxLineBytes, long rangeBytes) {
    this.filepattern = filepattern;
    this.maxLineBytes = maxLineBytes;
    this.rangeBytes = rangeBytes;
  }

  /** Reads every file matching {@code filepattern}; there must be at least one. */
  public static ReadEnvelopeLines from(String filepattern) {
    return new ReadEnvelopeLines(filepattern, 1_048_576, DEFAULT_RANGE_BYTES);
  }

  public ReadEnvelopeLines withMaxLineBytes(int bytes) {
    if (bytes < 1) {
      throw new IllegalArgumentException("--maxRecordBytes must be positive, got " + bytes);
    }
    return new ReadEnvelopeLines(filepattern, bytes, rangeBytes);
  }

  /** Reads uncompressed files in ranges of {@code bytes}; small ranges are for tests. */
  ReadEnvelopeLines withRangeBytes(long bytes) {
    if (bytes < 1) {
      throw new IllegalArgumentException("range bytes must be positive, got " + bytes);
    }
    return new ReadEnvelopeLines(filepattern, maxLineBytes, bytes);
  }

  @Override
  public WithFailures.Result<PCollection<String>, DeadLetter> expand(PBegin begin) {
    PCollectionTuple out =
        begin
            .apply(
                "MatchFiles",
                FileIO.match().filepattern(filepattern).withEmptyMatchTreatment(EmptyMatchTreatment.DISALLOW))
            .apply("OpenFiles", FileIO.readMatches())
            .apply("SplitIntoRanges", ParDo.of(new SplitIntoRangesFn(rangeBytes)))
            .setCoder(KvCoder.of(ReadableFileCoder.of(), OffsetRange.Coder.of()))
            .apply("SpreadRanges", Reshuffle.viaRandomKey())
            .apply(
                "SplitLines",
                ParDo.of(new SplitLinesFn(maxLineBytes))
                    .withOutputTags(LINES, TupleTagList.of(DeadLetters.TAG)));
    return WithFailures.Result.of(out.get(LINES), out.get(DeadLetters.TAG));
  }

  /** The byte ranges of a file: one for a compressed or small file. */
  static final class SplitIntoRangesFn extends DoFn<FileIO.ReadableFile, KV<FileIO.ReadableFile, OffsetRange>> {
    private final long rangeBytes;

    SplitIntoRangesFn(long rangeBytes) {
      this.rangeBytes = rangeBytes;
    }

    @ProcessElement
    public void process(
        @Element FileIO.ReadableFile file, OutputReceiver<KV<FileIO.ReadableFile, OffsetRange>> out) {
      long size = file.getMetadata().sizeBytes();
      if (file.getCompression() != Compression.UNCOMPRESSED || size <= rangeBytes) {
        out.output(KV.of(file, new OffsetRange(0, Long.MAX_VALUE)));
        return;
      }
      for (long from = 0; from < size; from += rangeBytes) {
        out.output(KV.of(file, new OffsetRange(from, Math.min(size, from + rangeBytes))));
      }
    }
  }

  static final class SplitLinesFn extends DoFn<KV<FileIO.ReadableFile, OffsetRange>, String> {
    private final int maxLineBytes;
    private final Counter linesRead = Metrics.counter(DeadLetters.METRICS_NAMESPACE, "records_in");
    private final Counter blankLines = Metrics.counter(DeadLetters.METRICS_NAMESPACE, "blank_lines");
    private transient RecordDecoder decoder;

    SplitLinesFn(int maxLineBytes) {
      this.maxLineBytes = maxLineBytes;
    }

    @Setup
    public void setup() {
      decoder = new RecordDecoder(STAGE, maxLineBytes);
    }

    @ProcessElement
    public void process(ProcessContext c) throws IOException {
      FileIO.ReadableFile file = c.element().getKey();
      OffsetRange range = c.element().getValue();
      String name = file.getMetadata().resourceId().toString();
      long start = range.getFrom();
      try (InputStream in = open(file, start)) {
        // A range after the first starts with the first line beginning at or after its start:
        // skip through the first newline from the byte before it.
        long lineStart = start == 0 ? 0 : start - 1 + skipThroughNewline(in);
        ByteArrayOutputStream line = new ByteArrayOutputStream(4096);
        byte[] chunk = new byte[1 << 16];
        long lineNo = 0;
        long lineBytes = 0;
        int n;
        reading:
        while (lineStart < range.getTo() && (n = in.read(chunk)) != -1) {
          int from = 0;
          for (int i = 0; i < n; i++) {
            if (chunk[i] == '\n') {
              lineBytes += keep(line, chunk, from, i - from, lineBytes);
              emit(c, locate(start, ++lineNo, lineStart, name), line, lineBytes);
              lineStart += lineBytes + 1;
              line.reset();
              lineBytes = 0;
              from = i + 1;
              if (lineStart >= range.getTo()) {
                break reading;
              }
            }
          }
          lineBytes += keep(line, chunk, from, n - from, lineBytes);
        }
        if (lineBytes > 0) {
          emit(c, locate(start, ++lineNo, lineStart, name), line, lineBytes);
        }
      }
    }

    private static InputStream open(FileIO.ReadableFile file, long start) throws IOException {
      if (start == 0) {
        return Channels.newInputStream(file.open());
      }
      SeekableByteChannel channel = file.openSeekable();
      channel.position(start - 1);
      return Channels.newInputStream(channel);
    }

    /** Reads through the next newline; returns the bytes read, or more than there are at the end. */
    private static long skipThroughNewline(InputStream in) throws IOException {
      long skipped = 0;
      int b;
      while ((b = in.read()) != -1) {
        skipped++;
        if (b == '\n') {
          return skipped;
        }
      }
      return Long.MAX_VALUE / 2;
    }

    /** Where a line is, for its dead letter: its number when the range starts the file. */
    private static String locate(long rangeStart, long lineNo, long lineStart, String file) {
      return rangeStart == 0 ? "line " + lineNo + " of " + file : "the line at byte " + lineStart + " of " + file;
    }

    /** Buffers at most one byte past the limit, so an oversized line never fills memory. */
    private int keep(ByteArrayOutputStream line, byte[] chunk, int from, int length, long seen) {
      long room = Math.max(0, (long) maxLineBytes + 1 - seen);
      line.write(chunk, from, (int) Math.min(room, length));
      return length;
    }

    private void emit(ProcessContext c, String location, ByteArrayOutputStream buffer, long lineBytes) {
      byte[] bytes = buffer.toByteArray();
      int length = bytes.length;
      if (lineBytes <= maxLineBytes + 1 && length > 0 && bytes[length - 1] == '\r') {
        length--;
        lineBytes--;
      }
      if (isBlank(bytes, length)) {
        blankLines.inc();
        return;
      }
      linesRead.inc();
      decoder.decode(c, bytes, length, lineBytes, location);
    }

    private static boolean isBlank(byte[] bytes, int length) {
      for (int i = 0; i < length; i++) {
        if (bytes[i] != ' ' && bytes[i] != '\t' && bytes[i] != '\r') {
          return false;
        }
      }
      return true;
    }
  }
}
