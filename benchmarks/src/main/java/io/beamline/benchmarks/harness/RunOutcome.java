package io.beamline.benchmarks.harness;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The counts a contender reported, and whether they are what a correct run makes of the dataset:
 * a fast wrong answer is no result. Beamline's jars report in their audit record; the baseline
 * and the native Spark job print a last line {@code RESULT {json}}.
 */
public record RunOutcome(
    long recordsIn, Map<String, Long> etlRows, Map<String, Long> deadLetters, long duplicates) {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** The audit record of run {@code runId} below {@code outputRoot}, if the run wrote one. */
  static Optional<RunOutcome> fromAuditRecord(Path outputRoot, String runId) throws IOException {
    Path runs = outputRoot.resolve("audit/runs");
    if (!Files.isDirectory(runs)) {
      return Optional.empty();
    }
    try (Stream<Path> files = Files.walk(runs)) {
      Optional<Path> record =
          files.filter(f -> f.getFileName().toString().equals("run-" + runId + ".json")).findFirst();
      if (record.isEmpty()) {
        return Optional.empty();
      }
      JsonNode r = JSON.readTree(record.get().toFile());
      return Optional.of(new RunOutcome(
          r.path("records_in").asLong(), BenchmarkDataset.counts(r.get("etl_rows")),
          BenchmarkDataset.counts(r.get("dead_letters_by_reason")), r.path("duplicates_dropped").asLong()));
    }
  }

  /** The last {@code RESULT} line of a log, if any. */
  static Optional<RunOutcome> fromResultLine(List<String> log) throws IOException {
    for (int i = log.size() - 1; i >= 0; i--) {
      String line = log.get(i);
      if (line.startsWith("RESULT ")) {
        JsonNode r = JSON.readTree(line.substring("RESULT ".length()));
        return Optional.of(new RunOutcome(
            r.path("records_in").asLong(), BenchmarkDataset.counts(r.get("etl_rows")),
            BenchmarkDataset.counts(r.get("dead_letters")), r.path("duplicates").asLong()));
      }
    }
    return Optional.empty();
  }

  /** Null when the counts are what the dataset expects, else what differs. */
  String mismatch(BenchmarkDataset.Expected expected) {
    StringBuilder s = new StringBuilder();
    if (recordsIn != expected.recordsIn()) {
      s.append("records in ").append(recordsIn).append(" != ").append(expected.recordsIn()).append("; ");
    }
    if (!withoutZeros(etlRows).equals(withoutZeros(expected.etlRows()))) {
      s.append("etl rows ").append(etlRows).append(" != ").append(expected.etlRows()).append("; ");
    }
    if (!withoutZeros(deadLetters).equals(withoutZeros(expected.deadLetters()))) {
      s.append("dead letters ").append(deadLetters).append(" != ").append(expected.deadLetters()).append("; ");
    }
    if (duplicates != expected.duplicates()) {
      s.append("duplicates ").append(duplicates).append(" != ").append(expected.duplicates());
    }
    return s.length() == 0 ? null : s.toString();
  }

  private static Map<String, Long> withoutZeros(Map<String, Long> m) {
    java.util.TreeMap<String, Long> t = new java.util.TreeMap<>(m);
    t.values().removeIf(v -> v == 0L);
    return t;
  }
}
