package io.beamline.pipelines.etl;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.beamline.io.testing.LocalApiServer;
import io.beamline.io.testing.LocalApiServer.Reply;
import io.beamline.pipelines.BeamlineCli;
import io.beamline.pipelines.generate.GeneratedSample;
import io.beamline.transforms.Json;
import io.beamline.transforms.testing.TestKeyrings;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The circuit breaker of a batch run, end to end through the command line: a critical rule that
 * most payments break sends every payments row to the quarantine zone and none to the etl zone,
 * the run writes its audit and then fails naming the rule, table, observed value and threshold,
 * and the alert reaches a local webhook after one 500.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class QualityGateEtlTest {
  private static final String TOKEN = "alert-token-test-5Rk8";

  @TempDir static Path work;

  private GeneratedSample sample;
  private Path out;
  private int exit;
  private String stdout;
  private String stderr;
  private LocalApiServer webhook;
  private Instant before;
  private Instant after;

  @BeforeAll
  void runWithAFailingCriticalRule() throws Exception {
    Path keyring = work.resolve("keyring.json");
    Files.writeString(keyring, TestKeyrings.keyring().toFileJson());
    sample = EtlTestSupport.generate(work.resolve("input"), 400, 5L);
    Path schemas = work.resolve("schemas");
    Files.createDirectories(schemas.resolve("shop"));
    try (Stream<Path> shipped = Files.list(EtlTestSupport.SCHEMAS.resolve("shop"))) {
      for (Path f : shipped.collect(Collectors.toList())) {
        Files.copy(f, schemas.resolve("shop").resolve(f.getFileName()));
      }
    }
    Files.writeString(
        schemas.resolve("shop/payments.quality.json"),
        "{\"source\": \"shop\", \"table\": \"payments\", \"rules\": ["
            + "{\"name\": \"payments-id-not-null\", \"type\": \"not_null\", \"column\": \"payment_id\", \"severity\": \"critical\"},"
            + "{\"name\": \"payments-amount-small\", \"type\": \"between\", \"column\": \"amount\", \"severity\": \"critical\","
            + " \"params\": {\"max\": 100}}]}");
    Path token = work.resolve("webhook-token");
    Files.writeString(token, TOKEN + "\n");
    webhook =
        LocalApiServer.start("cursor")
            .first(null, Reply.status(500, "{\"error\":\"try again\"}"))
            .page(null, Reply.json("{\"ok\":true}"));
    out = work.resolve("out");
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    before = Instant.now();
    exit =
        new BeamlineCli()
            .run(
                new String[] {
                  "etl",
                  "--inputPath=" + work.resolve("input"),
                  "--outputRoot=" + out,
                  "--keyringPath=" + keyring,
                  "--schemaDir=" + schemas,
                  "--runId=gate-1",
                  "--alertWebhookUrl=" + webhook.url(),
                  "--alertWebhookTokenFile=" + token
                },
                new PrintStream(o, true, StandardCharsets.UTF_8),
                new PrintStream(e, true, StandardCharsets.UTF_8));
    after = Instant.now();
    stdout = o.toString(StandardCharsets.UTF_8);
    stderr = e.toString(StandardCharsets.UTF_8);
  }

  @AfterAll
  void stopWebhook() {
    webhook.close();
  }

  private String quarantineGlob() {
    return out.toAbsolutePath().resolve("quarantine/shop/payments") + "/**/*.parquet";
  }

  /** The share of quarantined payments the rule accepts, computed by DuckDB from the files. */
  private String expectedObserved() {
    try (Connection db = EtlTestSupport.duckdb()) {
      long all = EtlTestSupport.queryLong(db, "SELECT count(*) FROM read_parquet('" + quarantineGlob() + "')");
      long ok =
          EtlTestSupport.queryLong(
              db, "SELECT count(*) FROM read_parquet('" + quarantineGlob() + "') WHERE amount <= 100");
      return String.valueOf((double) ok / all);
    } catch (java.sql.SQLException ex) {
      throw new IllegalStateException(ex);
    }
  }

  private long failingRows() {
    try (Connection db = EtlTestSupport.duckdb()) {
      return EtlTestSupport.queryLong(
          db, "SELECT count(*) FROM read_parquet('" + quarantineGlob() + "') WHERE amount > 100");
    } catch (java.sql.SQLException ex) {
      throw new IllegalStateException(ex);
    }
  }

  @Test
  void theRunFailsNamingRuleTableObservedValueAndThreshold() {
    assertThat(stderr, exit, is(BeamlineCli.QUALITY_FAILED));
    assertThat(
        stderr,
        containsString(
            "etl failed: quality circuit breaker tripped: critical rule payments-amount-small (between) failed on"
                + " shop/payments: observed " + expectedObserved() + ", threshold 1.0, failing rows " + failingRows()));
  }

  @Test
  void theEtlZoneHasNoPaymentsButTheOtherTables() throws Exception {
    try (Stream<Path> tables = Files.list(out.resolve("etl/shop"))) {
      assertThat(
          tables.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList()),
          contains("customers", "order_items", "orders"));
    }
  }

  @Test
  void theQuarantineZoneHoldsExactlyThePaymentsRows() throws Exception {
    try (Stream<Path> tables = Files.list(out.resolve("quarantine/shop"))) {
      assertThat(tables.map(p -> p.getFileName().toString()).collect(Collectors.toList()), contains("payments"));
    }
    try (Connection db = EtlTestSupport.duckdb()) {
      assertThat(
          EtlTestSupport.queryLong(
              db, "SELECT count(DISTINCT event_id) FROM read_parquet('" + quarantineGlob() + "')"),
          is(sample.expectedEtlRows("payments")));
      assertThat(
          EtlTestSupport.queryLong(
              db,
              "SELECT count(*) FROM read_parquet('" + quarantineGlob() + "', hive_partitioning = true)"
                  + " WHERE strftime(event_time, '%Y-%m-%d') <> dt"),
          is(0L));
    }
  }

  @Test
  void theAuditIsWrittenConservedAndCountsTheQuarantinedRows() throws Exception {
    JsonNode audit = Json.MAPPER.readTree(Files.readString(onlyFile(out.resolve("audit/runs"))));
    assertThat(audit.get("conserved").asBoolean(), is(true));
    assertThat(audit.path("quarantined_rows").path("payments").asLong(), is(sample.expectedEtlRows("payments")));
    assertThat(audit.path("etl_rows").path("payments").asLong(), is(sample.expectedEtlRows("payments")));
    assertThat(stdout, containsString("quarantine " + String.format("%-10d", sample.expectedEtlRows("payments")) + " rows of payments"));
  }

  @Test
  void theQualityAuditJudgesEveryTable() throws Exception {
    Path file = onlyFile(out.resolve("audit/quality"));
    assertThat(file.getFileName().toString(), is("run-gate-1.json"));
    JsonNode doc = Json.MAPPER.readTree(Files.readString(file));
    assertThat(doc.get("runId").asText(), is("gate-1"));
    assertThat(doc.get("window").isNull(), is(true));
    List<String> tables = new ArrayList<>();
    for (JsonNode t : doc.get("tables")) {
      tables.add(t.get("table").asText() + " rows=" + t.get("rows") + " quarantined=" + t.get("quarantined"));
    }
    assertThat(
        tables,
        contains(
            "customers rows=" + sample.expectedEtlRows("customers") + " quarantined=false",
            "order_items rows=" + sample.expectedEtlRows("order_items") + " quarantined=false",
            "orders rows=" + sample.expectedEtlRows("orders") + " quarantined=false",
            "payments rows=" + sample.expectedEtlRows("payments") + " quarantined=true"));
  }

  @Test
  void theAlertReachesTheWebhookAfterOneRetryWithExactContent() throws Exception {
    List<LocalApiServer.Request> requests = webhook.requests();
    assertThat(requests.size(), is(2));
    assertThat(requests.get(0).body(), equalTo(requests.get(1).body()));
    LocalApiServer.Request delivered = requests.get(1);
    assertThat(delivered.method(), is("POST"));
    assertThat(delivered.contentType(), is("application/json"));
    assertThat(delivered.authorization(), is("Bearer " + TOKEN));
    JsonNode alert = Json.MAPPER.readTree(delivered.body());
    Instant at = Instant.parse(alert.get("at").asText());
    assertThat(!at.isBefore(before) && !at.isAfter(after), is(true));
    ObjectNode expected = Json.MAPPER.createObjectNode();
    expected.put("pipeline", "etl");
    expected.put("runId", "gate-1");
    expected.put("source", "shop");
    expected.put("table", "payments");
    expected.put("kind", "circuit_breaker");
    expected.put("rule", "payments-amount-small");
    expected.put("metric", "between");
    expected.put("observed", Double.parseDouble(expectedObserved()));
    expected.put("threshold", 1.0);
    expected.putNull("window");
    expected.put("at", alert.get("at").asText());
    assertThat(delivered.body(), is(expected.toString()));
  }

  @Test
  void theMetricsFileCarriesScoresAndTheTrip() throws Exception {
    String prom = Files.readString(onlyFile(out.resolve("audit/metrics")));
    assertThat(prom, containsString("beamline_circuit_breaker_trips_total{source=\"shop\",table=\"payments\"} 1\n"));
    assertThat(
        prom,
        containsString(
            "beamline_quarantined_rows_total{source=\"shop\",table=\"payments\"} " + sample.expectedEtlRows("payments") + "\n"));
    String validity =
        new java.math.BigDecimal(expectedObserved())
            .setScale(6, java.math.RoundingMode.HALF_UP)
            .stripTrailingZeros()
            .toPlainString();
    assertThat(
        prom,
        containsString("beamline_quality_score{source=\"shop\",table=\"payments\",column=\"amount\",kind=\"validity\"} " + validity + "\n"));
    assertThat(
        prom,
        containsString("beamline_quality_score{source=\"shop\",table=\"orders\",column=\"\",kind=\"uniqueness\"} 1\n"));
  }

  @Test
  void nothingIsLeftInTheTemporaryOrStagingPlaces() throws Exception {
    assertThat(sample.expectedEtlRows("payments"), greaterThan(0L));
    assertThat(EtlTestSupport.filesUnder(out.resolve("audit/_staging")), empty());
  }

  private static Path onlyFile(Path dir) throws Exception {
    List<Path> files = EtlTestSupport.filesUnder(dir);
    assertThat(files.toString(), files.size(), is(1));
    return files.get(0);
  }
}
