package io.beamline.transforms.quality;

import io.beamline.transforms.schema.TableSchemas;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every table's quality suite: {@code <schemaDir>/<source>/<table>.quality.json} beside the table
 * schema. A table without such a file has no rules. Loaded and checked before a pipeline starts.
 */
public final class QualitySuites implements Serializable {
  private static final long serialVersionUID = 1L;
  public static final String SUFFIX = ".quality.json";

  private final Map<String, QualitySuite> suites;

  private QualitySuites(Map<String, QualitySuite> suites) {
    this.suites = suites;
  }

  /** No rules for any table. */
  public static QualitySuites none() {
    return new QualitySuites(Map.of());
  }

  public static QualitySuites of(Collection<QualitySuite> suites) {
    Map<String, QualitySuite> byKey = new LinkedHashMap<>();
    for (QualitySuite s : suites) {
      if (byKey.put(key(s.source(), s.table()), s) != null) {
        throw new InvalidQualitySuiteException("table " + s.source() + "/" + s.table() + " has two quality suites");
      }
    }
    return new QualitySuites(byKey);
  }

  /**
   * Loads the suite file of every table in {@code schemas} that has one under {@code dir}; a
   * suite file whose table has no schema is an error too.
   */
  public static QualitySuites load(Path dir, TableSchemas schemas) {
    Map<String, QualitySuite> byKey = new LinkedHashMap<>();
    try (var sources = Files.list(dir)) {
      for (Path sourceDir : (Iterable<Path>) sources.sorted()::iterator) {
        if (!Files.isDirectory(sourceDir)) {
          continue;
        }
        try (var files = Files.list(sourceDir)) {
          for (Path file : (Iterable<Path>) files.sorted()::iterator) {
            String fileName = file.getFileName().toString();
            if (!fileName.endsWith(SUFFIX) || !Files.isRegularFile(file)) {
              continue;
            }
            String origin = dir.relativize(file).toString().replace('\\', '/');
            QualitySuite suite =
                QualitySuite.parse(Files.readString(file, StandardCharsets.UTF_8), origin, schemas);
            String expected = suite.source() + "/" + suite.table() + SUFFIX;
            if (!origin.equals(expected)) {
              throw new InvalidQualitySuiteException(
                  origin + ": declares " + suite.source() + "/" + suite.table() + ", so it must be at " + expected);
            }
            byKey.put(key(suite.source(), suite.table()), suite);
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the quality suites in --schemaDir " + dir, e);
    }
    return new QualitySuites(byKey);
  }

  /** The suite of a table, or null when it has none. */
  public QualitySuite get(String source, String table) {
    return suites.get(key(source, table));
  }

  public boolean isEmpty() {
    return suites.isEmpty();
  }

  public Collection<QualitySuite> all() {
    return suites.values();
  }

  /** The key a table's rows are grouped by: {@code <source>/<table>}. */
  public static String key(String source, String table) {
    return source + "/" + table;
  }

  /** {source, table} of a {@link #key}. */
  public static List<String> split(String key) {
    int slash = key.indexOf('/');
    return List.of(key.substring(0, slash), key.substring(slash + 1));
  }
}
