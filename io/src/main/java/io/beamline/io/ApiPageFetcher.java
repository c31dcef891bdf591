package io.beamline.io;

import io.beamline.transforms.DeadLetters;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * GETs one page of an API: at most {@code maxRequestsPerSecond} requests, retries of a 429, a 5xx,
 * a timeout or a connection error with exponential backoff and jitter (a {@code Retry-After} of a
 * 429 or 503 in seconds is waited for instead, up to the longest backoff), and an optional bearer
 * token. Redirects are not followed, so the token goes nowhere else. Not thread-safe: one per DoFn
 * instance.
 */
final class ApiPageFetcher {
  private static final Logger LOG = LoggerFactory.getLogger(ApiPageFetcher.class);

  /** What one page's fetch came to: a 2xx body, or the reason it failed. */
  record Outcome(boolean ok, byte[] body, String cause, int attempts) {}

  private final HttpClient client;
  private final String token;
  private final Duration requestTimeout;
  private final int maxRetries;
  private final long initialBackoffMillis;
  private final long maxBackoffMillis;
  private final long minIntervalNanos;
  private final Counter requests = Metrics.counter(DeadLetters.METRICS_NAMESPACE, "api_requests");
  private final Counter retries = Metrics.counter(DeadLetters.METRICS_NAMESPACE, "api_retries");
  private long nextRequestNanos = Long.MIN_VALUE;

  ApiPageFetcher(
      String token,
      Duration requestTimeout,
      int maxRetries,
      long initialBackoffMillis,
      long maxBackoffMillis,
      double maxRequestsPerSecond) {
    this.client =
        HttpClient.newBuilder()
            .connectTimeout(requestTimeout)
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
    this.token = token;
    this.requestTimeout = requestTimeout;
    this.maxRetries = maxRetries;
    this.initialBackoffMillis = initialBackoffMillis;
    this.maxBackoffMillis = maxBackoffMillis;
    this.minIntervalNanos = (long) Math.ceil(1e9 / maxRequestsPerSecond);
  }

  /** Fetches {@code uri}; {@code shown} is how it may be named in logs and causes. */
  Outcome get(URI uri, String shown) throws InterruptedException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri).GET().timeout(requestTimeout).header("Accept", "application/json");
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    HttpRequest built = request.build();
    for (int attempt = 1; ; attempt++) {
      awaitRateLimit();
      requests.inc();
      String cause;
      byte[] body = new byte[0];
      OptionalLong retryAfter = OptionalLong.empty();
      try {
        HttpResponse<byte[]> response = client.send(built, HttpResponse.BodyHandlers.ofByteArray());
        int status = response.statusCode();
        body = response.body() == null ? new byte[0] : response.body();
        if (status >= 200 && status < 300) {
          return new Outcome(true, body, null, attempt);
        }
        cause = "HTTP " + status;
        if (status != 429 && status < 500) {
          return new Outcome(false, body, cause + (status < 400 ? " (redirects are not followed)" : ""), attempt);
        }
        if (status == 429 || status == 503) {
          retryAfter = retryAfterMillis(response.headers().firstValue("Retry-After").orElse(null));
        }
      } catch (HttpTimeoutException e) {
        cause = "no response within " + requestTimeout.toSeconds() + " s";
      } catch (IOException e) {
        cause = "connection failed (" + e.getClass().getSimpleName() + ")";
      }
      if (attempt > maxRetries) {
        return new Outcome(false, body, cause + ", " + attempt + " attempt" + (attempt == 1 ? "" : "s"), attempt);
      }
      long wait =
          retryAfter.isPresent()
              ? Math.min(retryAfter.getAsLong(), maxBackoffMillis)
              : backoffMillis(attempt, initialBackoffMillis, maxBackoffMillis, ThreadLocalRandom.current().nextDouble());
      retries.inc();
      LOG.warn("GET {}: {}; retry {} of {} in {} ms", shown, cause, attempt, maxRetries, wait);
      Thread.sleep(wait);
    }
  }

  /** Spaces request starts at least {@code 1 / maxRequestsPerSecond} apart. */
  private void awaitRateLimit() throws InterruptedException {
    long now = System.nanoTime();
    if (nextRequestNanos != Long.MIN_VALUE && nextRequestNanos - now > 0) {
      long waitNanos = nextRequestNanos - now;
      Thread.sleep(waitNanos / 1_000_000, (int) (waitNanos % 1_000_000));
      now = System.nanoTime();
    }
    nextRequestNanos = now + minIntervalNanos;
  }

  /**
   * The wait before retry {@code retry} (1 for the first): {@code initial * 2^(retry-1)}, at most
   * {@code max}, of which a random half is taken off ("equal jitter", so that clients that failed
   * together do not retry together). {@code random} is in [0, 1).
   */
  static long backoffMillis(int retry, long initial, long max, double random) {
    long base = initial;
    for (int i = 1; i < retry && base < max; i++) {
      base = base > Long.MAX_VALUE / 2 ? Long.MAX_VALUE : base * 2;
    }
    base = Math.min(base, max);
    long half = base / 2;
    return base - half + (long) (random * (half + 1));
  }

  /** A {@code Retry-After} of delay seconds, in milliseconds; empty for an HTTP date or garbage. */
  static OptionalLong retryAfterMillis(String header) {
    if (header == null || !header.trim().matches("[0-9]{1,9}")) {
      return OptionalLong.empty();
    }
    return OptionalLong.of(Long.parseLong(header.trim()) * 1000);
  }
}
