package io.beamline.runners;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;

/** Reads an output root's etl zone back, for comparing runs; leaves out the per-run _ingested_at. */
final class EtlRows {
  private EtlRows() {}

  /** Relative file path to its rows, each sorted. */
  static Map<String, List<String>> byFile(Path root) throws IOException {
    Map<String, List<String>> rows = new TreeMap<>();
    for (String file : relativeFiles(root.resolve("etl"))) {
      rows.put(file, read(root.resolve("etl").resolve(file)));
    }
    return rows;
  }

  /** Relative partition directory to the rows of all its files, sorted: file names aside. */
  static Map<String, List<String>> byPartition(Path root) throws IOException {
    Map<String, List<String>> rows = new TreeMap<>();
    for (String file : relativeFiles(root.resolve("etl"))) {
      String partition = Path.of(file).getParent().toString();
      rows.computeIfAbsent(partition, p -> new ArrayList<>()).addAll(read(root.resolve("etl").resolve(file)));
    }
    rows.values().forEach(list -> list.sort(null));
    return rows;
  }

  /**
   * Visible files below {@code dir}: hidden ones (.crc and the like) and anything in a hidden
   * folder (a writer's temporary files) are no output.
   */
  static List<String> relativeFiles(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile)
          .map(dir::relativize)
          .filter(f -> java.util.stream.StreamSupport.stream(f.spliterator(), false)
              .noneMatch(part -> part.toString().startsWith(".")))
          .map(Path::toString)
          .sorted()
          .collect(Collectors.toList());
    }
  }

  private static List<String> read(Path file) throws IOException {
    List<String> lines = new ArrayList<>();
    try (ParquetReader<GenericRecord> reader =
        AvroParquetReader.<GenericRecord>builder(
                HadoopInputFile.fromPath(new org.apache.hadoop.fs.Path(file.toUri()), new Configuration()))
            .build()) {
      for (GenericRecord r = reader.read(); r != null; r = reader.read()) {
        StringBuilder line = new StringBuilder();
        for (Schema.Field f : r.getSchema().getFields()) {
          if (!f.name().equals("_ingested_at")) {
            line.append(f.name()).append('=').append(r.get(f.name())).append(';');
          }
        }
        lines.add(line.toString());
      }
    }
    lines.sort(null);
    return lines;
  }
}
