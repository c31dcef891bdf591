package io.beamline.pipelines;

import io.beamline.io.ProduceEnvelopeFiles;
import io.beamline.io.s3.S3Access;
import io.beamline.options.GenerateOptions;
import io.beamline.pipelines.generate.GeneratedSample;
import io.beamline.pipelines.generate.SampleEventGenerator;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.io.fs.MoveOptions.StandardMoveOptions;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.util.MimeTypes;

/** {@code generate}: writes sample {@code shop} events, bad records and duplicates included. */
final class GenerateCommand implements BeamlineCli.Command {
  @Override
  public Class<? extends PipelineOptions> options() {
    return GenerateOptions.class;
  }

  @Override
  public String summary() {
    return "Sample shop events, encrypted with the keyring, with bad records and duplicates.";
  }

  @Override
  public int run(PipelineOptions options, PrintStream out) throws Exception {
    GenerateOptions o = options.as(GenerateOptions.class);
    if (S3Access.isS3(o.getOutputPath())) {
      return runIntoS3(o, out);
    }
    GeneratedSample sample = SampleEventGenerator.fromOptions(o).generate();
    out.print(describe(sample, o.getOutputPath()));
    produce(o, sample, out);
    return BeamlineCli.OK;
  }

  private static void produce(GenerateOptions o, GeneratedSample sample, PrintStream out)
      throws Exception {
    if (o.getKafkaTopic() != null && !o.getKafkaTopic().isBlank()) {
      long sent = ProduceEnvelopeFiles.send(o.getBootstrapServers(), o.getKafkaTopic(), sample.files());
      out.printf("Produced %d messages to topic %s at %s%n", sent, o.getKafkaTopic(), o.getBootstrapServers());
    }
  }

  /**
   * Generates into a local temporary directory, then copies the files to {@code
   * s3://bucket/prefix} (each object appears whole) and removes event files of an earlier run
   * there that this run did not write, as the local generator does.
   */
  private static int runIntoS3(GenerateOptions o, PrintStream out) throws Exception {
    String target = o.getOutputPath().trim();
    while (target.endsWith("/")) {
      target = target.substring(0, target.length() - 1);
    }
    S3Access.configure(o);
    FileSystems.setDefaultPipelineOptions(o);
    S3Access.requireUsable(o, "--outputPath", target);
    Path local = Files.createTempDirectory("beamline-generate-");
    try {
      GeneratedSample sample = SampleEventGenerator.fromOptions(o, local).generate();
      Set<String> written = new HashSet<>();
      for (Path f : sample.files()) {
        String name = f.getFileName().toString();
        ResourceId object = FileSystems.matchNewResource(target + "/" + name, false);
        try (OutputStream to = Channels.newOutputStream(FileSystems.create(object, MimeTypes.BINARY))) {
          Files.copy(f, to);
        } catch (IOException | RuntimeException e) {
          throw new IOException("cannot write " + object + ": " + e.getMessage(), e);
        }
        written.add(name);
      }
      List<ResourceId> stale = new ArrayList<>();
      MatchResult earlier = FileSystems.match(target + "/events-*.jsonl");
      if (earlier.status() == MatchResult.Status.OK) {
        for (MatchResult.Metadata m : earlier.metadata()) {
          if (!written.contains(m.resourceId().getFilename())) {
            stale.add(m.resourceId());
          }
        }
      }
      FileSystems.delete(stale, StandardMoveOptions.IGNORE_MISSING_FILES);
      out.print(describe(sample, target));
      produce(o, sample, out);
      return BeamlineCli.OK;
    } finally {
      try (Stream<Path> files = Files.walk(local)) {
        for (Path p : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  static String describe(GeneratedSample sample, String outputPath) {
    StringBuilder s = new StringBuilder();
    s.append(String.format("Wrote %d lines to %s%n", sample.totalLines(), outputPath));
    s.append(String.format("  good events  %d%n", sample.goodEvents()));
    s.append(String.format("  duplicates   %d%n", sample.duplicates()));
    s.append(String.format("  bad lines    %d%n", sample.badLines()));
    sample.expectedDeadLetters().forEach((r, n) -> s.append(String.format("    %-8d %s%n", n, r)));
    return s.toString();
  }
}
