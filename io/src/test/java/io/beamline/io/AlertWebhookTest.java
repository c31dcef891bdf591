package io.beamline.io;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.beamline.io.testing.LocalApiServer;
import io.beamline.io.testing.LocalApiServer.Reply;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AlertWebhookTest {
  private static final String ALERT = "{\"kind\":\"error_rate\",\"observed\":0.5}";

  @TempDir Path dir;

  private static AlertWebhook fast(AlertWebhook hook) {
    return hook.withRetries(3, Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofSeconds(2));
  }

  @Test
  void a500IsRetriedAndTheSameJsonDeliveredWithTheToken() throws Exception {
    Path token = dir.resolve("token");
    Files.writeString(token, "s3cr3t-hook-token\n");
    try (LocalApiServer server =
        LocalApiServer.start("cursor").first(null, Reply.status(500, "")).page(null, Reply.json("{}"))) {
      boolean delivered = fast(AlertWebhook.to(server.url().toString(), token.toString())).send(ALERT);

      assertThat(delivered, is(true));
      List<LocalApiServer.Request> requests = server.requests();
      assertThat(requests.stream().map(LocalApiServer.Request::body).collect(Collectors.toList()), is(List.of(ALERT, ALERT)));
      assertThat(requests.get(1).authorization(), is("Bearer s3cr3t-hook-token"));
      assertThat(requests.get(1).contentType(), is("application/json"));
      assertThat(requests.get(1).method(), is("POST"));
    }
  }

  @Test
  void aDeadWebhookIsGivenUpAfterTheAttemptsWithoutThrowing() throws Exception {
    try (LocalApiServer server = LocalApiServer.start("cursor").page(null, Reply.status(503, ""))) {
      long start = System.nanoTime();
      boolean delivered = fast(AlertWebhook.to(server.url().toString(), "")).send(ALERT);

      assertThat(delivered, is(false));
      assertThat(server.requests().size(), is(3));
      assertThat(Duration.ofNanos(System.nanoTime() - start).toMillis(), lessThan(5_000L));
    }
  }

  @Test
  void aRefusalOtherThan429Or5xxIsNotRetried() throws Exception {
    try (LocalApiServer server = LocalApiServer.start("cursor").page(null, Reply.status(400, ""))) {
      assertThat(fast(AlertWebhook.to(server.url().toString(), "")).send(ALERT), is(false));
      assertThat(server.requests().size(), is(1));
    }
  }

  @Test
  void aNonHttpUrlFailsNamingTheOption() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> AlertWebhook.to("ftp://hooks.example.com/x", ""));
    assertThat(e.getMessage(), is("--alertWebhookUrl must be an http:// or https:// URL"));
  }

  @Test
  void anUnreadableTokenFileFailsNamingTheOptionNotTheToken() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> AlertWebhook.to("http://127.0.0.1:9/hook", dir.resolve("missing").toString()));
    assertThat(e.getMessage(), is("--alertWebhookTokenFile " + dir.resolve("missing") + " cannot be read"));
  }
}
