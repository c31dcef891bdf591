package io.beamline.pipelines.report;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.EmptyMatchTreatment;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.io.fs.MoveOptions.StandardMoveOptions;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.apache.beam.sdk.util.MimeTypes;

/** Reading and writing the report's files through Beam's file systems (local or object store). */
final class ReportFiles {
  private ReportFiles() {}

  /** The files a glob matches (none when nothing matches). */
  static List<MatchResult.Metadata> match(String glob) {
    try {
      MatchResult m = FileSystems.match(glob, EmptyMatchTreatment.ALLOW);
      return m.status() == MatchResult.Status.OK ? m.metadata() : List.of();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + glob, e);
    }
  }

  /** The UTF-8 text of a file, or empty when it does not exist. */
  static Optional<String> readIfPresent(String path) {
    if (match(path).isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(read(FileSystems.matchNewResource(path, false)));
  }

  static String read(ResourceId file) {
    try (InputStream in = Channels.newInputStream(FileSystems.open(file))) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  /** Writes under a temporary name, then renames, so that the file appears whole or not at all. */
  static void writeWhole(String path, String text) {
    ResourceId target = FileSystems.matchNewResource(path, false);
    ResourceId temp = FileSystems.matchNewResource(path + ".tmp", false);
    try {
      try (OutputStream out = Channels.newOutputStream(FileSystems.create(temp, MimeTypes.TEXT))) {
        out.write(text.getBytes(StandardCharsets.UTF_8));
      }
      FileSystems.rename(List.of(temp), List.of(target));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + path, e);
    }
  }

  /** Deletes files that may not exist. */
  static void delete(String... paths) {
    try {
      FileSystems.delete(
          java.util.Arrays.stream(paths).map(p -> FileSystems.matchNewResource(p, false)).toList(),
          StandardMoveOptions.IGNORE_MISSING_FILES);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot remove " + String.join(", ", paths), e);
    }
  }
}
