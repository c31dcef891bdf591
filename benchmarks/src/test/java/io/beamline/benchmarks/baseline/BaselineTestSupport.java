package io.beamline.benchmarks.baseline;

import io.beamline.pipelines.etl.EtlTestSupport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** Shared steps of the baseline's end-to-end tests. */
final class BaselineTestSupport {
  /** The schemas the project ships; tests run in the benchmarks module directory. */
  static final Path SCHEMAS = Path.of("../schemas");

  private BaselineTestSupport() {}

  /** The shipped table schemas without their quality suites (the baseline has none). */
  static Path schemasWithoutQualitySuites(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(SCHEMAS)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        String name = f.getFileName().toString();
        if (Files.isRegularFile(f) && name.endsWith(".json") && !name.contains(".quality.")) {
          Path to = dir.resolve(SCHEMAS.relativize(f).toString());
          Files.createDirectories(to.getParent());
          Files.copy(f, to);
        }
      }
    }
    return dir;
  }

  static String[] args(Path input, Path output, Path keyring, Path schemas, String... extra) {
    List<String> a = new ArrayList<>(List.of(
        "--inputPath=" + input, "--outputRoot=" + output, "--keyringPath=" + keyring, "--schemaDir=" + schemas));
    a.addAll(List.of(extra));
    return a.toArray(new String[0]);
  }

  /**
   * Every row of one etl table under {@code root}, as text: its partition directory, then every
   * column but {@code _ingested_at}; sorted, so two outputs compare as multisets.
   */
  static List<String> etlRows(Connection db, Path root, String table) {
    if (!Files.isDirectory(root.resolve("etl/shop/" + table))) {
      return List.of();
    }
    String sql = "SELECT regexp_extract(filename, 'tenant=[^/]+/dt=[^/]+/hr=[^/]+') AS partition, "
        + "* EXCLUDE (_ingested_at, filename) FROM "
        + EtlTestSupport.etlTable(root, table, false);
    List<String> rows = new ArrayList<>();
    for (Map<String, String> row : EtlTestSupport.query(db, sql)) {
      rows.add(row.toString());
    }
    rows.sort(null);
    return rows;
  }

  static long filesUnder(Path dir, String suffix) {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(p -> p.getFileName().toString().endsWith(suffix)).count();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
