package io.beamline.benchmarks.baseline;

import io.beamline.transforms.model.DeadLetterReason;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Base64;

/**
 * One worker's rejected lines, one JSON object a line: {@code {"reason": ..., "detail": ...,
 * "line": <the line as read>}}, or {@code "line_base64"} for a line that is not UTF-8 or is over
 * --maxRecordBytes (then only its first 1 KiB). Written to {@code <outputRoot>/dlq/part-<worker>.jsonl}
 * under a hidden name and renamed when closed. Not thread-safe.
 */
final class DeadLetterFile implements AutoCloseable {
  private final Path temp;
  private final Path target;
  private final BufferedWriter out;
  private final StringBuilder text = new StringBuilder(1024);

  DeadLetterFile(Path outputRoot, int worker) {
    Path dir = outputRoot.resolve("dlq");
    this.target = dir.resolve("part-" + worker + ".jsonl");
    this.temp = dir.resolve(".part-" + worker + ".jsonl.inprogress");
    try {
      Files.createDirectories(dir);
      out = new BufferedWriter(new OutputStreamWriter(Files.newOutputStream(temp), StandardCharsets.UTF_8), 1 << 16);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + temp, e);
    }
  }

  void write(DeadLetterReason reason, String detail, String line) {
    start(reason, detail);
    text.append(",\"line\":");
    JsonText.appendString(text, line);
    finish();
  }

  void writeBytes(DeadLetterReason reason, String detail, byte[] bytes, int from, int length) {
    start(reason, detail);
    text.append(",\"line_base64\":\"");
    text.append(Base64.getEncoder().encodeToString(java.util.Arrays.copyOfRange(bytes, from, from + length)));
    text.append('"');
    finish();
  }

  private void start(DeadLetterReason reason, String detail) {
    text.setLength(0);
    text.append("{\"reason\":\"").append(reason.name()).append("\",\"detail\":");
    JsonText.appendString(text, detail);
  }

  private void finish() {
    text.append("}\n");
    try {
      out.append(text);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + temp, e);
    }
  }

  @Override
  public void close() {
    try {
      out.close();
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot finish " + target, e);
    }
  }
}
