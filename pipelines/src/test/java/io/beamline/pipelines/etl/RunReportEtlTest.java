package io.beamline.pipelines.etl;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

import com.fasterxml.jackson.databind.JsonNode;
import io.beamline.transforms.Json;
import io.beamline.transforms.testing.TestKeyrings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One small etl run and the run report (HTML and JSON twin) it writes at its end. */
class RunReportEtlTest {
  static final String RUN_ID = "report-run";

  @TempDir static Path dir;
  private static Path input;
  private static Path out;
  private static EtlRunSummary summary;
  private static JsonNode twin;
  private static String html;

  @BeforeAll
  static void runEtl() throws Exception {
    input = dir.resolve("in");
    out = dir.resolve("out");
    EtlTestSupport.generate(input, 200, 11L);
    summary =
        EtlTestSupport.run(input, out, TestKeyrings.writeKeyringFile(dir), "--runId=" + RUN_ID);
    html = Files.readString(Path.of(summary.reportFile()), StandardCharsets.UTF_8);
    twin = Json.MAPPER.readTree(Files.readString(Path.of(summary.reportFile().replaceAll("\\.html$", ".json"))));
  }

  static String qualityFixture() throws IOException {
    try (var in = RunReportEtlTest.class.getResourceAsStream("/report/quality-run.json")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void writesTheReportAndItsJsonTwinInTheAuditZoneAndNamesThemInTheSummary() {
    String date = summary.record().get("started_at").asText().substring(0, 10);
    Path expected = out.resolve("audit/reports/dt=" + date + "/run-" + RUN_ID + ".html").toAbsolutePath();
    assertThat(Path.of(summary.reportFile()).toAbsolutePath(), is(expected));
    assertThat(Files.isRegularFile(expected.resolveSibling("run-" + RUN_ID + ".json")), is(true));
    assertThat(summary.toText(), containsString("  report     " + summary.reportFile() + "\n"));
    assertThat(
        summary.toText(), containsString("             " + summary.reportFile().replaceAll("\\.html$", ".json") + "\n"));
  }

  @Test
  void jsonTwinTotalsEqualTheAuditRecord() {
    JsonNode audit = summary.record();
    assertThat(summary.recordsIn(), greaterThan(0L));
    for (String field : List.of("records_in", "etl_records", "dead_letters", "duplicates_dropped")) {
      assertThat(field, twin.path("totals").path(field).asLong(), is(audit.get(field).asLong()));
    }
    assertThat(twin.path("etl_rows").toString(), is(audit.get("etl_rows").toString()));
    Map<String, Long> byReason = new TreeMap<>();
    twin.path("dead_letters").forEach(d -> byReason.put(d.path("reason").asText(), d.path("count").asLong()));
    assertThat(byReason, is(summary.deadLettersByReason()));
    assertThat(twin.path("run_id").asText(), is(RUN_ID));
    assertThat(twin.path("kind").asText(), is("run"));
  }

  @Test
  void conservationIsShownAsPass() {
    assertThat(summary.conserved(), is(true));
    assertThat(twin.path("totals").path("conserved").asBoolean(), is(true));
    assertThat(html, containsString("data-field=\"totals.conserved\">PASS</span>"));
  }

  @Test
  void deadLettersPerStageFromMetricsAddUpToTheAuditedDeadLetters() {
    long perStage = 0;
    for (JsonNode s : twin.path("stages")) {
      perStage += s.path("dead_letters").asLong();
    }
    assertThat(perStage, is(summary.deadLetters()));
  }

  @Test
  void eventTimeLagIsCountedForEveryEnvelopeThatParsed() {
    long parsed = -1;
    for (JsonNode s : twin.path("stages")) {
      if (s.path("stage").asText().equals("parse")) {
        parsed = s.path("records_out").asLong();
      }
    }
    assertThat(parsed, greaterThan(0L));
    assertThat(twin.path("event_time_lag_ms").path("count").asLong(), is(parsed));
  }

  @Test
  void throughputSamplesEndAtTheRecordsIn() {
    JsonNode samples = twin.path("throughput").path("samples");
    assertThat(samples.size(), greaterThan(1));
    assertThat(samples.get(0).path("records_in").asLong(), is(0L));
    assertThat(samples.get(samples.size() - 1).path("records_in").asLong(), is(summary.recordsIn()));
  }

  @Test
  void deadLetterExamplesAreAFewOfTheirOwnReason() {
    assertThat(twin.path("dead_letters").size(), greaterThan(1));
    for (JsonNode d : twin.path("dead_letters")) {
      String reason = d.path("reason").asText();
      assertThat(reason, d.path("examples").size(), is((int) Math.min(3, d.path("count").asLong())));
      for (JsonNode e : d.path("examples")) {
        assertThat(e.path("reason").asText(), is(reason));
        assertThat(e.has("raw"), is(false));
        assertThat(e.path("detail").asText(), not(is("")));
      }
    }
  }

  @Test
  void reportNeverShowsTheKeysOrAnEncryptedPayload() throws IOException {
    String twinText = twin.toString();
    for (String key : EtlTestSupport.testKeysBase64()) {
      assertThat(html, not(containsString(key)));
      assertThat(twinText, not(containsString(key)));
    }
    int encrypted = 0;
    for (byte[] line : EtlTestSupport.inputLines(input)) {
      String text = EtlTestSupport.strictUtf8(line);
      JsonNode envelope = text == null ? null : EtlTestSupport.envelopeOf(text);
      if (envelope != null && envelope.hasNonNull("key_id") && envelope.path("payload").isTextual()
          && envelope.get("payload").asText().length() >= 24) {
        String start = envelope.get("payload").asText().substring(0, 24);
        assertThat(html, not(containsString(start)));
        assertThat(twinText, not(containsString(start)));
        encrypted++;
      }
    }
    assertThat(encrypted, greaterThan(100));
  }

  @Test
  void partitionsWrittenEqualTheFilesOfEachZone() throws IOException {
    for (JsonNode z : twin.path("partitions")) {
      String zone = z.path("zone").asText();
      long files = 0;
      long bytes = 0;
      Set<Path> partitions = new HashSet<>();
      for (Path f : EtlTestSupport.filesUnder(out.resolve(zone))) {
        String rel = out.relativize(f).toString();
        if (rel.matches("(.*/)?[._][^/]*(/.*)?") || rel.endsWith(".tmp") || rel.startsWith("audit/reports/")) {
          // Hidden and staging names; the report is written after its own listing.
          continue;
        }
        files++;
        bytes += Files.size(f);
        partitions.add(f.getParent());
      }
      assertThat(zone, z.path("files").asLong(), is(files));
      assertThat(zone, z.path("bytes").asLong(), is(bytes));
      assertThat(zone, z.path("partitions").asLong(), is((long) partitions.size()));
    }
    List<String> zones = twin.path("partitions").findValuesAsText("zone");
    assertThat(zones.subList(0, 3), is(List.of("raw", "etl", "dlq")));
    assertThat(zones.contains("audit"), is(true));
  }

  /** The run's own quality audit (the shipped suites), table by table and column by column. */
  @Test
  void qualitySectionShowsTheQualityFileOfTheRun() throws IOException {
    List<Path> files =
        EtlTestSupport.filesUnder(out.resolve("audit/quality")).stream()
            .filter(f -> f.getFileName().toString().equals("run-" + RUN_ID + ".json"))
            .collect(java.util.stream.Collectors.toList());
    assertThat(files.size(), is(1));
    JsonNode quality = Json.MAPPER.readTree(Files.readString(files.get(0)));
    JsonNode tables = twin.path("quality").path("tables");
    assertThat(tables.findValuesAsText("table").stream().sorted().collect(java.util.stream.Collectors.toList()),
        is(List.of("customers", "order_items", "orders", "payments")));
    assertThat(
        tables.findValuesAsText("table").stream().sorted().collect(java.util.stream.Collectors.toList()),
        is(quality.path("tables").findValuesAsText("table").stream().sorted().collect(java.util.stream.Collectors.toList())));
    for (JsonNode table : quality.path("tables")) {
      for (JsonNode column : table.path("columns")) {
        assertThat(
            html,
            containsString("data-field=\"quality." + table.path("source").asText() + "." + table.path("table").asText()
                + "." + column.path("column").asText() + "."));
      }
    }
  }

  @Test
  void stagingFilesAreGoneAfterTheRun() throws IOException {
    assertThat(EtlTestSupport.pathsUnder(out.resolve("audit/_staging")), is(empty()));
  }
}
