package io.beamline.pipelines.etl;

import static io.beamline.pipelines.etl.ApiTestFixture.ALL_DEAD_LETTERS;
import static io.beamline.pipelines.etl.ApiTestFixture.ALL_ITEMS;
import static io.beamline.pipelines.etl.ApiTestFixture.ALL_ORDERS;
import static io.beamline.pipelines.etl.ApiTestFixture.ALL_REASONS;
import static io.beamline.pipelines.etl.ApiTestFixture.ALL_ROWS;
import static io.beamline.pipelines.etl.ApiTestFixture.CURSOR_2;
import static io.beamline.pipelines.etl.ApiTestFixture.CURSOR_3;
import static io.beamline.pipelines.etl.ApiTestFixture.deadLetters;
import static io.beamline.pipelines.etl.ApiTestFixture.items;
import static io.beamline.pipelines.etl.ApiTestFixture.only;
import static io.beamline.pipelines.etl.ApiTestFixture.orders;
import static io.beamline.pipelines.etl.ApiTestFixture.page1;
import static io.beamline.pipelines.etl.ApiTestFixture.pageBody;
import static io.beamline.pipelines.etl.ApiTestFixture.run;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

import com.fasterxml.jackson.databind.JsonNode;
import io.beamline.io.ReadRecordsFromApi;
import io.beamline.io.testing.LocalApiServer;
import io.beamline.io.testing.LocalApiServer.Reply;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ingest-api} end to end on the Direct runner against a real local HTTP server and its
 * failure modes (429, 500, timeouts, malformed and failing pages): exact etl rows, dead letters
 * and audit counts. The happy path and the token are in {@code IngestApiCommandTest}.
 */
class IngestApiPipelineTest {
  @TempDir Path tmp;
  LocalApiServer server;

  @BeforeEach
  void startServer() throws IOException {
    server = ApiTestFixture.serveThreePages(LocalApiServer.start(ApiTestFixture.CURSOR_PARAM));
  }

  @AfterEach
  void stopServer() {
    server.close();
  }

  private Path out() {
    return tmp.resolve("out");
  }

  /** Every row, dead letter and count of the three pages, as if nothing had failed. */
  private void assertAllThreePages(EtlRunSummary summary) {
    assertThat(orders(out()), is(ALL_ORDERS));
    assertThat(items(out()), is(ALL_ITEMS));
    assertThat(deadLetters(out()), is(ALL_DEAD_LETTERS));
    assertThat(summary.recordsIn(), is(8L));
    assertThat(summary.etlRecords(), is(4L));
    assertThat(summary.etlRowsByTable(), equalTo(ALL_ROWS));
    assertThat(summary.deadLettersByReason(), equalTo(ALL_REASONS));
    assertThat(summary.duplicatesDropped(), is(1L));
    assertThat(summary.conserved(), is(true));
  }

  @Test
  void a429WithRetryAfterIsWaitedForAndRetried() {
    server.first(null, Reply.status(429, "slow down").withHeader("Retry-After", "1"));

    EtlRunSummary summary = run(server, tmp, "--maxBackoffMillis=5000");

    assertAllThreePages(summary);
    List<LocalApiServer.Request> first = server.requestsFor(null);
    assertThat(first.size(), is(2));
    long waitedMillis =
        TimeUnit.NANOSECONDS.toMillis(first.get(1).receivedAtNanos() - first.get(0).receivedAtNanos());
    assertThat("Retry-After: 1 waited for", waitedMillis, is(greaterThanOrEqualTo(950L)));
    assertThat(server.requests().size(), is(4));
  }

  @Test
  void a500TwiceIsRetriedUntilThePageComes() {
    server.first(CURSOR_3, Reply.status(500, "oops"), Reply.status(500, "oops"));

    EtlRunSummary summary = run(server, tmp);

    assertAllThreePages(summary);
    assertThat(server.requestsFor(CURSOR_3).size(), is(3));
    assertThat(server.requests().size(), is(5));
  }

  @Test
  void aTimeoutIsRetried() {
    // The first answer for page 2 comes after the 1 s request timeout; the retry is answered at once.
    server.first(CURSOR_2, ApiTestFixture.timeoutReply());

    EtlRunSummary summary = run(server, tmp, "--requestTimeoutSeconds=1");

    assertAllThreePages(summary);
    assertThat(server.requestsFor(CURSOR_2).size(), is(2));
  }

