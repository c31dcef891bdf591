package io.beamline.pipelines;

import static io.beamline.pipelines.BeamlineCliTest.cli;
import static io.beamline.pipelines.etl.ApiTestFixture.ALL_DEAD_LETTERS;
import static io.beamline.pipelines.etl.ApiTestFixture.ALL_ITEMS;
import static io.beamline.pipelines.etl.ApiTestFixture.ALL_ORDERS;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

import com.fasterxml.jackson.databind.JsonNode;
import io.beamline.io.testing.LocalApiServer;
import io.beamline.options.IngestApiOptions;
import io.beamline.pipelines.BeamlineCliTest.Result;
import io.beamline.pipelines.etl.ApiTestFixture;
import io.beamline.pipelines.etl.EtlTestSupport;
import io.beamline.transforms.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** {@code ingest-api} through the command line: a whole run with a bearer token, help, bad options. */
class IngestApiCommandTest {
  /** Three pages read with a token, through {@link BeamlineCli#run}, output captured. */
  @Nested
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  class ThreePagesWithAToken {
    LocalApiServer server;
    Path output;
    Result run;
    String token;
    /** What the process wrote to System.out and System.err (logs included) meanwhile. */
    String processOutput;

    @BeforeAll
    void run(@TempDir Path tmp) throws IOException {
      token = ApiTestFixture.token();
      server = ApiTestFixture.serveThreePages(LocalApiServer.start(ApiTestFixture.CURSOR_PARAM));
      output = tmp.resolve("out");
      ByteArrayOutputStream captured = new ByteArrayOutputStream();
      PrintStream originalOut = System.out;
      PrintStream originalErr = System.err;
      System.setOut(new PrintStream(new BeamlineCliTest.TeeStream(originalOut, captured), true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(new BeamlineCliTest.TeeStream(originalErr, captured), true, StandardCharsets.UTF_8));
      try {
        run =
            cli(ingestApi(ApiTestFixture.args(server, tmp, "--runId=api-cli",
                "--apiTokenEnv=" + ApiTestFixture.TOKEN_ENV)));
      } finally {
        System.setOut(originalOut);
        System.setErr(originalErr);
      }
      processOutput = captured.toString(StandardCharsets.UTF_8);
    }

    @AfterAll
    void stop() {
      server.close();
    }

    private JsonNode audit() throws IOException {
      List<Path> files =
          EtlTestSupport.filesUnder(output.resolve("audit/runs")).stream()
              .filter(p -> p.getFileName().toString().equals("run-api-cli.json"))
              .toList();
      assertThat(files.size(), is(1));
      return Json.MAPPER.readTree(Files.readString(files.get(0)));
    }

    @Test
    void exitsZeroAndPrintsAConservedSummary() {
      assertThat(run.err(), run.code(), is(BeamlineCli.OK));
      assertThat(run.out(), containsString("Beamline ingest-api run api-cli"));
      assertThat(run.out(), containsString("8 in = 4 etl + 3 dlq + 1 duplicates: conserved"));
    }

    @Test
    void writesExactlyTheRowsAndDeadLettersOfTheThreePages() {
      assertThat(ApiTestFixture.orders(output), is(ALL_ORDERS));
      assertThat(ApiTestFixture.items(output), is(ALL_ITEMS));
      assertThat(ApiTestFixture.deadLetters(output), is(ALL_DEAD_LETTERS));
    }

    @Test
    void auditsTheRunWithConservedCounts() throws IOException {
      JsonNode audit = audit();
      assertThat(audit.get("command").asText(), is("ingest-api"));
      assertThat(audit.get("input_path").asText(), is(server.url().toString()));
      assertThat(audit.get("records_in").asLong(), is(8L));
      assertThat(audit.get("etl_records").asLong(), is(4L));
      assertThat(
          Json.MAPPER.convertValue(audit.get("etl_rows"), Map.class),
          is(Map.of("orders", 4, "order_items", 3)));
      assertThat(
          Json.MAPPER.convertValue(audit.get("dead_letters_by_reason"), Map.class),
          is(Map.of("INVALID_ENVELOPE_FIELD", 1, "MISSING_ENVELOPE_FIELD", 1, "SCHEMA_VIOLATION", 1)));
      assertThat(audit.get("duplicates_dropped").asLong(), is(1L));
      assertThat(audit.get("conserved").asBoolean(), is(true));
    }

    @Test
    void walksThePagesInOrderOnceEach() {
      List<String> cursors = new ArrayList<>();
      server.requests().forEach(r -> cursors.add(String.valueOf(r.cursor())));
      assertThat(cursors, is(List.of("null", ApiTestFixture.CURSOR_2, ApiTestFixture.CURSOR_3)));
      assertThat(
          server.requests().get(1).query(), is("limit=3&after=c%3A2%2F%3D"));
    }

    @Test
    void writesEveryRecordReadToTheRawZoneAsAnUnencryptedEnvelope() throws IOException {
      List<EtlTestSupport.ZoneLine> raw = EtlTestSupport.zoneLines(output, "raw");
      assertThat(raw.size(), is(8));
      JsonNode first =
          raw.stream()
              .map(l -> EtlTestSupport.envelopeOf(l.text()))
              .filter(e -> e.path("event_id").asText().equals("O-1002"))
              .findFirst()
              .orElseThrow();
      assertThat(
          first.toString(),
          is("{\"event_id\":\"O-1002\",\"tenant\":\"acme\",\"source\":\"shop\",\"table\":\"orders\","
              + "\"event_time\":\"2026-11-20T12:20:00+01:00\",\"payload\":"
              + ApiTestFixture.page1().get(1) + "}"));
    }

    @Test
    void sendsTheBearerTokenWithEveryRequest() {
      assertThat(server.requests().size(), is(3));
      assertThat(
          server.requests().stream().map(LocalApiServer.Request::authorization).toList(),
          everyItem(is("Bearer " + token)));
    }

    @Test
    void theTokenAppearsInNoOutputFileNorInWhatWasPrinted() throws IOException {
      List<Path> files = EtlTestSupport.filesUnder(output);
      assertThat(files.isEmpty(), is(false));
      for (Path f : files) {
        String text = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
        assertThat(f.toString(), text, not(containsString(token)));
      }
      assertThat(run.all(), not(containsString(token)));
      assertThat(processOutput, not(containsString(token)));
    }
  }

  static String[] ingestApi(String... args) {
    String[] all = new String[args.length + 1];
    all[0] = "ingest-api";
    System.arraycopy(args, 0, all, 1, args.length);
    return all;
  }

  // ------------------------------------------------------------------------------ help

  @Test
  void helpListsEveryOptionAsRequiredOrWithItsDefault() throws Exception {
    Result r = cli("ingest-api", "--help");

    assertThat(r.code(), is(BeamlineCli.OK));
    Map<String, List<String>> entries = BeamlineCliTest.helpEntries(r.out());
    assertThat(new java.util.TreeSet<>(entries.keySet()), is(BeamlineCliTest.ownOptions(IngestApiOptions.class)));
    for (String required : List.of("apiUrl", "tenant", "source", "table", "outputRoot", "keyringPath", "schemaDir")) {
      assertThat("--" + required, BeamlineCliTest.marker(entries.get(required)), is("(required)"));
    }
    assertThat(BeamlineCliTest.marker(entries.get("maxRequestsPerSecond")), is("(default: 5.0)"));
    assertThat(BeamlineCliTest.marker(entries.get("maxRetries")), is("(default: 5)"));
    assertThat(BeamlineCliTest.marker(entries.get("initialBackoffMillis")), is("(default: 500)"));
    assertThat(BeamlineCliTest.marker(entries.get("maxBackoffMillis")), is("(default: 30000)"));
    assertThat(BeamlineCliTest.marker(entries.get("requestTimeoutSeconds")), is("(default: 30)"));
    assertThat(BeamlineCliTest.marker(entries.get("itemsPointer")), is("(default: /data)"));
    assertThat(BeamlineCliTest.marker(entries.get("cursorPointer")), is("(default: /next_cursor)"));
    for (Map.Entry<String, List<String>> e : entries.entrySet()) {
      assertThat("--" + e.getKey() + " has a description", e.getValue().size() > 1, is(true));
    }
    BeamlineCliTest.assertDefaultsAreEffective(entries, IngestApiOptions.class);
    assertThat(cli("--help").out(), containsString("ingest-api"));
  }

  // ------------------------------------------------------------------------------ bad options

  /** Runs ingest-api with one option changed; it must exit 2 naming {@code option}, writing nothing. */
  private static void assertRefused(Path tmp, String option, String... changed) throws IOException {
    try (LocalApiServer server = LocalApiServer.start(ApiTestFixture.CURSOR_PARAM)) {
      Result r = cli(ingestApi(ApiTestFixture.args(server, tmp, changed)));

      assertThat(String.join(" ", changed) + ": " + r.err(), r.code(), is(BeamlineCli.BAD_USAGE));
      assertThat(r.err(), containsString(option));
      assertThat(server.requests().size(), is(0));
      assertThat(Files.exists(tmp.resolve("out")), is(false));
    }
  }

  @Test
  void aUrlThatIsNotHttpIsRefusedNamingTheOption(@TempDir Path tmp) throws IOException {
    assertRefused(tmp, "--apiUrl", "--apiUrl=ftp://127.0.0.1/api");
    assertRefused(tmp, "--apiUrl", "--apiUrl=not a url");
    assertRefused(tmp, "--apiUrl", "--apiUrl=/relative/path");
  }

  @Test
  void aUrlWithAPasswordIsRefusedWithoutEchoingIt(@TempDir Path tmp) throws IOException {
    Result r =
        cli(ingestApi("--apiUrl=http://user:s3cr3t-pw@127.0.0.1:9/api", "--tenant=acme", "--source=shop",
            "--table=orders", "--outputRoot=" + tmp.resolve("out"), "--keyringPath=x", "--schemaDir=y"));

    assertThat(r.code(), is(BeamlineCli.BAD_USAGE));
    assertThat(r.err(), containsString("--apiUrl"));
    assertThat(r.all(), not(containsString("s3cr3t-pw")));
  }

  @Test
  void nonPositiveRatesAndTimesAreRefusedNamingTheOption(@TempDir Path tmp) throws IOException {
    assertRefused(tmp, "--maxRequestsPerSecond", "--maxRequestsPerSecond=0");
    assertRefused(tmp, "--maxRequestsPerSecond", "--maxRequestsPerSecond=-2.5");
    assertRefused(tmp, "--maxRetries", "--maxRetries=-1");
    assertRefused(tmp, "--initialBackoffMillis", "--initialBackoffMillis=0");
    assertRefused(tmp, "--maxBackoffMillis", "--maxBackoffMillis=0");
    assertRefused(tmp, "--requestTimeoutSeconds", "--requestTimeoutSeconds=0");
  }

  @Test
  void badNamesPointersAndTablesAreRefusedNamingTheOption(@TempDir Path tmp) throws IOException {
    assertRefused(tmp, "--tenant", "--tenant=Acme");
    assertRefused(tmp, "--table", "--table=../orders");
    assertRefused(tmp, "--table", "--table=no_such_table");
    assertRefused(tmp, "--itemsPointer", "--itemsPointer=data");
    assertRefused(tmp, "--cursorParam", "--cursorParam=a&b");
    assertRefused(tmp, "--apiTokenEnv", "--apiTokenEnv=BEAMLINE_NO_SUCH_VARIABLE_SET");
  }

  @Test
  void aMissingUrlIsRefusedNamingTheOption(@TempDir Path tmp) {
    Result r = cli("ingest-api", "--tenant=acme", "--source=shop", "--table=orders",
        "--outputRoot=" + tmp.resolve("out"), "--keyringPath=x", "--schemaDir=y");

    assertThat(r.code(), is(BeamlineCli.BAD_USAGE));
    assertThat(r.err(), containsString("--apiUrl"));
  }
}
