package io.beamline.pipelines;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.matchesPattern;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.beamline.io.kafka.testing.KafkaBrokerExtension;
import io.beamline.options.KafkaLocalOptions;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code kafka-local} on a background thread: it runs until interrupted, never forever. */
class KafkaLocalCommandTest {
  private static final Duration WAIT = Duration.ofSeconds(60);

  /** One {@code kafka-local} run on its own thread, with the output it has printed so far. */
  static final class Running implements AutoCloseable {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final AtomicInteger code = new AtomicInteger(-1);
    private final Thread thread;

    Running(String... args) {
      PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
      PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
      thread = new Thread(() -> code.set(new BeamlineCli().run(args, o, e)), "kafka-local-test");
      thread.setDaemon(true); // a failed test must not keep the JVM alive
      thread.start();
    }

    String out() {
      return out.toString(StandardCharsets.UTF_8);
    }

    /** Waits for "Ctrl-C to stop" and returns the bootstrap servers printed before it. */
    String awaitReady() throws InterruptedException {
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (!out().contains("Ctrl-C to stop")) {
        if (!thread.isAlive() || System.nanoTime() > deadline) {
          throw new AssertionError(
              "kafka-local did not get ready (exit " + code.get() + "):\n" + out() + "\n" + err);
        }
        Thread.sleep(20);
      }
      Matcher m =
          Pattern.compile(Pattern.quote(KafkaLocalCommand.READY) + "(\\S+)").matcher(out());
      assertThat(out(), m.find(), is(true));
      return m.group(1);
    }

    /** Interrupts the command as Ctrl-C would end it, and returns its exit code. */
    int stop() throws InterruptedException {
      thread.interrupt();
      thread.join(WAIT.toMillis());
      assertThat("kafka-local still running after interrupt", thread.isAlive(), is(false));
      return code.get();
    }

    @Override
    public void close() throws InterruptedException {
      if (thread.isAlive()) {
        stop();
      }
    }
  }

  private static Map<String, TopicDescription> describe(String bootstrap, List<String> topics)
      throws Exception {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    try (Admin admin = Admin.create(p)) {
      return admin.describeTopics(topics).allTopicNames().get();
    }
  }

  private static int port(String bootstrap) {
    return Integer.parseInt(bootstrap.substring(bootstrap.lastIndexOf(':') + 1));
  }

  @Test
  void runsABrokerOnLoopbackWithTheTopicsUntilInterrupted(@TempDir Path tmp) throws Exception {
    String bootstrap;
    try (Running run =
        new Running(
            "kafka-local",
            "--port=0",
            "--dataDir=" + tmp.resolve("kafka"),
            "--topics=orders, payments",
            "--partitions=3")) {
      bootstrap = run.awaitReady();
      assertThat(bootstrap, matchesPattern("127\\.0\\.0\\.1:[0-9]+"));

      Map<String, TopicDescription> topics = describe(bootstrap, List.of("orders", "payments"));
      assertThat(topics.get("orders").partitions().size(), is(3));
      assertThat(topics.get("payments").partitions().size(), is(3));

      assertThat(run.stop(), is(BeamlineCli.OK));
    }
    assertThrows(
        ConnectException.class,
        () -> {
          try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port(bootstrap)), 2000);
          }
        });
    assertThat(Files.isDirectory(tmp.resolve("kafka").resolve("logs")), is(true));
  }

  @Test
  void aSecondRunOnTheSameDataDirKeepsExistingTopicsAndRecords(@TempDir Path tmp)
      throws Exception {
    String dir = "--dataDir=" + tmp.resolve("kafka");
    try (Running first = new Running("kafka-local", "--port=0", dir, "--topics=kept")) {
      KafkaBrokerExtension.produce(
          first.awaitReady(), "kept", List.of("v1".getBytes(StandardCharsets.UTF_8)));
      assertThat(first.stop(), is(BeamlineCli.OK));
    }

    try (Running second = new Running("kafka-local", "--port=0", dir, "--topics=kept,fresh")) {
      String bootstrap = second.awaitReady();

      assertThat(second.out(), containsString("Topic exists: kept"));
      assertThat(second.out(), containsString("Created topic fresh"));
      List<byte[]> values =
          KafkaBrokerExtension.consumeAll(bootstrap, "kept", false, Duration.ofSeconds(20));
      assertThat(values.size(), is(1));
      assertThat(new String(values.get(0), StandardCharsets.UTF_8), is("v1"));
      assertThat(second.stop(), is(BeamlineCli.OK));
    }
  }

  @Test
  void anInvalidTopicNameExitsTwoBeforeStartingABroker(@TempDir Path tmp) {
    Path dir = tmp.resolve("kafka");
    BeamlineCliTest.Result r =
        BeamlineCliTest.cli("kafka-local", "--port=0", "--dataDir=" + dir, "--topics=ok,bad name");

    assertThat(r.code(), is(BeamlineCli.BAD_USAGE));
    assertThat(r.err(), containsString("'bad name'"));
    assertThat(Files.exists(dir), is(false));
  }

  @Test
  void aPortInUseExitsTwoNamingTheOption(@TempDir Path tmp) throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      BeamlineCliTest.Result r =
          BeamlineCliTest.cli(
              "kafka-local", "--port=" + taken.getLocalPort(), "--dataDir=" + tmp.resolve("k"));

      assertThat(r.code(), is(BeamlineCli.BAD_USAGE));
      assertThat(r.err(), containsString("--port: "));
      assertThat(r.err(), containsString("127.0.0.1:" + taken.getLocalPort()));
    }
  }

  @Test
  void helpListsEveryOptionWithItsEffectiveDefault() throws Exception {
    BeamlineCliTest.Result r = BeamlineCliTest.cli("kafka-local", "--help");

    assertThat(r.code(), is(BeamlineCli.OK));
    Map<String, List<String>> entries = BeamlineCliTest.helpEntries(r.out());
    for (String name : List.of("port", "dataDir", "partitions", "topics")) {
      assertThat(entries, hasKey(name));
    }
    BeamlineCliTest.assertDefaultsAreEffective(entries, KafkaLocalOptions.class);
  }

  @Test
  void theCommandIsListedInTheUsage() {
    assertThat(BeamlineCliTest.cli("help").out(), containsString("kafka-local"));
  }
}
