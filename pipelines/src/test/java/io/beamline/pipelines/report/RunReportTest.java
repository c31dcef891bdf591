package io.beamline.pipelines.report;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.beamline.transforms.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.beam.sdk.metrics.DistributionResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The JSON twin and HTML page of reports built from fixed inputs. */
class RunReportTest {
  private static final Instant START = Instant.parse("2026-11-22T10:00:00Z");

  private static ObjectNode audit() throws IOException {
    return (ObjectNode)
        Json.MAPPER.readTree(
            "{\"command\":\"etl\",\"run_id\":\"r1\",\"runner\":\"DirectRunner\",\"started_at\":\"2026-11-22T10:00:00Z\","
                + "\"finished_at\":\"2026-11-22T10:00:10Z\",\"duration_ms\":10000,\"input_path\":\"/in\",\"output_root\":\"/out\","
                + "\"records_in\":10,\"etl_records\":6,\"etl_rows\":{\"orders\":6,\"<script>alert(1)</script>\":1},"
                + "\"dead_letters\":3,\"dead_letters_by_reason\":{\"MALFORMED_JSON\":1,\"SCHEMA_VIOLATION\":2},"
                + "\"duplicates_dropped\":1,\"event_time_min\":\"2026-11-20T00:00:00Z\",\"event_time_max\":\"2026-11-20T23:00:00Z\",\"conserved\":true}");
  }

  private static RunReport report(ObjectNode audit, Optional<ObjectNode> quality) {
    MetricValues metrics =
        new MetricValues(
            Map.of("records_in", 10L, "records_out.parse", 9L, "dead_letters.parse.MALFORMED_JSON", 1L,
                "records_out.validate", 7L, "dead_letters.validate.SCHEMA_VIOLATION", 2L),
            Map.of("event_time_lag_ms", DistributionResult.create(9_000, 9, 500, 2_000)));
    return RunReport.of(
        new RunReport.Inputs(
            "run", audit, START, START.plusSeconds(11), metrics,
            List.of(new ThroughputSampler.Sample(0, 0, 0, 0), new ThroughputSampler.Sample(2000, 4, 1, 0),
                new ThroughputSampler.Sample(4000, 10, 3, 1)),
            Map.of("SCHEMA_VIOLATION",
                List.of(new DeadLetterExample("SCHEMA_VIOLATION", "validate", "e\"1", "acme", "shop", "orders",
                    "orders.note: <img src=x onerror=alert(1)>"))),
            quality,
            Json.MAPPER.createArrayNode()));
  }

  @Test
  void twinCarriesTheAuditTotalsStagesLagAndThroughput() throws IOException {
    JsonNode twin = report(audit(), Optional.empty()).json();
    assertThat(twin.path("totals").toString(),
        is("{\"records_in\":10,\"etl_records\":6,\"dead_letters\":3,\"duplicates_dropped\":1,\"conserved\":true}"));
    assertThat(twin.path("stages").toString(),
        is("[{\"stage\":\"parse\",\"records_out\":9,\"dead_letters\":1,\"duplicates_dropped\":0},"
            + "{\"stage\":\"validate\",\"records_out\":7,\"dead_letters\":2,\"duplicates_dropped\":0},"
            + "{\"stage\":\"dedupe\",\"records_out\":6,\"dead_letters\":0,\"duplicates_dropped\":1}]"));
    assertThat(twin.path("event_time_lag_ms").toString(), is("{\"count\":9,\"min\":500,\"mean\":1000,\"max\":2000}"));
    assertThat(twin.path("throughput").path("records_per_second").asDouble(), is(1.0));
    assertThat(twin.path("throughput").path("peak_records_per_second").asDouble(), is(3.0));
    assertThat(twin.path("dead_letters").get(0).path("reason").asText(), is("SCHEMA_VIOLATION"));
    assertThat(twin.path("quality").isNull(), is(true));
  }

  @Test
  void htmlEscapesEverythingTakenFromTheData() throws IOException {
    String html = report(audit(), Optional.empty()).html();
    assertThat(html, not(containsString("<script>alert")));
    assertThat(html, not(containsString("<img src=x")));
    assertThat(html, containsString("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assertThat(html, containsString("orders.note: &lt;img src=x onerror=alert(1)&gt;"));
    assertThat(html, containsString("<code>e&quot;1</code>"));
  }

  @Test
  void htmlShowsConservationFailWhenTheCountsDoNotAddUp() throws IOException {
    ObjectNode audit = audit();
    audit.put("conserved", false);
    assertThat(report(audit, Optional.empty()).html(), containsString("data-field=\"totals.conserved\">FAIL</span>"));
  }

  @Test
  void withoutAQualityFileTheQualitySectionSaysSo() throws IOException {
    assertThat(report(audit(), Optional.empty()).html(),
        containsString("<section id=\"quality\"><h2>Data quality</h2><p class=\"none\">No quality audit for this run"));
  }

  @Test
  void qualitySectionRendersAColumnRowPerColumnOfTheQualityFile(@TempDir Path out) throws IOException {
    Path file = out.resolve("audit/quality/dt=2026-11-22/run-r1.json");
    Files.createDirectories(file.getParent());
    try (var fixture = getClass().getResourceAsStream("/report/quality-run.json")) {
      Files.write(file, fixture.readAllBytes());
    }
    String html = report(audit(), QualityAudit.of(out.toString(), "r1")).html();
    assertThat(html, containsString("<tr><td>customer_id</td>"));
    assertThat(html, containsString("data-field=\"quality.shop.customers.customer_id.uniqueness\">50.0 %</span>"));
    assertThat(html, containsString("data-field=\"quality.shop.customers.customer_id.passed\">fail</span>"));
    assertThat(html, containsString("data-field=\"quality.shop.orders.order_id.completeness\">100.0 %</span>"));
    assertThat(html, containsString("data-field=\"quality.shop.orders.total.completeness\">99.6 %</span>"));
    assertThat(html, containsString("data-field=\"quality.shop.orders.rules.orders-total-between.passed\">fail</span>"));
    assertThat(html, containsString("<span class=\"badge fail\">quarantined</span>"));
  }

  @Test
  void reportHasNoScriptLinkOrExternalResource() throws IOException {
    String html = report(audit(), Optional.empty()).html();
    assertThat(html, not(containsString("<script")));
    assertThat(html, not(containsString("<link")));
    assertThat(html, not(containsString("http://")));
    assertThat(html, not(containsString("https://")));
    assertThat(html, containsString("content=\"default-src 'none'; style-src 'unsafe-inline'\""));
  }

  @Test
  void numbersAndDurationsReadEasily() {
    assertThat(RunReportHtml.num(1234567), is("1,234,567"));
    assertThat(RunReportHtml.duration(850), is("850 ms"));
    assertThat(RunReportHtml.duration(90_000), is("1.5 min"));
    assertThat(RunReportHtml.duration(-172_800_000), is("-2.0 d"));
  }

  static String text(Path p) throws IOException {
    return Files.readString(p, StandardCharsets.UTF_8);
  }
}
