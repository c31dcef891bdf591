package io.beamline.io;


import io.beamline.transforms.DeadLetters;
import io.beamline.transforms.model.DeadLetter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
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
 */
public final class ReadEnvelopeLines
    extends PTransform<PBegin, WithFailures.Result<PCollection<String>, DeadLetter>> {
  /** The stage name of this reader's dead letters. */
  public static final String STAGE = "read";
  private static final TupleTag<String> LINES = new TupleTag<String>("lines") {};

  private final String filepattern;
  private final int maxLineBytes;

  private ReadEnvelopeLines(String filepattern, int maxLineBytes) {
    this.filepattern = filepattern;
    this.maxLineBytes = maxLineBytes;
  }

  /** Reads every file matching {@code filepattern}; there must be at least one. */
  public static ReadEnvelopeLines from(String filepattern) {
    return new ReadEnvelopeLines(filepattern, 1_048_576);
  }

  public ReadEnvelopeLines withMaxLineBytes(int bytes) {
    if (bytes < 1) {
      throw new IllegalArgumentException("--maxRecordBytes must be positive, got " + bytes);
    }
    return new ReadEnvelopeLines(filepattern, bytes);
  }

  @Override
  public WithFailures.Result<PCollection<String>, DeadLetter> expand(PBegin begin) {
    PCollectionTuple out =
        begin
            .apply(
                "MatchFiles",
                FileIO.match().filepattern(filepattern).withEmptyMatchTreatment(EmptyMatchTreatment.DISALLOW))
            .apply("OpenFiles", FileIO.readMatches())
            .apply(
                "SplitLines",
                ParDo.of(new SplitLinesFn(maxLineBytes))
                    .withOutputTags(LINES, TupleTagList.of(DeadLetters.TAG)));
    return WithFailures.Result.of(out.get(LINES), out.get(DeadLetters.TAG));
  }

  static final class SplitLinesFn extends DoFn<FileIO.ReadableFile, String> {
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
      FileIO.ReadableFile file = c.element();
      String name = file.getMetadata().resourceId().toString();
      try (InputStream in = Channels.newInputStream(file.open())) {
        ByteArrayOutputStream line = new ByteArrayOutputStream(4096);
        byte[] chunk = new byte[1 << 16];
        long lineNo = 0;
        long lineBytes = 0;
        int n;
        while ((n = in.read(chunk)) != -1) {
          int start = 0;
          for (int i = 0; i < n; i++) {
            if (chunk[i] == '\n') {
              lineBytes += keep(line, chunk, start, i - start, lineBytes);
              emit(c, name, ++lineNo, line, lineBytes);
              line.reset();
              lineBytes = 0;
              start = i + 1;
            }
          }
          lineBytes += keep(line, chunk, start, n - start, lineBytes);
        }
        if (lineBytes > 0) {
          emit(c, name, ++lineNo, line, lineBytes);
        }
      }
    }

    /** Buffers at most one byte past the limit, so an oversized line never fills memory. */
    private int keep(ByteArrayOutputStream line, byte[] chunk, int from, int length, long seen) {
      long room = Math.max(0, (long) maxLineBytes + 1 - seen);
      line.write(chunk, from, (int) Math.min(room, length));
      return length;
    }

    private void emit(
        ProcessContext c, String file, long lineNo, ByteArrayOutputStream buffer, long lineBytes) {
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
      decoder.decode(c, bytes, length, lineBytes, "line " + lineNo + " of " + file);
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
