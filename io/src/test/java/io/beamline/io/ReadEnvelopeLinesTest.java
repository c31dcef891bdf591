package io.beamline.io;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;

import io.beamline.transforms.model.DeadLetter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.WithFailures;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReadEnvelopeLinesTest {
  @TempDir Path dir;

  private final TestPipeline p = TestPipeline.create().enableAbandonedNodeEnforcement(false);

  private WithFailures.Result<PCollection<String>, DeadLetter> read(String pattern, int max) {
    return p.apply(ReadEnvelopeLines.from(pattern).withMaxLineBytes(max));
  }

  private static PCollection<String> reasonsAndRaw(PCollection<DeadLetter> letters) {
    return letters.apply(
        MapElements.into(TypeDescriptors.strings())
            .via(d -> d.stage() + "|" + d.reason() + "|" + new String(d.rawBytes(), StandardCharsets.ISO_8859_1)));
  }

  @Test
  void splitsLinesAndStripsCarriageReturns() throws IOException {
    Files.write(dir.resolve("a.jsonl"), "{\"a\":1}\r\n{\"b\":2}\n{\"c\":3}".getBytes(StandardCharsets.UTF_8));
    WithFailures.Result<PCollection<String>, DeadLetter> out = read(dir + "/*", 100);
    PAssert.that(out.output()).containsInAnyOrder("{\"a\":1}", "{\"b\":2}", "{\"c\":3}");
    PAssert.that(out.failures()).empty();
    p.run().waitUntilFinish();
  }

  @Test
  void skipsBlankLinesWithoutCountingThemAsRecords() throws IOException {
    Files.write(dir.resolve("a.jsonl"), "\n  \n{\"a\":1}\n\r\n\n".getBytes(StandardCharsets.UTF_8));
    WithFailures.Result<PCollection<String>, DeadLetter> out = read(dir + "/*", 100);
    PAssert.that(out.output()).containsInAnyOrder("{\"a\":1}");
    PAssert.that(out.failures()).empty();
    p.run().waitUntilFinish();
  }

  @Test
  void rejectsInvalidUtf8KeepingTheExactBytes() throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    bytes.write("{\"ok\":1}\n{\"bad\":\"".getBytes(StandardCharsets.UTF_8));
    bytes.write(new byte[] {(byte) 0xC3, (byte) 0x28});
    bytes.write("\"}\n".getBytes(StandardCharsets.UTF_8));
    Files.write(dir.resolve("a.jsonl"), bytes.toByteArray());
    WithFailures.Result<PCollection<String>, DeadLetter> out = read(dir + "/*", 100);
    PAssert.that(out.output()).containsInAnyOrder("{\"ok\":1}");
    PAssert.that(reasonsAndRaw(out.failures()))
        .containsInAnyOrder("read|MALFORMED_JSON|{\"bad\":\"\u00C3(\"}");
    p.run().waitUntilFinish();
  }

  @Test
  void rejectsOversizedLinesKeepingOnlyTheirStart() throws IOException {
    String big = "{\"x\":\"" + "y".repeat(5000) + "\"}";
    Files.write(dir.resolve("a.jsonl"), ("{\"a\":1}\n" + big + "\n{\"b\":2}\n").getBytes(StandardCharsets.UTF_8));
    WithFailures.Result<PCollection<String>, DeadLetter> out = read(dir + "/*", 100);
    PAssert.that(out.output()).containsInAnyOrder("{\"a\":1}", "{\"b\":2}");
    PAssert.that(out.failures())
        .satisfies(
            letters -> {
              DeadLetter d = letters.iterator().next();
              assertThat(d.reason().name(), is("OVERSIZED"));
              assertThat(d.detail(), containsString("line 2 of "));
              assertThat(d.detail(), containsString("has " + big.length() + " bytes, over the limit of 100"));
              assertThat(d.rawBytes().length, is(100));
              assertThat(new String(d.rawBytes(), StandardCharsets.UTF_8), is(big.substring(0, 100)));
              return null;
            });
    p.run().waitUntilFinish();
  }

  @Test
  void acceptsALineOfExactlyTheLimit() throws IOException {
    String exact = "{\"x\":\"" + "y".repeat(92) + "\"}";
    assertThat(exact.length(), is(100));
    Files.write(dir.resolve("a.jsonl"), (exact + "\r\n").getBytes(StandardCharsets.UTF_8));
    WithFailures.Result<PCollection<String>, DeadLetter> out = read(dir + "/*", 100);
    PAssert.that(out.output()).containsInAnyOrder(exact);
    PAssert.that(out.failures()).empty();
    p.run().waitUntilFinish();
  }

  @Test
  void decompressesGzipFiles() throws IOException {
    try (OutputStream gz = new GZIPOutputStream(Files.newOutputStream(dir.resolve("a.jsonl.gz")))) {
      gz.write("{\"a\":1}\n{\"b\":2}\n".getBytes(StandardCharsets.UTF_8));
    }
    WithFailures.Result<PCollection<String>, DeadLetter> out = read(dir + "/*", 100);
    PAssert.that(out.output()).containsInAnyOrder("{\"a\":1}", "{\"b\":2}");
    p.run().waitUntilFinish();
  }

  @Test
  void readsEveryMatchingFile() throws IOException {
    Files.writeString(dir.resolve("a.jsonl"), "{\"a\":1}\n");
    Files.writeString(dir.resolve("b.jsonl"), "{\"b\":2}\n");
    Files.writeString(dir.resolve("c.txt"), "{\"c\":3}\n");
    WithFailures.Result<PCollection<String>, DeadLetter> out = read(dir + "/*.jsonl", 100);
    PAssert.that(out.output()).containsInAnyOrder("{\"a\":1}", "{\"b\":2}");
    p.run().waitUntilFinish();
  }

  /** Lines of varied lengths, blank and CRLF ones among them, some longer than the ranges. */
  private static List<String> variedLines() {
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      lines.add(i % 17 == 0 ? "" : "{\"n\":" + i + ",\"pad\":\"" + "x".repeat((i * 7) % 90) + "\"}" + (i % 5 == 0 ? "\r" : ""));
    }
    return lines;
  }

  @Test
  void readsEveryLineOnceWhateverTheRangesCutThrough() throws IOException {
    List<String> lines = variedLines();
    Files.writeString(dir.resolve("a.jsonl"), String.join("\n", lines));
    List<String> expected = new ArrayList<>();
    for (String l : lines) {
      if (!l.isEmpty()) {
        expected.add(l.replace("\r", ""));
      }
    }
    for (long rangeBytes : new long[] {1, 3, 50, 1000}) {
      PCollection<String> out =
          p.apply("Read" + rangeBytes, ReadEnvelopeLines.from(dir + "/*").withMaxLineBytes(200).withRangeBytes(rangeBytes))
              .output();
      PAssert.that("ranges of " + rangeBytes + " bytes", out).containsInAnyOrder(expected);
    }
    p.run().waitUntilFinish();
  }

  @Test
  void anOversizedLineAcrossRangesIsOneDeadLetterLocatedByItsByte() throws IOException {
    String big = "{\"x\":\"" + "y".repeat(500) + "\"}";
    String text = "{\"a\":1}\n" + big + "\n{\"b\":2}\n";
    Files.writeString(dir.resolve("a.jsonl"), text);
    WithFailures.Result<PCollection<String>, DeadLetter> out =
        p.apply(ReadEnvelopeLines.from(dir + "/*").withMaxLineBytes(100).withRangeBytes(5));
    PAssert.that(out.output()).containsInAnyOrder("{\"a\":1}", "{\"b\":2}");
    PAssert.that(out.failures())
        .satisfies(
            letters -> {
              List<DeadLetter> all = new ArrayList<>();
              letters.forEach(all::add);
              assertThat(all.size(), is(1));
              assertThat(all.get(0).detail(), containsString("the line at byte 8 of "));
              return null;
            });
    p.run().waitUntilFinish();
  }
}
