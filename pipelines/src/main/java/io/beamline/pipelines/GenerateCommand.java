package io.beamline.pipelines;

import io.beamline.io.ProduceEnvelopeFiles;
import io.beamline.options.GenerateOptions;
import io.beamline.pipelines.generate.GeneratedSample;
import io.beamline.pipelines.generate.SampleEventGenerator;
import java.io.PrintStream;
import org.apache.beam.sdk.options.PipelineOptions;

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
    GeneratedSample sample = SampleEventGenerator.fromOptions(o).generate();
    out.print(describe(sample, o.getOutputPath()));
    if (o.getKafkaTopic() != null && !o.getKafkaTopic().isBlank()) {
      long sent = ProduceEnvelopeFiles.send(o.getBootstrapServers(), o.getKafkaTopic(), sample.files());
      out.printf("Produced %d messages to topic %s at %s%n", sent, o.getKafkaTopic(), o.getBootstrapServers());
    }
    return BeamlineCli.OK;
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
