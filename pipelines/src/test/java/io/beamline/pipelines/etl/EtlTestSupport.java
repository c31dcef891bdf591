package io.beamline.pipelines.etl;

import com.fasterxml.jackson.databind.JsonNode;
import io.beamline.options.EtlOptions;
import io.beamline.pipelines.generate.GeneratedSample;
import io.beamline.pipelines.generate.SampleEventGenerator;
import io.beamline.transforms.Json;
import io.beamline.transforms.testing.TestKeyrings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/**
 * What the end-to-end tests of the batch ETL share: generated input, runs of the real pipeline,
 * and readers of its output that do not go through the write path (DuckDB for Parquet, plain
 * file reading and Jackson for JSON lines).
 */
public final class EtlTestSupport {
  /** The schemas the project ships; tests run in the pipelines module directory. */
  public static final Path SCHEMAS = Path.of("../schemas");

  /** Last (and only) day of generated event time. */
  public static final java.time.LocalDate END_DATE = java.time.LocalDate.of(2026, 11, 20);

  /** The etl tables of the shop source. */
  public static final List<String> TABLES = SampleEventGenerator.ETL_TABLES;

  private EtlTestSupport() {}

  // ------------------------------------------------------------------------------ input

  /**
   * Generates one day of sample events with 10 % bad lines and 2 % duplicates over two files,
   * encrypted with {@link TestKeyrings#keyring()}.
   */
  public static GeneratedSample generate(Path dir, int count, long seed) throws IOException {
    return SampleEventGenerator.builder()
        .count(count)
        .badFraction(0.10)
        .duplicateFraction(0.02)
        .files(2)
        .days(1)
        .endDate(END_DATE)
        .seed(seed)
        .outputPath(dir)
        .keyring(TestKeyrings.keyring())
        .build()
        .generate();
  }

  /** The lines of every regular file in {@code dir}, split on '\n' as the reader does. */
  public static List<byte[]> inputLines(Path dir) throws IOException {
    List<byte[]> lines = new ArrayList<>();
    for (Path f : filesUnder(dir)) {
      byte[] content = Files.readAllBytes(f);
      int start = 0;
      for (int i = 0; i <= content.length; i++) {
        if (i == content.length || content[i] == '\n') {
          if (i > start) {
            lines.add(Arrays.copyOfRange(content, start, i));
          }
          start = i + 1;
        }
      }
    }
    return lines;
  }

