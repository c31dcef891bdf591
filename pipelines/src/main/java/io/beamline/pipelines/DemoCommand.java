package io.beamline.pipelines;

import io.beamline.options.DemoOptions;
import io.beamline.options.EtlOptions;
import io.beamline.pipelines.etl.BatchEtlPipeline;
import io.beamline.pipelines.etl.EtlRunSummary;
import io.beamline.pipelines.generate.GeneratedSample;
import io.beamline.pipelines.generate.SampleEventGenerator;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * {@code demo}: generates sample events with a fresh keyring, copies the shipped schemas, runs the
 * batch ETL on them, and prints where everything is. Needs nothing but the jar.
 */
final class DemoCommand implements BeamlineCli.Command {
  @Override
  public Class<? extends PipelineOptions> options() {
    return DemoOptions.class;
  }

  @Override
  public String summary() {
    return "Generate sample events and run the batch ETL on them, all below --workDir.";
  }

  @Override
  public int run(PipelineOptions options, PrintStream out) throws Exception {
    DemoOptions demo = options.as(DemoOptions.class);
    Path work = Path.of(demo.getWorkDir()).toAbsolutePath();
    Path input = work.resolve("input");
    Path output = work.resolve("output");
    Path schemas = work.resolve("schemas");
    Path keyring = work.resolve("keyring.json");
    deleteTree(input);
    deleteTree(output);
    copyShippedSchemas(schemas);

    GeneratedSample sample =
        SampleEventGenerator.builder()
            .count(demo.getCount())
            .days(demo.getDays())
            .badFraction(demo.getBadFraction())
            .outputPath(input)
            .keyring(SampleEventGenerator.writeKeyringIfMissing(keyring))
            .build()
            .generate();
    out.print(GenerateCommand.describe(sample, input.toString()));
    out.println();

    EtlOptions etl = options.as(EtlOptions.class);
    etl.setInputPath(input.toString());
    etl.setOutputRoot(output.toString());
    etl.setKeyringPath(keyring.toString());
    etl.setSchemaDir(schemas.toString());
    EtlRunSummary summary = BatchEtlPipeline.run(etl);
    int code = BeamlineCli.report(summary, out);
    out.println();
    out.println("Counts by zone (files under " + output + "):");
    for (String zone : new String[] {"raw", "etl", "quarantine", "dlq", "audit"}) {
      out.printf("  %-6s %d files%n", zone, countFiles(output.resolve(zone)));
    }
    out.println("Expected from the generator: " + sample.goodEvents() + " etl records, "
        + sample.badLines() + " dead letters, " + sample.duplicates() + " duplicates.");
    return code;
  }

  private static void copyShippedSchemas(Path dir) throws IOException {
    Path shop = dir.resolve(SampleEventGenerator.SOURCE);
    Files.createDirectories(shop);
    for (String table : SampleEventGenerator.ETL_TABLES) {
      // The table schema and its quality suite, which the demo's data passes.
      for (String file : new String[] {table + ".json", table + ".quality.json"}) {
        String resource = "/schemas/" + SampleEventGenerator.SOURCE + "/" + file;
        try (InputStream in = DemoCommand.class.getResourceAsStream(resource)) {
          if (in == null) {
            throw new IllegalStateException("schema " + resource + " is missing from the jar");
          }
          Files.copy(in, shop.resolve(file), StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
  }

  private static long countFiles(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile).count();
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
        Files.delete(p);
      }
    }
  }
}
