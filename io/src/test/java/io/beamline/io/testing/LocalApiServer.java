package io.beamline.io.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A real HTTP server on 127.0.0.1 (a free port) serving a cursor-paginated API at {@code
 * /api/orders}: one reply per cursor (the first page has none), optionally preceded by scripted
 * replies (errors, slow answers) that are served first, one per request. Records every request.
 */
public final class LocalApiServer implements AutoCloseable {
  public static final String PATH = "/api/orders";

  /**
   * One request received: its cursor (null for the first page), Authorization header, method,
   * Content-Type and body (a POST's, such as a webhook's; empty for a GET).
   */
  public record Request(
      String cursor,
      String query,
      String authorization,
      long receivedAtNanos,
      String method,
      String contentType,
      String body) {}

  /** One reply: status, headers, body, and how long to wait before answering. */
  public record Reply(int status, Map<String, String> headers, byte[] body, long delayMillis) {
    public static Reply json(String body) {
      return new Reply(200, Map.of("Content-Type", "application/json"), body.getBytes(StandardCharsets.UTF_8), 0);
    }

    public static Reply status(int status, String body) {
      return new Reply(status, Map.of(), body.getBytes(StandardCharsets.UTF_8), 0);
    }

    public Reply withHeader(String name, String value) {
      Map<String, String> h = new LinkedHashMap<>(headers);
      h.put(name, value);
      return new Reply(status, h, body, delayMillis);
    }

    public Reply delayedBy(long millis) {
      return new Reply(status, headers, body, millis);
    }
  }

  private final String cursorParam;
  private final HttpServer server;
  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final Map<String, Reply> pages = new ConcurrentHashMap<>();
  private final Map<String, Deque<Reply>> before = new ConcurrentHashMap<>();
  private final List<Request> requests = Collections.synchronizedList(new ArrayList<>());

  private LocalApiServer(String cursorParam) throws IOException {
    this.cursorParam = cursorParam;
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(PATH, this::handle);
    server.setExecutor(executor);
    server.start();
  }

  /** Starts a server whose pages take their cursor from query parameter {@code cursorParam}. */
  public static LocalApiServer start(String cursorParam) throws IOException {
    return new LocalApiServer(cursorParam);
  }

  /** The page served for {@code cursor} (null: the first page). */
  public LocalApiServer page(String cursor, Reply reply) {
    pages.put(key(cursor), reply);
    return this;
  }

  /** Replies served, one per request and in order, before {@code cursor}'s page. */
  public LocalApiServer first(String cursor, Reply... replies) {
    before.computeIfAbsent(key(cursor), k -> new ArrayDeque<>()).addAll(List.of(replies));
    return this;
  }

  /** {@code http://127.0.0.1:<port>/api/orders?limit=3}: a URL that already has a query. */
  public URI url() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + PATH + "?limit=3");
  }

  public List<Request> requests() {
    synchronized (requests) {
      return List.copyOf(requests);
    }
  }

  /** The requests for one cursor's page (null: the first page), in order. */
  public List<Request> requestsFor(String cursor) {
    return requests().stream().filter(r -> key(r.cursor()).equals(key(cursor))).toList();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try {
      String query = exchange.getRequestURI().getRawQuery();
      String cursor = param(query, cursorParam);
      String body;
      try (var in = exchange.getRequestBody()) {
        body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
      requests.add(
          new Request(
              cursor,
              query,
              exchange.getRequestHeaders().getFirst("Authorization"),
              System.nanoTime(),
              exchange.getRequestMethod(),
              exchange.getRequestHeaders().getFirst("Content-Type"),
              body));
      Deque<Reply> scripted = before.get(key(cursor));
      Reply reply = null;
      if (scripted != null) {
        synchronized (scripted) {
          reply = scripted.poll();
        }
      }
      if (reply == null) {
        reply = pages.getOrDefault(key(cursor), Reply.status(404, "{\"error\":\"no such page\"}"));
      }
      if (reply.delayMillis() > 0) {
        try {
          Thread.sleep(reply.delayMillis());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
      reply.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
      exchange.sendResponseHeaders(reply.status(), reply.body().length == 0 ? -1 : reply.body().length);
      if (reply.body().length > 0) {
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(reply.body());
        }
      }
    } catch (IOException clientGone) {
      // The client timed out and closed the connection: nothing to answer.
    } finally {
      exchange.close();
    }
  }

  private static String key(String cursor) {
    return cursor == null ? "" : "=" + cursor;
  }

  private static String param(String rawQuery, String name) {
    if (rawQuery == null) {
      return null;
    }
    for (String pair : rawQuery.split("&")) {
      int eq = pair.indexOf('=');
      String n = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      if (n.equals(name)) {
        return eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      }
    }
    return null;
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
