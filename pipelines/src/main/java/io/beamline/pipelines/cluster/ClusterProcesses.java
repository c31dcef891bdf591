package io.beamline.pipelines.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Starts the JVM processes of a local cluster (same java, same module flags as the runners need
 * on Java 17), sends their output to a log file each, and waits on their HTTP endpoints.
 */
final class ClusterProcesses {
  /** What Flink and Spark need opened on Java 17 (as the tests' argLine). */
  static final List<String> JAVA_17_FLAGS =
      List.of(
          "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
          "--add-opens=java.base/java.lang=ALL-UNNAMED",
          "--add-opens=java.base/java.nio=ALL-UNNAMED",
          "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
          "--add-opens=java.base/java.util=ALL-UNNAMED",
          "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED");

  private final Path logDir;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  ClusterProcesses(Path logDir) {
    this.logDir = logDir;
  }

  static boolean onClasspath(String className) {
    try {
      Class.forName(className, false, ClusterProcesses.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException e) {
      return false;
    }
  }

  Process start(
      String name, String classpath, List<String> jvmFlags, String mainClass, List<String> args)
      throws IOException {
    return start(name, classpath, jvmFlags, mainClass, args, Map.of());
  }

  /** As {@link #start(String, String, List, String, List)}, with extra environment variables. */
  Process start(
      String name,
      String classpath,
      List<String> jvmFlags,
      String mainClass,
      List<String> args,
      Map<String, String> environment)
      throws IOException {
    Files.createDirectories(logDir);
    List<String> command = new ArrayList<>();
    command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmFlags);
    command.addAll(JAVA_17_FLAGS);
    command.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=info");
    command.add("-cp");
    command.add(classpath);
    command.add(mainClass);
    command.addAll(args);
    Path log = logDir.resolve(name + ".log");
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().putAll(environment);
    return builder
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .start();
  }

  /** Polls {@code url} until its body satisfies {@code ready}. */
  void awaitHttp(String url, Predicate<String> ready, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    String last = "no answer";
    while (System.nanoTime() < deadline) {
      try {
        String body = httpGet(url);
        if (ready.test(body)) {
          return;
        }
        last = body;
      } catch (UncheckedIOException notYet) {
        last = notYet.getCause().toString();
      }
      sleep(500);
    }
    throw new IllegalStateException(
        url + " not ready within " + timeout + " (last: " + last + "); logs in " + logDir);
  }

  String httpGet(String url) {
    return send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).GET().build());
  }

  String httpPostJson(String url, String json) {
    return send(
        HttpRequest.newBuilder(URI.create(url))
            .timeout(Duration.ofSeconds(5))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json))
            .build());
  }

  String httpPatch(String url) {
    return send(
        HttpRequest.newBuilder(URI.create(url))
            .timeout(Duration.ofSeconds(5))
            .method("PATCH", HttpRequest.BodyPublishers.noBody())
            .build());
  }

  private String send(HttpRequest request) {
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofString()).body();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** SIGTERM, then SIGKILL if the process is still there after 10 s. */
  static void stop(Process process) {
    if (!process.isAlive()) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port on 127.0.0.1", e);
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
