package io.beamline.io;

import java.io.IOException;
import java.io.Serializable;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * POSTs alert JSON documents to a webhook, with an optional bearer token read from a file. A
 * failed delivery (connection error, timeout, 429 or 5xx) is retried with exponential backoff, a
 * bounded number of times; then the alert is given up with a warning. Sending never throws, and
 * its time is bounded (attempts × timeout plus the backoffs), so a dead webhook never stops or
 * hangs a pipeline. The token never appears in logs or exceptions.
 */
public final class AlertWebhook implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(AlertWebhook.class);

  private final String url;
  private final String tokenFile;
  private final int maxAttempts;
  private final long initialBackoffMillis;
  private final long maxBackoffMillis;
  private final long timeoutMillis;

  private transient HttpClient client;
  private transient String token;

  private AlertWebhook(
      String url, String tokenFile, int maxAttempts, long initialBackoffMillis, long maxBackoffMillis, long timeoutMillis) {
    this.url = url;
    this.tokenFile = tokenFile;
    this.maxAttempts = maxAttempts;
    this.initialBackoffMillis = initialBackoffMillis;
    this.maxBackoffMillis = maxBackoffMillis;
    this.timeoutMillis = timeoutMillis;
  }

  /**
   * A webhook at {@code url} (http or https): 5 attempts, 0.5 s backoff doubling up to 8 s, 10 s
   * per request. {@code tokenFile}: a file with the bearer token, or empty for none.
   *
   * @throws IllegalArgumentException naming {@code --alertWebhookUrl} or {@code
   *     --alertWebhookTokenFile} when the URL is not http(s) or the token file cannot be read
   */
  public static AlertWebhook to(String url, String tokenFile) {
    URI uri;
    try {
      uri = URI.create(url.trim());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--alertWebhookUrl is not a URL");
    }
    if (uri.getScheme() == null
        || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))
        || uri.getHost() == null) {
      throw new IllegalArgumentException("--alertWebhookUrl must be an http:// or https:// URL");
    }
    String file = tokenFile == null || tokenFile.isBlank() ? null : tokenFile;
    AlertWebhook hook = new AlertWebhook(uri.toString(), file, 5, 500, 8_000, 10_000);
    hook.token(); // fail fast on an unreadable token file
    return hook;
  }

  /** Other retry bounds: at most {@code attempts} requests, backoff doubling from {@code initial}. */
  public AlertWebhook withRetries(int attempts, Duration initial, Duration max, Duration timeout) {
    if (attempts < 1) {
      throw new IllegalArgumentException("a webhook needs at least one attempt");
    }
    return new AlertWebhook(url, tokenFile, attempts, initial.toMillis(), max.toMillis(), timeout.toMillis());
  }

  /**
   * POSTs one alert; returns whether the webhook accepted it (2xx) within the attempts. Never
   * throws.
   */
  public boolean send(String json) {
    long backoff = initialBackoffMillis;
    String last = "";
    for (int attempt = 1; attempt <= maxAttempts; attempt++) {
      try {
        HttpRequest.Builder request =
            HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofMillis(timeoutMillis))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8));
        String t;
        try {
          t = token();
        } catch (IllegalArgumentException unreadable) {
          last = "token file unreadable";
          break;
        }
        if (t != null) {
          request.header("Authorization", "Bearer " + t);
        }
        HttpResponse<Void> response = client().send(request.build(), HttpResponse.BodyHandlers.discarding());
        int status = response.statusCode();
        if (status / 100 == 2) {
          return true;
        }
        last = "HTTP " + status;
        if (status != 429 && status / 100 != 5) {
          break; // the webhook refuses this alert: asking again changes nothing
        }
      } catch (IOException e) {
        last = e.getClass().getSimpleName();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        last = "interrupted";
        break;
      }
      if (attempt < maxAttempts) {
        try {
          Thread.sleep(backoff);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
        backoff = Math.min(backoff * 2, maxBackoffMillis);
      }
    }
    LOG.warn("Alert not delivered to the webhook {} ({}); it stays in the log and the alerts counter", safeUrl(), last);
    return false;
  }

  private HttpClient client() {
    if (client == null) {
      client =
          HttpClient.newBuilder()
              .connectTimeout(Duration.ofMillis(timeoutMillis))
              .followRedirects(HttpClient.Redirect.NEVER)
              .build();
    }
    return client;
  }

  private String token() {
    if (tokenFile == null) {
      return null;
    }
    if (token == null) {
      try {
        token = Files.readString(Path.of(tokenFile), StandardCharsets.UTF_8).trim();
      } catch (IOException | RuntimeException e) {
        throw new IllegalArgumentException("--alertWebhookTokenFile " + tokenFile + " cannot be read");
      }
      if (token.isEmpty()) {
        throw new IllegalArgumentException("--alertWebhookTokenFile " + tokenFile + " is empty");
      }
    }
    return token;
  }

  /** The URL without user info or query, for logs. */
  private String safeUrl() {
    URI u = URI.create(url);
    return u.getScheme() + "://" + u.getHost() + (u.getPort() < 0 ? "" : ":" + u.getPort()) + u.getRawPath();
  }
}
