package io.beamline.io;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.core.JsonPointer;
import io.beamline.io.testing.LocalApiServer;
import io.beamline.io.testing.LocalApiServer.Reply;
import io.beamline.transforms.Json;
import io.beamline.transforms.model.DeadLetter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.OptionalLong;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.WithFailures;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.junit.jupiter.api.Test;

class ReadRecordsFromApiTest {
  private final TestPipeline p = TestPipeline.create().enableAbandonedNodeEnforcement(false);

  private static final JsonPointer ID = JsonPointer.compile("/id");
  private static final JsonPointer TIME = JsonPointer.compile("/at");

  private static String envelope(String record) throws Exception {
    return ReadRecordsFromApi.envelopeLine(Json.MAPPER.readTree(record), "acme", "shop", "orders", ID, TIME);
  }

  // ------------------------------------------------------------------------------ envelopes

  @Test
  void aRecordBecomesAnUnencryptedEnvelopeWithTheRecordAsPayload() throws Exception {
    assertThat(
        envelope("{\"id\":\"a-1\",\"at\":\"2026-11-20T10:00:00Z\",\"total\":1.50}"),
        is("{\"event_id\":\"a-1\",\"tenant\":\"acme\",\"source\":\"shop\",\"table\":\"orders\","
            + "\"event_time\":\"2026-11-20T10:00:00Z\",\"payload\":{\"id\":\"a-1\",\"at\":\"2026-11-20T10:00:00Z\",\"total\":1.50}}"));
  }

  @Test
  void aNumericIdIsTakenAsItsText() throws Exception {
    assertThat(envelope("{\"id\":42,\"at\":\"2026-11-20T10:00:00Z\"}"), containsString("\"event_id\":\"42\""));
  }

  @Test
  void missingIdAndTimeAreLeftOutForTheParserToReject() throws Exception {
    String e = envelope("{\"name\":\"x\",\"at\":null}");
    assertThat(e, is("{\"tenant\":\"acme\",\"source\":\"shop\",\"table\":\"orders\",\"payload\":{\"name\":\"x\",\"at\":null}}"));
  }

  @Test
  void anIdOfAnotherTypeIsKeptForTheParserToReject() throws Exception {
    assertThat(envelope("{\"id\":{\"a\":1}}"), containsString("\"event_id\":{\"a\":1}"));
  }

  // ------------------------------------------------------------------------------ URLs

  @Test
  void theCursorIsAppendedToTheQueryEscaped() {
    assertThat(
        ApiUrls.withCursor(URI.create("http://h/api?limit=3"), "cursor", "a b/=").toString(),
        is("http://h/api?limit=3&cursor=a+b%2F%3D"));
    assertThat(ApiUrls.withCursor(URI.create("http://h/api"), "cursor", "x").toString(), is("http://h/api?cursor=x"));
  }

  @Test
  void shownUrlsMaskCredentialLikeQueryValues() {
    assertThat(
        ApiUrls.shown(URI.create("https://h:8443/v1/orders?limit=3&api_key=abc&access_token=t&cursor=c2")),
        is("https://h:8443/v1/orders?limit=3&api_key=***&access_token=***&cursor=c2"));
  }