  /** The text of a line that is valid UTF-8, or null. */
  public static String strictUtf8(byte[] line) {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(line))
          .toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }

  /** The envelope of a line, or null when the line is not a JSON object. */
  public static JsonNode envelopeOf(String line) {
    try {
      JsonNode node = Json.MAPPER.readTree(line);
      return node != null && node.isObject() ? node : null;
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /**
   * The payload object of an envelope: the object itself, or the decryption of the base64 payload
   * with {@link TestKeyrings#keyring()}'s key (done here with the JDK, not with the pipeline's
   * cipher). Null when it does not decrypt to a JSON object.
   */
  public static JsonNode payloadOf(JsonNode envelope) {
    JsonNode payload = envelope.get("payload");
    if (!envelope.hasNonNull("key_id")) {
      return payload != null && payload.isObject() ? payload : null;
    }
    try {
      byte[] sealed = Base64.getDecoder().decode(payload.asText());
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(
          Cipher.DECRYPT_MODE,
          new SecretKeySpec(TestKeyrings.keyBytes(envelope.get("key_id").asText()), "AES"),
          new GCMParameterSpec(128, sealed, 0, 12));
      c.updateAAD(envelope.get("event_id").asText().getBytes(StandardCharsets.UTF_8));
      JsonNode node = Json.MAPPER.readTree(c.doFinal(sealed, 12, sealed.length - 12));
      return node != null && node.isObject() ? node : null;
    } catch (Exception e) {
      return null;
    }
  }

  // ------------------------------------------------------------------------------ running

  /** Options as the command line builds them: parsed and validated. */
  public static EtlOptions options(String... args) {
    return PipelineOptionsFactory.fromArgs(args).withValidation().as(EtlOptions.class);
  }

  /** The command-line arguments of a run; {@code extra} is appended. */
  public static String[] etlArgs(Path input, Path output, Path keyring, String... extra) {
    List<String> args = new ArrayList<>();
    args.add("--inputPath=" + input);
    args.add("--outputRoot=" + output);
    args.add("--keyringPath=" + keyring);
    args.add("--schemaDir=" + SCHEMAS);
    args.addAll(Arrays.asList(extra));
    return args.toArray(new String[0]);
  }

  /** Runs the batch ETL on the Direct runner through {@link BatchEtlPipeline#run}. */
  public static EtlRunSummary run(Path input, Path output, Path keyring, String... extra) {
    return BatchEtlPipeline.run(options(etlArgs(input, output, keyring, extra)));
  }

  // ------------------------------------------------------------------------------ output files

  /** Every regular file below {@code dir} (none when it does not exist), sorted. */
  public static List<Path> filesUnder(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile).sorted().collect(Collectors.toList());
    }
  }

  /** Every path (files and directories) below {@code dir}, relative to it, as strings. */
  public static List<String> pathsUnder(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(p -> !p.equals(dir))
          .map(p -> dir.relativize(p).toString())
          .sorted()
          .collect(Collectors.toList());
    }
  }

  /** One line of a JSON-lines zone file and the partition directory it is in. */
  public record ZoneLine(String partition, String file, String text) {}

  /**
   * Every line of every file below {@code <root>/<zone>}, with its partition directory relative
   * to the root ({@code dlq/shop/orders/tenant=acme/dt=2026-11-20/hr=13}).
   */
  public static List<ZoneLine> zoneLines(Path root, String zone) throws IOException {
    List<ZoneLine> out = new ArrayList<>();
    for (Path f : filesUnder(root.resolve(zone))) {
      String partition = root.relativize(f.getParent()).toString().replace('\\', '/');
      for (String line : Files.readString(f, StandardCharsets.UTF_8).split("\n", -1)) {
        if (!line.isEmpty()) {
          out.add(new ZoneLine(partition, f.getFileName().toString(), line));
        }
      }
    }
    return out;
  }

  /** The base64 text of each key of {@link TestKeyrings#keyring()}. */
  public static List<String> testKeysBase64() {
    return List.of(TestKeyrings.keyBase64(TestKeyrings.K1), TestKeyrings.keyBase64(TestKeyrings.K2));
  }

  // ------------------------------------------------------------------------------ DuckDB

  /** An in-memory DuckDB whose session time zone is UTC. */
  public static Connection duckdb() {
    try {
      Connection c = DriverManager.getConnection("jdbc:duckdb:");
      try (Statement s = c.createStatement()) {
        s.execute("SET TimeZone = 'UTC'");
      }
      return c;
    } catch (SQLException e) {
      throw new IllegalStateException("cannot open DuckDB", e);
    }
  }

  /**
   * {@code read_parquet(...)} of one etl table with its hive partition columns (tenant, dt, hr)
   * and the file name of each row.
   */
  public static String etlTable(Path root, String table) {
    return etlTable(root, table, true);
  }

  /**
   * {@code read_parquet(...)} of one etl table with the file name of each row; with {@code hive}
   * false, every column (tenant included) is the file's own.
   */
  public static String etlTable(Path root, String table, boolean hive) {
    return "read_parquet('" + sql(etlGlob(root, table)) + "', hive_partitioning = " + hive
        + ", filename = true)";
  }

  /** The glob of one etl table's Parquet files. */
  public static String etlGlob(Path root, String table) {
    return root.toAbsolutePath().resolve("etl/shop/" + table) + "/**/*.parquet";
  }

  /** A string as the body of an SQL string literal. */
  public static String sql(String text) {
    return text.replace("'", "''");
  }

  /** Rows of a query, each a map from column label to its value as text (null stays null). */
  public static List<Map<String, String>> query(Connection c, String sql) {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      ResultSetMetaData md = rs.getMetaData();
      List<Map<String, String>> rows = new ArrayList<>();
      while (rs.next()) {
        Map<String, String> row = new LinkedHashMap<>();
        for (int i = 1; i <= md.getColumnCount(); i++) {
          Object v = rs.getObject(i);
          row.put(md.getColumnLabel(i), v == null ? null : rs.getString(i));
        }
        rows.add(row);
      }
      return rows;
    } catch (SQLException e) {
      throw new IllegalStateException("DuckDB query failed: " + sql, e);
    }
  }

  /** The single number a query returns. */
  public static long queryLong(Connection c, String sql) {
    List<Map<String, String>> rows = query(c, sql);
    if (rows.size() != 1 || rows.get(0).size() != 1) {
      throw new IllegalStateException("expected one value from " + sql + ", got " + rows);
    }
    return Long.parseLong(rows.get(0).values().iterator().next());
  }

  /** Column name to DuckDB type of one etl table. */
  public static Map<String, String> columnTypes(Connection c, Path root, String table) {
    Map<String, String> types = new LinkedHashMap<>();
    for (Map<String, String> row : query(c, "DESCRIBE SELECT * FROM " + etlTable(root, table))) {
      types.put(row.get("column_name"), row.get("column_type"));
    }
    return types;
  }

  /** Rethrows checked I/O as unchecked, for lambdas. */
  public static <T> T unchecked(IoCall<T> call) {
    try {
      return call.call();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** An I/O call, for {@link #unchecked}. */
  @FunctionalInterface
  public interface IoCall<T> {
    T call() throws IOException;
  }

  /**
   * The final hourly sales of an output root's agg zone: per tenant, category and hour, the pane
   * with the highest index (a stream's accumulating panes; batch has one), as "items, units,
   * revenue".
   */
  public static Map<String, String> finalHourlySales(Path root) throws IOException {
    Map<String, JsonNode> latest = new TreeMap<>();
    List<Path> files;
    try (Stream<Path> walk = Files.walk(root.resolve("agg"))) {
      files = walk.filter(Files::isRegularFile).collect(Collectors.toList());
    }
    for (Path file : files) {
      for (String line : Files.readAllLines(file)) {
        JsonNode n = Json.MAPPER.readTree(line);
        String key = n.get("tenant").asText() + "/" + n.get("category").asText() + "/" + n.get("window_start").asText();
        JsonNode seen = latest.get(key);
        if (seen == null || seen.get("pane_index").asLong() < n.get("pane_index").asLong()) {
          latest.put(key, n);
        }
      }
    }
    Map<String, String> out = new TreeMap<>();
    latest.forEach(
        (k, n) -> out.put(k, n.get("items").asLong() + " items, " + n.get("units").asLong() + " units, "
            + n.get("revenue").asText()));
    return out;
  }
}