  @Test
  void aMalformedPageEndsTheWalkWithOneDeadLetterAndKeepsEarlierRows() {
    String body = "{\"data\": [{\"order_id\": \"O-2001\"}, oops";
    server.page(CURSOR_2, Reply.json(body));

    EtlRunSummary summary = run(server, tmp);

    assertThat(orders(out()), is(ALL_ORDERS.subList(0, 2)));
    assertThat(items(out()), is(ALL_ITEMS.subList(0, 2)));
    JsonNode page = only(out(), "MALFORMED_JSON");
    assertThat(page.get("stage").asText(), is("read"));
    assertThat(
        page.get("detail").asText(),
        is("page 2 (GET " + server.url() + "&after=c%3A2%2F%3D): body is not valid JSON at line 1, column 39"));
    assertThat(page.get("raw").asText(), is(body));
    assertThat(page.get("_partition").asText(), is("dlq/shop/orders/tenant=acme/dt=unknown/hr=unknown"));
    assertThat(server.requestsFor(CURSOR_3).size(), is(0));
    assertThat(summary.recordsIn(), is(4L));
    assertThat(summary.etlRecords(), is(2L));
    assertThat(summary.deadLettersByReason(), equalTo(Map.of("MALFORMED_JSON", 1L, "SCHEMA_VIOLATION", 1L)));
    assertThat(summary.duplicatesDropped(), is(0L));
    assertThat(summary.conserved(), is(true));
  }

  @Test
  void aPageWithoutTheItemsArrayIsMalformed() {
    server.page(CURSOR_2, Reply.json("{\"items\": [], \"next_cursor\": \"x\"}"));

    EtlRunSummary summary = run(server, tmp);

    assertThat(only(out(), "MALFORMED_JSON").get("detail").asText(), containsString("body has no array at /data"));
    assertThat(orders(out()), is(ALL_ORDERS.subList(0, 2)));
    assertThat(summary.recordsIn(), is(4L));
    assertThat(summary.conserved(), is(true));
  }

  @Test
  void aPageThatKeepsFailingBecomesOneFetchFailedDeadLetterWithABoundedBody() {
    String token = ApiTestFixture.token();
    // A long error page that echoes the token: the dead letter keeps its first KiB, token masked.
    String body = "unavailable, token " + token + " " + "x".repeat(5000);
    server.first(CURSOR_2, Reply.status(503, body), Reply.status(503, body), Reply.status(503, body), Reply.status(503, body));

    EtlRunSummary summary =
        run(server, tmp, "--maxRetries=2", "--apiTokenEnv=" + ApiTestFixture.TOKEN_ENV);

    assertThat(server.requestsFor(CURSOR_2).size(), is(3));
    assertThat(server.requestsFor(CURSOR_3).size(), is(0));
    assertThat(orders(out()), is(ALL_ORDERS.subList(0, 2)));
    assertThat(items(out()), is(ALL_ITEMS.subList(0, 2)));
    JsonNode failed = only(out(), "FETCH_FAILED");
    assertThat(failed.get("stage").asText(), is("read"));
    assertThat(
        failed.get("detail").asText(),
        is("page 2 (GET " + server.url() + "&after=c%3A2%2F%3D): HTTP 503, 3 attempts"));
    String masked = "unavailable, token *** " + "x".repeat(5000);
    assertThat(failed.get("raw").asText(), is(masked.substring(0, ReadRecordsFromApi.BODY_PREFIX_BYTES)));
    assertThat(failed.toString(), not(containsString(token)));
    assertThat(summary.recordsIn(), is(4L));
    assertThat(summary.etlRecords(), is(2L));
    assertThat(summary.deadLettersByReason(), equalTo(Map.of("FETCH_FAILED", 1L, "SCHEMA_VIOLATION", 1L)));
    assertThat(summary.conserved(), is(true));
  }

  @Test
  void aRefusedFirstPageIsOneFetchFailedDeadLetterWithoutRetries() {
    server.page(null, Reply.status(404, "{\"error\": \"not found\"}"));

    EtlRunSummary summary = run(server, tmp, "--maxRetries=3");

    assertThat(server.requests().size(), is(1));
    JsonNode failed = only(out(), "FETCH_FAILED");
    assertThat(failed.get("detail").asText(), is("page 1 (GET " + server.url() + "): HTTP 404"));
    assertThat(failed.get("raw").asText(), is("{\"error\": \"not found\"}"));
    assertThat(orders(out()), is(List.of()));
    assertThat(summary.recordsIn(), is(1L));
    assertThat(summary.deadLetters(), is(1L));
    assertThat(summary.conserved(), is(true));
  }

  @Test
  void aSecondRunOfTheSameApiWritesTheSameRows() throws IOException {
    run(server, tmp);
    List<String> first = orders(out());
    List<String> firstFiles = EtlTestSupport.pathsUnder(out().resolve("etl"));

    assertAllThreePages(run(server, tmp, "--runId=api-test-2"));
    assertThat(orders(out()), is(first));
    assertThat(EtlTestSupport.pathsUnder(out().resolve("etl")), is(firstFiles));
  }
}
