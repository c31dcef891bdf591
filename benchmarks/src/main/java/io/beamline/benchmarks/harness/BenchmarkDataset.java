package io.beamline.benchmarks.harness;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.beamline.pipelines.generate.GeneratedSample;
import io.beamline.pipelines.generate.SampleEventGenerator;
import io.beamline.transforms.Keyring;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * One benchmark input: {@code count} encrypted {@code shop} events (2 % bad, 1 % duplicated,
 * orders with 1-8 items, payloads of roughly 300-1,500 bytes) over two days, written once and
 * reused by every contender and every later run, with what a correct run must make of them.
 */
public record BenchmarkDataset(
    int count,
    Path inputDir,
    Path keyring,
    Path schemaDir,
    Path shippedSchemaDir,
    long inputBytes,
    Expected expected) {

  static final double BAD_FRACTION = 0.02;
  static final double DUPLICATE_FRACTION = 0.01;
  static final int FILES = 8;
  private static final ObjectMapper JSON = new ObjectMapper();

  /** What a correct run makes of the input: rows per table, dead letters per reason, duplicates. */
  public record Expected(
      long recordsIn, Map<String, Long> etlRows, Map<String, Long> deadLetters, long duplicates) {}

  /** The dataset of {@code count} events below {@code dataDir}, generated on first use. */
  public static BenchmarkDataset prepare(Path dataDir, int count, Path shippedSchemas) throws IOException {
    Path dir = dataDir.resolve("shop-" + count);
    Path input = dir.resolve("input");
    Path keyring = dir.resolve("keyring.json");
    Path expectedFile = dir.resolve("expected.json");
    Path schemas = schemasWithoutQualitySuites(dataDir, shippedSchemas);
    if (!Files.exists(expectedFile)) {
      Files.createDirectories(dir);
      Keyring keys = SampleEventGenerator.writeKeyringIfMissing(keyring);
      long started = System.nanoTime();
      GeneratedSample sample =
          SampleEventGenerator.builder()
              .count(count)
              .outputPath(input)
              .keyring(keys)
              .badFraction(BAD_FRACTION)
              .duplicateFraction(DUPLICATE_FRACTION)
              .files(FILES)
              .days(2)
              .endDate(LocalDate.of(2026, 11, 20))
              .seed(7L)
              .build()
              .generate();
      System.out.printf("generated %,d events in %.0f s into %s%n", count, (System.nanoTime() - started) / 1e9, input);
      ObjectNode e = JSON.createObjectNode();
      e.put("records_in", sample.totalLines());
      e.set("etl_rows", JSON.valueToTree(sample.expectedEtlRows()));
      e.set("dead_letters", JSON.valueToTree(sample.expectedDeadLetters()));
      e.put("duplicates", sample.duplicates());
      Files.writeString(expectedFile, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(e));
    }
    JsonNode e = JSON.readTree(expectedFile.toFile());
    Expected expected =
        new Expected(
            e.get("records_in").asLong(), counts(e.get("etl_rows")), counts(e.get("dead_letters")),
            e.get("duplicates").asLong());
    return new BenchmarkDataset(count, input, keyring, schemas, shippedSchemas, sizeOf(input), expected);
  }

  static Map<String, Long> counts(JsonNode object) {
    Map<String, Long> m = new TreeMap<>();
    if (object != null) {
      object.fields().forEachRemaining(f -> m.put(f.getKey(), f.getValue().asLong()));
    }
    return m;
  }

  /**
   * The shipped table schemas without their quality suites: the baseline and the native Spark job
   * do no quality checks, so the comparison leaves them out (their cost is measured on its own).
   */
  static Path schemasWithoutQualitySuites(Path dataDir, Path shipped) throws IOException {
    Path target = dataDir.resolve("schemas-without-quality");
    try (Stream<Path> files = Files.walk(shipped)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        String name = f.getFileName().toString();
        if (Files.isRegularFile(f) && name.endsWith(".json") && !name.endsWith(".quality.json")) {
          Path to = target.resolve(shipped.relativize(f).toString());
          Files.createDirectories(to.getParent());
          Files.copy(f, to, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
    return target;
  }

  private static long sizeOf(Path dir) {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(Files::isRegularFile).mapToLong(f -> {
        try {
          return Files.size(f);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }).sum();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
