package io.beamline.pipelines.generate;

import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What {@link SampleEventGenerator} wrote, and what a correct pipeline must make of it. The
 * expectations are exact: {@code totalLines() == goodEvents() + duplicates() + badLines()}; the
 * pipeline accepts {@link #goodEvents()} distinct events, drops {@link #duplicates()} copies, and
 * dead-letters each bad line with the reason counted in {@link #expectedDeadLetters()}.
 */
public final class GeneratedSample {
  private final long totalLines;
  private final long goodEvents;
  private final long duplicates;
  private final Map<String, Long> expectedDeadLetters;
  private final Map<String, Long> expectedEtlRows;
  private final Map<String, Long> badLinesByKind;
  private final List<Path> files;

  GeneratedSample(
      long totalLines,
      long goodEvents,
      long duplicates,
      Map<String, Long> expectedDeadLetters,
      Map<String, Long> expectedEtlRows,
      Map<String, Long> badLinesByKind,
      List<Path> files) {
    this.totalLines = totalLines;
    this.goodEvents = goodEvents;
    this.duplicates = duplicates;
    this.expectedDeadLetters = positiveSorted(expectedDeadLetters);
    this.expectedEtlRows = Collections.unmodifiableMap(new TreeMap<>(expectedEtlRows));
    this.badLinesByKind = positiveSorted(badLinesByKind);
    this.files = List.copyOf(files);
    long bad = badLines();
    if (totalLines != goodEvents + duplicates + bad) {
      throw new IllegalStateException(
          "lines " + totalLines + " != good " + goodEvents + " + duplicates " + duplicates
              + " + bad " + bad);
    }
  }

  private static Map<String, Long> positiveSorted(Map<String, Long> counts) {
    TreeMap<String, Long> sorted = new TreeMap<>();
    counts.forEach(
        (k, v) -> {
          if (v > 0) {
            sorted.put(k, v);
          }
        });
    return Collections.unmodifiableMap(sorted);
  }

  /** Lines written over all files: good events, duplicates and bad lines. */
  public long totalLines() {
    return totalLines;
  }

  /** Distinct events the pipeline must accept (one per event_id). */
  public long goodEvents() {
    return goodEvents;
  }

  /** Exact copies of earlier good lines, which deduplication must drop. */
  public long duplicates() {
    return duplicates;
  }

  /** Bad lines written: the sum of {@link #expectedDeadLetters()}. */
  public long badLines() {
    return expectedDeadLetters.values().stream().mapToLong(Long::longValue).sum();
  }

  /**
   * Dead-letter reason name ({@code DeadLetterReason.name()}) to the number of bad lines that
   * must end with that reason. Sorted by name; reasons with no line are absent.
   */
  public Map<String, Long> expectedDeadLetters() {
    return expectedDeadLetters;
  }

  /** Bad lines expected to end with {@code reason}, 0 when none. */
  public long expectedDeadLetters(String reason) {
    return expectedDeadLetters.getOrDefault(reason, 0L);
  }

  /**
   * Etl table ({@code orders}, {@code order_items}, {@code customers}, {@code payments}) to the
   * rows the accepted events make, children included. Every table is present, possibly with 0.
   */
  public Map<String, Long> expectedEtlRows() {
    return expectedEtlRows;
  }

  /** Expected etl rows of {@code table}, 0 when none. */
  public long expectedEtlRows(String table) {
    return expectedEtlRows.getOrDefault(table, 0L);
  }

  /**
   * Bad lines by kind ({@link SampleEventGenerator.BadKind} names), for diagnostics; kinds with no
   * line are absent.
   */
  public Map<String, Long> badLinesByKind() {
    return badLinesByKind;
  }

  /** The files written, in order ({@code events-00000.jsonl}, ...). */
  public List<Path> files() {
    return files;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof GeneratedSample)) {
      return false;
    }
    GeneratedSample s = (GeneratedSample) o;
    return totalLines == s.totalLines
        && goodEvents == s.goodEvents
        && duplicates == s.duplicates
        && expectedDeadLetters.equals(s.expectedDeadLetters)
        && expectedEtlRows.equals(s.expectedEtlRows)
        && badLinesByKind.equals(s.badLinesByKind)
        && files.equals(s.files);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        totalLines, goodEvents, duplicates, expectedDeadLetters, expectedEtlRows, badLinesByKind,
        files);
  }

  @Override
  public String toString() {
    return "GeneratedSample{lines=" + totalLines + ", good=" + goodEvents + ", duplicates="
        + duplicates + ", deadLetters=" + expectedDeadLetters + ", etlRows=" + expectedEtlRows
        + ", files=" + files.size() + "}";
  }
}
