package io.beamline.pipelines.etl;

import static io.beamline.pipelines.etl.EtlTestSupport.duckdb;
import static io.beamline.pipelines.etl.EtlTestSupport.etlTable;
import static io.beamline.pipelines.etl.EtlTestSupport.filesUnder;
import static io.beamline.pipelines.etl.EtlTestSupport.query;
import static io.beamline.pipelines.etl.EtlTestSupport.zoneLines;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.beamline.pipelines.report.RunReports;
import io.beamline.io.s3.testing.S3ServerExtension;
import io.beamline.pipelines.BeamlineCli;
import io.beamline.pipelines.generate.GeneratedSample;
import io.beamline.transforms.Json;
import io.beamline.transforms.testing.TestKeyrings;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The batch ETL with its input and output in S3, on a real S3-compatible server ({@link
 * S3ServerExtension}): the same generated envelopes are run once locally and twice from and into
 * {@code s3://}, and the S3 output, downloaded over the S3 API, must hold exactly what the local
 * run wrote; the second S3 run must leave the same objects.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class S3EtlTest {
  @RegisterExtension static S3ServerExtension s3 = new S3ServerExtension();

  static final String BUCKET = "lake";
  static final String INPUT = "s3://" + BUCKET + "/landing/shop";
  static final String OUTPUT = "s3://" + BUCKET + "/zones";
  static final List<String> ZONES = List.of("etl", "dlq", "raw");

  Path keyring;
  GeneratedSample sample;
  EtlRunSummary local;
  EtlRunSummary first;
  EtlRunSummary second;
  Path localOut;
  Path firstOut;
  Path secondOut;
  List<String> keysAfterFirst;
  List<String> keysAfterSecond;
  String planted;

  @BeforeAll
  void runLocallyAndTwiceInS3(@TempDir Path tmp) throws IOException {
    Path input = tmp.resolve("in");
    sample = EtlTestSupport.generate(input, 200, 4L);
    keyring = TestKeyrings.writeKeyringFile(tmp);
    localOut = tmp.resolve("local");
    long l0 = System.nanoTime();
    local = EtlTestSupport.run(input, localOut, keyring, "--runId=local");
    long l1 = System.nanoTime();

    s3.createBucket(BUCKET);
    assertThat(s3.upload(input, INPUT), is(sample.files().size()));

    long t0 = System.nanoTime();
    first = runInS3("--runId=s3-first");
    long t1 = System.nanoTime();
    keysAfterFirst = s3.list(OUTPUT);
    firstOut = tmp.resolve("s3-first");
    s3.download(OUTPUT, firstOut);

    // What a run with two files per partition would have left: another name, same rows.
    String etlFile = keysAfterFirst.stream().filter(k -> k.startsWith("etl/")).findFirst().orElseThrow();
    planted = etlFile.substring(0, etlFile.lastIndexOf('/') + 1) + "part-00001-of-00002.parquet";
    Path stale = tmp.resolve("stale");
    Files.createDirectories(stale.resolve(planted).getParent());
    Files.copy(firstOut.resolve(etlFile), stale.resolve(planted));
    s3.upload(stale, OUTPUT);

    long t2 = System.nanoTime();
    second = runInS3("--runId=s3-second");
    long t3 = System.nanoTime();
    keysAfterSecond = s3.list(OUTPUT);
    secondOut = tmp.resolve("s3-second");
    s3.download(OUTPUT, secondOut);
    System.out.printf(
        "S3EtlTest: %d envelopes, %d objects; local run %d ms, S3 runs %d ms and %d ms%n",
        sample.totalLines(), keysAfterFirst.size(), (l1 - l0) / 1_000_000, (t1 - t0) / 1_000_000,
        (t3 - t2) / 1_000_000);
  }

  private EtlRunSummary runInS3(String... extra) {
    return BatchEtlPipeline.run(EtlTestSupport.options(args(INPUT, OUTPUT, extra)));
  }

  private String[] args(String input, String output, String... extra) {
    List<String> args = new ArrayList<>();
    args.add("--inputPath=" + input);
    args.add("--outputRoot=" + output);
    args.add("--keyringPath=" + keyring);
    args.add("--schemaDir=" + EtlTestSupport.SCHEMAS);
    args.addAll(s3.pipelineArgs());
    args.addAll(List.of(extra));
    return args.toArray(new String[0]);
  }

  // ---------------------------------------------------------------------------- same as local

  @Test
  void countsAreThoseOfTheLocalRun() {
    for (EtlRunSummary run : List.of(first, second)) {
      assertThat(run.recordsIn(), is(local.recordsIn()));
      assertThat(run.etlRecords(), is(local.etlRecords()));
      assertThat(run.etlRowsByTable(), is(local.etlRowsByTable()));
      assertThat(run.deadLettersByReason(), is(local.deadLettersByReason()));
      assertThat(run.duplicatesDropped(), is(local.duplicatesDropped()));
      assertThat(run.conserved(), is(true));
    }
    assertThat(local.recordsIn(), is(sample.totalLines()));
  }

  @Test
  void etlRowsPerPartitionAreThoseOfTheLocalRun() {
    assertThat(rows(firstOut), is(rows(localOut)));
  }

  @Test
  void deadLettersAndRawLinesAreThoseOfTheLocalRun() throws IOException {
    assertThat(linesWithoutRejectionTime(firstOut, "dlq"), is(linesWithoutRejectionTime(localOut, "dlq")));
    assertThat((long) zoneLines(firstOut, "dlq").size(), is(local.deadLetters()));
    assertThat(lines(firstOut, "raw"), is(lines(localOut, "raw")));
  }

  @Test
  void filesAreNamedAsInTheLocalRun() throws IOException {
    assertThat(zoneFiles(firstOut), is(zoneFiles(localOut)));
  }

  @Test
  void auditRecordIsInS3WithTheLocalCounts() throws IOException {
    String key = "audit/runs/dt=" + first.auditFile().replaceAll(".*/dt=([^/]+)/.*", "$1") + "/run-s3-first.json";
    assertThat(keysAfterFirst, hasItem(key));
    assertThat(first.auditFile(), is(OUTPUT + "/" + key));
    ObjectNode inS3 = (ObjectNode) Json.MAPPER.readTree(Files.readString(firstOut.resolve(key)));
    ObjectNode onDisk =
        (ObjectNode) Json.MAPPER.readTree(Files.readString(Path.of(local.auditFile())));
    for (String field : List.of("records_in", "etl_records", "etl_rows", "dead_letters",
        "dead_letters_by_reason", "duplicates_dropped", "event_time_min", "event_time_max",
        "conserved")) {
      assertThat(field, inS3.get(field), is(onDisk.get(field)));
    }
    assertThat(inS3.get("input_path").asText(), is(INPUT));
    assertThat(inS3.get("output_root").asText(), is(OUTPUT));
  }

  @Test
  void leavesNoTemporaryOrStagingObjects() {
    for (List<String> keys : List.of(keysAfterFirst, keysAfterSecond)) {
      assertThat(keys, everyItem(not(containsString(".temp-beam"))));
      assertThat(keys, everyItem(not(containsString("_staging"))));
      assertThat(keys, everyItem(not(containsString(".tmp"))));
    }
  }

  // ---------------------------------------------------------------------------- rerun

  @Test
  void rerunLeavesTheSameObjectsPlusItsAuditRecordMetricsFileQualityAuditAndReport() {
    List<String> expected = new ArrayList<>(keysAfterFirst);
    expected.add(second.auditFile().substring(OUTPUT.length() + 1));
    expected.add(second.metricsFile().substring(OUTPUT.length() + 1));
    expected.add(second.qualityFile().substring(OUTPUT.length() + 1));
    expected.add(second.reportFile().substring(OUTPUT.length() + 1));
    expected.add(RunReports.jsonTwin(second.reportFile()).substring(OUTPUT.length() + 1));
    Collections.sort(expected);
    assertThat(keysAfterSecond, is(expected));
  }

  @Test
  void rerunRemovesAnEarlierRunsObjectWithAnotherName() {
    assertThat(keysAfterSecond, not(hasItem(planted)));
  }

  @Test
  void rerunLeavesExactlyTheRowsDeadLettersAndRawLinesOfOneRun() throws IOException {
    assertThat(rows(secondOut), is(rows(firstOut)));
    assertThat(linesWithoutRejectionTime(secondOut, "dlq"), is(linesWithoutRejectionTime(firstOut, "dlq")));
    assertThat(lines(secondOut, "raw"), is(lines(firstOut, "raw")));
  }

  // ---------------------------------------------------------------------------- stops early

  @Test
  void anS3InputThatMatchesNothingStopsBeforeTheRun() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> BatchEtlPipeline.prepare(
                EtlTestSupport.options(args("s3://" + BUCKET + "/nothing-here", OUTPUT))));
    assertThat(e.getMessage(), is("--inputPath s3://" + BUCKET + "/nothing-here matches no file"));
  }

  @Test
  void aMissingBucketStopsBeforeTheRun() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> BatchEtlPipeline.prepare(
                EtlTestSupport.options(args("s3://no-such-bucket/in", OUTPUT))));
    assertThat(
        e.getMessage(),
        is("--inputPath s3://no-such-bucket/in: bucket 'no-such-bucket' does not exist at "
            + s3.endpoint()));
    IllegalArgumentException out =
        assertThrows(
            IllegalArgumentException.class,
            () -> BatchEtlPipeline.prepare(
                EtlTestSupport.options(args(INPUT, "s3://no-such-bucket/zones"))));
    assertThat(out.getMessage(), startsWith("--outputRoot s3://no-such-bucket/zones: bucket"));
  }

  @Test
  void anUnreachableEndpointStopsBeforeTheRun() throws IOException {
    int closedPort;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
      closedPort = s.getLocalPort();
    }
    List<String> a = new ArrayList<>(List.of(args(INPUT, OUTPUT)));
    a.removeIf(x -> x.startsWith("--s3Endpoint="));
    a.add("--s3Endpoint=http://127.0.0.1:" + closedPort);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> BatchEtlPipeline.prepare(EtlTestSupport.options(a.toArray(new String[0]))));
    assertThat(
        e.getMessage(),
        startsWith("--inputPath " + INPUT + ": cannot reach S3 at http://127.0.0.1:" + closedPort));
  }

  @Test
  void aBadEndpointEndsTheCommandWithExitCode2NamingTheOption() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    List<String> cli =
        List.of(
            "etl",
            "--inputPath=" + INPUT,
            "--outputRoot=" + OUTPUT,
            "--keyringPath=" + keyring,
            "--schemaDir=" + EtlTestSupport.SCHEMAS,
            "--s3Endpoint=127.0.0.1:9000");
    int code =
        new BeamlineCli()
            .run(
                cli.toArray(new String[0]),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    assertThat(code, is(BeamlineCli.BAD_USAGE));
    assertThat(err.toString(StandardCharsets.UTF_8), startsWith("etl: --s3Endpoint must be"));
  }

  // ---------------------------------------------------------------------------- generate

  @Test
  void generateWritesTheSampleIntoS3AsItWouldLocally(@TempDir Path tmp) throws IOException {
    List<String> common =
        List.of("--count=60", "--files=3", "--seed=9", "--keyringPath=" + keyring);
    List<String> toS3 = new ArrayList<>(List.of("generate", "--outputPath=s3://" + BUCKET + "/generated/"));
    toS3.addAll(common);
    toS3.addAll(s3.pipelineArgs());
    // An event file of an earlier, larger sample: the new sample replaces the whole set.
    Files.createDirectories(tmp.resolve("old"));
    Files.writeString(tmp.resolve("old/events-00007.jsonl"), "{}\n");
    s3.upload(tmp.resolve("old"), "s3://" + BUCKET + "/generated");
    Cli inS3 = cli(toS3);
    List<String> locally = new ArrayList<>(List.of("generate", "--outputPath=" + tmp.resolve("local")));
    locally.addAll(common);
    Cli onDisk = cli(locally);

    assertThat(inS3.err(), inS3.code(), is(BeamlineCli.OK));
    assertThat(onDisk.code(), is(BeamlineCli.OK));
    assertThat(
        s3.list("s3://" + BUCKET + "/generated"),
        is(List.of("events-00000.jsonl", "events-00001.jsonl", "events-00002.jsonl")));
    for (String name : s3.list("s3://" + BUCKET + "/generated")) {
      assertThat(
          name,
          s3.read("s3://" + BUCKET + "/generated/" + name),
          is(Files.readAllBytes(tmp.resolve("local").resolve(name))));
    }
    assertThat(inS3.out(), containsString("Wrote 60 lines to s3://" + BUCKET + "/generated"));
  }

  /** What one command printed and returned. */
  record Cli(int code, String out, String err) {}

  private static Cli cli(List<String> args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        new BeamlineCli()
            .run(
                args.toArray(new String[0]),
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Cli(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  // ---------------------------------------------------------------------------- readers

  /** Per table, every row's partition and content except _ingested_at, sorted. */
  private static Map<String, List<String>> rows(Path root) {
    Map<String, List<String>> out = new TreeMap<>();
    Path base = root.toAbsolutePath();
    try (Connection db = duckdb()) {
      for (String table : EtlTestSupport.TABLES) {
        out.put(
            table,
            query(db, "SELECT * EXCLUDE (_ingested_at) FROM " + etlTable(root, table, false)).stream()
                .map(r -> {
                  Map<String, String> row = new TreeMap<>(r);
                  String file = row.remove("filename");
                  row.put("partition", base.relativize(Path.of(file).getParent()).toString());
                  return row.toString();
                })
                .sorted()
                .collect(Collectors.toList()));
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
    assertThat("no etl rows read below " + root, out.values().stream().allMatch(List::isEmpty), is(false));
    return out;
  }

  private static List<String> lines(Path root, String zone) throws IOException {
    List<String> out =
        zoneLines(root, zone).stream()
            .map(l -> l.partition() + " " + l.text())
            .sorted()
            .collect(Collectors.toList());
    assertThat(out, not(empty()));
    return out;
  }

  private static List<String> linesWithoutRejectionTime(Path root, String zone) throws IOException {
    List<String> out = new ArrayList<>();
    for (EtlTestSupport.ZoneLine l : zoneLines(root, zone)) {
      ObjectNode d = (ObjectNode) Json.MAPPER.readTree(l.text());
      d.remove("rejected_at");
      out.add(l.partition() + " " + d);
    }
    Collections.sort(out);
    assertThat(out, not(empty()));
    return out;
  }

  private static List<String> zoneFiles(Path root) throws IOException {
    List<String> out = new ArrayList<>();
    for (String zone : ZONES) {
      for (Path f : filesUnder(root.resolve(zone))) {
        out.add(root.relativize(f).toString());
      }
    }
    return out;
  }
}
