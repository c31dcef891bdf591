package io.beamline.pipelines.report;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.beamline.pipelines.etl.EtlRunSummary;
import io.beamline.pipelines.etl.EtlTestSupport;
import io.beamline.transforms.Json;
import io.beamline.transforms.testing.TestKeyrings;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The report of a real etl run opened in a real browser: headless Chromium (Debian package {@code
 * chromium}; {@code .ci/run} installs it) renders the page, the test reads the numbers off the
 * rendered DOM and compares them with the JSON twin, and saves a screenshot under {@code target/}.
 * Skipped only when no Chromium binary exists.
 */
class RunReportInChromiumTest {
  static final String RUN_ID = "chromium-run";
  static final List<String> BROWSERS = List.of("/usr/bin/chromium", "/usr/bin/chromium-browser");
  static final Path SCREENSHOT = Path.of("target/run-report.png");

  /** A rendered number: the element's data-field and its text. */
  private static final Pattern FIELD = Pattern.compile("data-field=\"([^\"]+)\"[^>]*>([^<]*)<");

  @TempDir static Path dir;
  private static Path browser;
  private static JsonNode twin;
  private static String dom;
  private static Map<String, String> rendered;
  private static Path report;

  @BeforeAll
  static void renderARunsReport() throws Exception {
    Optional<Path> found = BROWSERS.stream().map(Path::of).filter(Files::isExecutable).findFirst();
    assumeTrue(
        found.isPresent(),
        "No Chromium binary (" + String.join(", ", BROWSERS) + "): install the Debian package 'chromium'"
            + " (.ci/run does) to run the browser test of the run report");
    browser = found.get();
    Path input = dir.resolve("in");
    Path out = dir.resolve("out");
    EtlTestSupport.generate(input, 300, 7L);
    Path quality = out.resolve("audit/quality/dt=2026-11-20/run-" + RUN_ID + ".json");
    Files.createDirectories(quality.getParent());
    try (var fixture = RunReportInChromiumTest.class.getResourceAsStream("/report/quality-run.json")) {
      Files.write(quality, new String(fixture.readAllBytes(), StandardCharsets.UTF_8).replace("RUN_ID", RUN_ID).getBytes(StandardCharsets.UTF_8));
    }
    EtlRunSummary summary = EtlTestSupport.run(input, out, TestKeyrings.writeKeyringFile(dir), "--runId=" + RUN_ID);
    report = Path.of(summary.reportFile()).toAbsolutePath();
    twin = Json.MAPPER.readTree(Files.readString(Path.of(RunReports.jsonTwin(report.toString()))));
    dom = chromium("--dump-dom", report.toUri().toString());
    rendered = new TreeMap<>();
    Matcher m = FIELD.matcher(dom);
    while (m.find()) {
      rendered.put(m.group(1), m.group(2));
    }
  }

  /** Runs headless Chromium with a fresh profile; returns what it printed on stdout. */
  static String chromium(String... args) throws IOException, InterruptedException {
    List<String> command =
        new ArrayList<>(
            List.of(
                browser.toString(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--hide-scrollbars",
                "--user-data-dir=" + Files.createTempDirectory(dir, "chromium-profile")));
    command.addAll(Arrays.asList(args));
    Path stdout = Files.createTempFile(dir, "chromium", ".out");
    Path stderr = Files.createTempFile(dir, "chromium", ".err");
    Process p = new ProcessBuilder(command).redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
    if (!p.waitFor(90, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("Chromium did not finish in 90 s: " + command);
    }
    assertThat("Chromium failed: " + Files.readString(stderr), p.exitValue(), is(0));
    return Files.readString(stdout, StandardCharsets.UTF_8);
  }

  /** The rendered text of a field as a number ("1,234" is 1234). */
  private static long number(String field) {
    String text = rendered.get(field);
    assertThat("the rendered page shows no " + field, text != null, is(true));
    return Long.parseLong(text.replace(",", "").trim());
  }

  @Test
  void renderedTotalsEqualTheJsonTwin() {
    for (String field : List.of("records_in", "etl_records", "dead_letters", "duplicates_dropped")) {
      assertThat(field, number("totals." + field), is(twin.path("totals").path(field).asLong()));
    }
    assertThat(number("totals.records_in"), greaterThan(0L));
  }

  @Test
  void renderedConservationIsPass() {
    assertThat(rendered.get("totals.conserved"), is("PASS"));
  }

  @Test
  void renderedRowsPerTableAndDeadLettersPerReasonEqualTheJsonTwin() {
    twin.path("etl_rows").fields().forEachRemaining(e -> assertThat(e.getKey(), number("etl_rows." + e.getKey()), is(e.getValue().asLong())));
    assertThat(twin.path("dead_letters").size(), greaterThan(1));
    for (JsonNode d : twin.path("dead_letters")) {
      String reason = d.path("reason").asText();
      assertThat(reason, number("dead_letters." + reason + ".count"), is(d.path("count").asLong()));
    }
  }

  @Test
  void renderedPartitionsAndLagEqualTheJsonTwin() {
    for (JsonNode z : twin.path("partitions")) {
      for (String field : List.of("partitions", "files", "bytes")) {
        String key = "partitions." + z.path("zone").asText() + "." + field;
        assertThat(key, number(key), is(z.path(field).asLong()));
      }
    }
    for (String field : List.of("count", "min", "mean", "max")) {
      assertThat(field, number("event_time_lag_ms." + field), is(twin.path("event_time_lag_ms").path(field).asLong()));
    }
  }

  @Test
  void renderedQualityScoresComeFromTheQualityFile() {
    assertThat(rendered.get("quality.shop.orders.total.validity"), is("98.2 %"));
    assertThat(rendered.get("quality.shop.orders.total.passed"), is("fail"));
    assertThat(rendered.get("quality.shop.orders.order_id.passed"), is("pass"));
    assertThat(rendered.get("quality.shop.customers.passed"), is("fail"));
    assertThat(rendered.get("quality.shop.customers.scores.uniqueness"), is("50.0 %"));
  }

  @Test
  void renderedPageNeedsNothingFromTheNetwork() {
    assertThat(dom, not(containsString("<script")));
    assertThat(dom, not(containsString("<link")));
    assertThat(dom, not(containsString("src=")));
    assertThat(dom, not(containsString("url(")));
  }

  @Test
  void screenshotIsSavedUnderTarget() throws Exception {
    Files.createDirectories(SCREENSHOT.getParent());
    Files.deleteIfExists(SCREENSHOT);
    chromium("--screenshot=" + SCREENSHOT.toAbsolutePath(), "--window-size=1000,3400", report.toUri().toString());
    byte[] png = Files.readAllBytes(SCREENSHOT);
    assertThat(Arrays.copyOf(png, 8), is(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}));
    // IHDR: width and height follow the signature, the chunk length and type.
    ByteBuffer header = ByteBuffer.wrap(png, 16, 8);
    assertThat(header.getInt(), is(1000));
    assertThat(header.getInt(), is(3400));
    assertThat(png.length, greaterThan(20_000));
  }
}
