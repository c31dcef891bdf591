package io.beamline.pipelines.etl;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.beamline.transforms.testing.TestKeyrings;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One small etl run and the Prometheus metrics file it writes beside its audit record. */
class PrometheusEtlRunTest {
  private static final Pattern SAMPLE =
      Pattern.compile("^(\\w+)(?:\\{([^}]*)\\})? (-?\\d+)$", Pattern.MULTILINE);
  private static final Pattern LABEL = Pattern.compile("(\\w+)=\"((?:[^\"\\\\]|\\\\.)*)\"");

  @TempDir static Path dir;
  private static Path input;
  private static Path keyring;
  private static EtlRunSummary summary;
  private static Path prom;
  private static String text;
  private static int port;
  /** The first answer of the endpoint while the run was in progress, or null. */
  private static final AtomicReference<HttpResponse<String>> served = new AtomicReference<>();

  @BeforeAll
  static void runEtl() throws Exception {
    input = dir.resolve("in");
    keyring = TestKeyrings.writeKeyringFile(dir);
    EtlTestSupport.generate(input, 100, 5L);
    try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = free.getLocalPort();
    }
    AtomicBoolean running = new AtomicBoolean(true);
    Thread poller = new Thread(() -> pollEndpoint(running));
    poller.start();
    try {
      summary =
          EtlTestSupport.run(
              input, dir.resolve("out"), keyring, "--runId=prom-run", "--metricsPort=" + port);
    } finally {
      running.set(false);
      poller.join();
    }
    prom = Path.of(summary.metricsFile());
    text = Files.readString(prom, StandardCharsets.UTF_8);
  }

  /** GETs /metrics every 50 ms until it answers or the run ends. */
  private static void pollEndpoint(AtomicBoolean running) {
    HttpClient client = HttpClient.newHttpClient();
    HttpRequest get =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build();
    while (running.get() && served.get() == null) {
      try {
        served.set(client.send(get, HttpResponse.BodyHandlers.ofString()));
      } catch (IOException notYet) {
        try {
          Thread.sleep(50);
        } catch (InterruptedException e) {
          return;
        }
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  @Test
  void theEndpointServesMetricsOnLoopbackWhileTheRunIsInProgressAndStopsAfter() {
    HttpResponse<String> answer = served.get();
    assertThat("no answer from 127.0.0.1:" + port + "/metrics during the run", answer != null, is(true));
    assertThat(answer.statusCode(), is(200));
    assertThat(answer.body(), containsString("# TYPE beamline_records_in_total counter\n"));
    assertThrows(
        ConnectException.class,
        () ->
            HttpClient.newHttpClient()
                .send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()));
  }

  /** Samples of one metric, by their label text ("" when none). */
  private static Map<String, Long> samples(String metric) {
    Map<String, Long> out = new TreeMap<>();
    Matcher m = SAMPLE.matcher(text);
    while (m.find()) {
      if (m.group(1).equals(metric)) {
        out.put(m.group(2) == null ? "" : m.group(2), Long.parseLong(m.group(3)));
      }
    }
    return out;
  }

  @Test
  void writesTheFileInTheAuditZoneAndNamesItInTheSummary() {
    String date = summary.record().get("started_at").asText().substring(0, 10);
    assertThat(
        prom.toAbsolutePath().toString(),
        is(dir.resolve("out/audit/metrics/dt=" + date + "/run-prom-run.prom").toAbsolutePath().toString()));
    assertThat(summary.toText(), containsString("  metrics    " + summary.metricsFile() + "\n"));
  }

  @Test
  void recordsInEqualsTheAuditRecords() {
    assertThat(summary.recordsIn(), greaterThan(0L));
    assertThat(samples("beamline_records_in_total"), is(Map.of("", summary.recordsIn())));
  }

  @Test
  void deadLetterTotalsByReasonEqualTheAudits() {
    Map<String, Long> byReason = new TreeMap<>();
    samples("beamline_dead_letters_total")
        .forEach(
            (labels, n) -> {
              Matcher m = LABEL.matcher(labels);
              while (m.find()) {
                if (m.group(1).equals("reason")) {
                  byReason.merge(m.group(2), n, Long::sum);
                }
              }
            });
    assertThat(byReason.isEmpty(), is(false));
    assertThat(byReason, is(summary.deadLettersByReason()));
  }

  @Test
  void recordSizesAreCountedForEveryRecordIn() {
    assertThat(samples("beamline_record_size_bytes_count"), is(Map.of("", summary.recordsIn())));
  }

  @Test
  void metricsPortOutOfRangeFailsNamingTheOption() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                BatchEtlPipeline.prepare(
                    EtlTestSupport.options(
                        EtlTestSupport.etlArgs(input, dir.resolve("out2"), keyring, "--metricsPort=65536"))));
    assertThat(e.getMessage(), containsString("--metricsPort"));
  }
}
