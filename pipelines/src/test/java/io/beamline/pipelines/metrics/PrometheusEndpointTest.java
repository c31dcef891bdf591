package io.beamline.pipelines.metrics;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class PrometheusEndpointTest {
  private static HttpResponse<String> get(int port) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).GET().build(),
            HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void servesTheCurrentTextAtMetricsOnLoopbackUntilClosed() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    int port;
    try (MetricsServer server =
        MetricsServer.start(0, () -> "beamline_records_in_total " + calls.incrementAndGet() + "\n")) {
      port = server.port();
      HttpResponse<String> first = get(port);
      HttpResponse<String> second = get(port);

      assertThat(first.statusCode(), is(200));
      assertThat(
          first.headers().firstValue("Content-Type").orElse(""),
          is("text/plain; version=0.0.4; charset=utf-8"));
      assertThat(first.body(), is("beamline_records_in_total 1\n"));
      assertThat(second.body(), is("beamline_records_in_total 2\n"));
    }
    int closedPort = port;
    assertThrows(ConnectException.class, () -> get(closedPort));
  }
}