  @Test
  void badUrlsAreRefusedNamingTheOptionWithoutEchoingThem() {
    for (String url : new String[] {"ftp://h/x", "h/x", "http://u:pw-xyz@h/x", "http://h/x#frag", "http://h/a b"}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ApiUrls.parse(url));
      assertThat(url, e.getMessage(), allOf(containsString("--apiUrl"), not(containsString("pw-xyz"))));
    }
  }

  // ------------------------------------------------------------------------------ retries

  @Test
  void backoffDoublesUpToTheMaximumKeepingAtLeastHalf() {
    assertThat(ApiPageFetcher.backoffMillis(1, 100, 1000, 0.0), is(50L));
    assertThat(ApiPageFetcher.backoffMillis(1, 100, 1000, 0.999), is(100L));
    assertThat(ApiPageFetcher.backoffMillis(3, 100, 1000, 0.999), is(400L));
    assertThat(ApiPageFetcher.backoffMillis(30, 100, 1000, 0.999), is(1000L));
    for (int retry = 1; retry < 80; retry++) {
      long b = ApiPageFetcher.backoffMillis(retry, 500, 30_000, Math.random());
      assertThat(b, allOf(greaterThanOrEqualTo(250L), lessThanOrEqualTo(30_000L)));
    }
  }

  @Test
  void retryAfterIsReadInSecondsOnly() {
    assertThat(ApiPageFetcher.retryAfterMillis("2"), is(OptionalLong.of(2000)));
    assertThat(ApiPageFetcher.retryAfterMillis(" 0 "), is(OptionalLong.of(0)));
    assertThat(ApiPageFetcher.retryAfterMillis("Wed, 21 Oct 2026 07:28:00 GMT"), is(OptionalLong.empty()));
    assertThat(ApiPageFetcher.retryAfterMillis(null), is(OptionalLong.empty()));
  }

  // ------------------------------------------------------------------------------ bodies

  @Test
  void aBodyPrefixNeverCutsACharacter() {
    byte[] body = ("x".repeat(ReadRecordsFromApi.BODY_PREFIX_BYTES - 1) + "é and more").getBytes(StandardCharsets.UTF_8);
    byte[] prefix = ReadRecordsFromApi.bodyPrefix(body);
    assertThat(prefix.length, is(ReadRecordsFromApi.BODY_PREFIX_BYTES - 1));
    byte[] small = "short".getBytes(StandardCharsets.UTF_8);
    assertThat(ReadRecordsFromApi.bodyPrefix(small), is(small));
  }

  @Test
  void theTokenIsMaskedInBodies() {
    byte[] out = ReadRecordsFromApi.scrub("a tok b tok".getBytes(StandardCharsets.UTF_8), "tok".getBytes(StandardCharsets.UTF_8));
    assertThat(new String(out, StandardCharsets.UTF_8), is("a *** b ***"));
  }

  // ------------------------------------------------------------------------------ walks

  private static PCollection<String> described(PCollection<DeadLetter> letters) {
    return letters.apply(
        MapElements.into(TypeDescriptors.strings())
            .via(d -> d.stage() + "|" + d.reason() + "|" + d.detail() + "|" + d.tenant() + "/" + d.source() + "/" + d.table()));
  }

  @Test
  void walksEveryPageAndEndsAtANullCursor() throws Exception {
    try (LocalApiServer server = LocalApiServer.start("cursor")) {
      server
          .page(null, Reply.json("{\"data\":[{\"id\":\"1\",\"at\":\"2026-11-20T10:00:00Z\"}],\"next_cursor\":\"p2\"}"))
          .page("p2", Reply.json("{\"data\":[{\"id\":2,\"at\":\"2026-11-20T11:00:00Z\"}],\"next_cursor\":null}"));
      WithFailures.Result<PCollection<String>, DeadLetter> out =
          p.apply(
              ReadRecordsFromApi.from(server.url().toString(), "acme", "shop", "orders")
                  .withEventTimeField("at")
                  .withMaxRequestsPerSecond(1000));
      PAssert.that(out.output())
          .containsInAnyOrder(
              "{\"event_id\":\"1\",\"tenant\":\"acme\",\"source\":\"shop\",\"table\":\"orders\",\"event_time\":\"2026-11-20T10:00:00Z\",\"payload\":{\"id\":\"1\",\"at\":\"2026-11-20T10:00:00Z\"}}",
              "{\"event_id\":\"2\",\"tenant\":\"acme\",\"source\":\"shop\",\"table\":\"orders\",\"event_time\":\"2026-11-20T11:00:00Z\",\"payload\":{\"id\":2,\"at\":\"2026-11-20T11:00:00Z\"}}");
      PAssert.that(out.failures()).empty();
      p.run().waitUntilFinish();
      assertThat(server.requests().size(), is(2));
    }
  }

  @Test
  void aCursorThatRepeatsEndsTheWalkInsteadOfLoopingForever() throws Exception {
    try (LocalApiServer server = LocalApiServer.start("cursor")) {
      server
          .page(null, Reply.json("{\"data\":[],\"next_cursor\":\"p2\"}"))
          .page("p2", Reply.json("{\"data\":[],\"next_cursor\":\"p2\"}"));
      WithFailures.Result<PCollection<String>, DeadLetter> out =
          p.apply(ReadRecordsFromApi.from(server.url().toString(), "acme", "shop", "orders").withMaxRequestsPerSecond(1000));
      PAssert.that(out.output()).empty();
      PAssert.that(described(out.failures()))
          .containsInAnyOrder(
              "read|FETCH_FAILED|page 2 (GET " + server.url() + "&cursor=p2): its next cursor repeats an earlier"
                  + " page's, the walk would not end|acme/shop/orders");
      p.run().waitUntilFinish();
      assertThat(server.requests().size(), is(2));
    }
  }

  @Test
  void aConnectionRefusedIsRetriedThenOneFetchFailed() throws Exception {
    URI closed;
    try (LocalApiServer server = LocalApiServer.start("cursor")) {
      closed = server.url();
    }
    WithFailures.Result<PCollection<String>, DeadLetter> out =
        p.apply(
            ReadRecordsFromApi.from(closed.toString(), "acme", "shop", "orders")
                .withMaxRetries(2)
                .withInitialBackoffMillis(1)
                .withMaxRequestsPerSecond(1000));
    PAssert.that(out.output()).empty();
    PAssert.that(described(out.failures()))
        .containsInAnyOrder(
            "read|FETCH_FAILED|page 1 (GET " + closed + "): connection failed (ConnectException), 3 attempts|acme/shop/orders");
    p.run().waitUntilFinish();
  }
}
