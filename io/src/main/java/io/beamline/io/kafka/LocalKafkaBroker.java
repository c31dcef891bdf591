package io.beamline.io.kafka;

import io.beamline.io.ProduceEnvelopeFiles;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.utils.Time;

/**
 * A real single-node Kafka broker (KRaft: broker and controller in one server, no ZooKeeper),
 * running inside this JVM, for tests and the {@code kafka-local} command. Both listeners bind to
 * 127.0.0.1 only, so nothing outside this machine can reach it.
 *
 * <p>{@link #stop()} and {@link #restart()} keep the data and the ports (for fault tests);
 * {@link #close()} stops the broker and deletes the data directory if the broker created it.
 */
public final class LocalKafkaBroker implements AutoCloseable {
  public static final String HOST = "127.0.0.1";
  public static final int DEFAULT_PARTITIONS = 4;
  public static final Duration DEFAULT_START_TIMEOUT = Duration.ofSeconds(60);

  private static final int NODE_ID = 1;
  private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);
  /** Attempts when ports were picked by us and another process took one before the bind. */
  private static final int BIND_ATTEMPTS = 3;

  private final Path dataDir;
  private final boolean ownsDataDir;
  private final boolean pickPorts;
  private final int partitions;
  private final Duration startTimeout;
  private volatile int port;
  private int controllerPort;
  private KafkaRaftServer server;
  private boolean everStarted;
  private boolean closed;

  private LocalKafkaBroker(Builder b) throws IOException {
    this.ownsDataDir = b.dataDir == null;
    this.dataDir =
        ownsDataDir
            ? Files.createTempDirectory("beamline-kafka-")
            : Files.createDirectories(b.dataDir.toAbsolutePath());
    this.pickPorts = b.port == 0;
    this.port = b.port;
    this.partitions = b.partitions;
    this.startTimeout = b.startTimeout;
  }

  /**
   * Starts a broker with all defaults: a fresh temp dir, free ports, {@value #DEFAULT_PARTITIONS}
   * partitions.
   */
  public static LocalKafkaBroker start() {
    return builder().start();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Options of a broker; {@link #start()} starts it and returns once it accepts clients. */
  public static final class Builder {
    private Path dataDir;
    private volatile int port;
    private int partitions = DEFAULT_PARTITIONS;
    private Duration startTimeout = DEFAULT_START_TIMEOUT;

    private Builder() {}

    /**
     * Where the broker keeps its log and metadata. Default: a fresh temp dir, deleted on close. A
     * given dir is kept, and a dir from an earlier run is reused as is (same topics and data).
     */
    public Builder dataDir(Path dir) {
      this.dataDir = dir;
      return this;
    }

    /** The client port on 127.0.0.1; 0 (the default) picks a free one. */
    public Builder port(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port must be between 0 and 65535, not " + port);
      }
      this.port = port;
      return this;
    }

    /** Partitions of topics created without a count ({@code num.partitions}). */
    public Builder partitions(int partitions) {
      if (partitions < 1) {
        throw new IllegalArgumentException("partitions must be at least 1, not " + partitions);
      }
      this.partitions = partitions;
      return this;
    }

    public Builder startTimeout(Duration timeout) {
      this.startTimeout = timeout;
      return this;
    }

    public LocalKafkaBroker start() {
      LocalKafkaBroker broker;
      try {
        broker = new LocalKafkaBroker(this);
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot create the Kafka data directory", e);
      }
      try {
        broker.restart();
      } catch (RuntimeException e) {
        broker.close();
        throw e;
      }
      return broker;
    }
  }

  /** {@code 127.0.0.1:<port>}, for {@code bootstrap.servers}. */
  public String bootstrapServers() {
    return HOST + ":" + port;
  }

  public int port() {
    return port;
  }

  public Path dataDir() {
    return dataDir;
  }

  public synchronized boolean isRunning() {
    return server != null;
  }

  /** {@link #createTopic(String, int)} with the broker's default partition count. */
  public boolean createTopic(String name) {
    return createTopic(name, partitions);
  }

  /**
   * Creates a topic (replication factor 1) and waits until the broker serves all its partitions.
   *
   * @return true if created, false if a topic of that name already existed (left unchanged)
   */
  public boolean createTopic(String name, int partitions) {
    try (Admin admin = admin()) {
      try {
        admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all().get(
            ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      } catch (ExecutionException e) {
        if (e.getCause() instanceof TopicExistsException) {
          return false;
        }
        throw new IllegalStateException("Cannot create topic " + name + ": " + e.getCause(), e);
      }
      awaitTopic(admin, name, partitions);
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while creating topic " + name, e);
    } catch (TimeoutException e) {
      throw new IllegalStateException("Timed out creating topic " + name, e);
    }
  }

  /** Names of the topics, internal ones ({@code __consumer_offsets}, ...) left out. */
  public Set<String> topicNames() {
    try (Admin admin = admin()) {
      return admin.listTopics().names().get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while listing topics", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("Cannot list topics: " + e, e);
    }
  }

  /**
   * Starts the broker again after {@link #stop()}, on the same data dir and ports: topics,
   * records and committed offsets survive. Returns once clients can connect.
   */
  public synchronized void restart() {
    if (closed) {
      throw new IllegalStateException("Broker is closed");
    }
    if (server != null) {
      throw new IllegalStateException("Broker is already running on " + bootstrapServers());
    }
    quietKafkaLogs();
    long deadline = System.nanoTime() + startTimeout.toNanos();
    for (int attempt = 1; ; attempt++) {
      // KRaft's static voter list needs the controller port before start, so free ports are
      // picked here. A restart keeps the client port, so clients reconnect to the same address.
      boolean ownPort = pickPorts && !everStarted;
      if (ownPort && (port == 0 || attempt > 1)) {
        port = freePort();
      }
      if (controllerPort == 0 || attempt > 1) {
        controllerPort = freePort();
      }
      // A taken port the user asked for would otherwise surface as pages of Kafka errors after
      // the controller has started; say it in one line instead.
      if (!ownPort) {
        requireFree(port);
      }
      try {
        startOnce(deadline);
        everStarted = true;
        return;
      } catch (RuntimeException e) {
        // Another process may take a picked port between our probe and Kafka's bind.
        if (attempt >= BIND_ATTEMPTS || !causedByBind(e)) {
          throw e;
        }
      }
    }
  }

  private void startOnce(long deadline) {
    Properties config = serverConfig();
    writeConfigAndFormat(config);
    KafkaRaftServer s = new KafkaRaftServer(new KafkaConfig(config, false), Time.SYSTEM);
    try {
      s.startup();
      server = s;
      awaitClients(deadline);
    } catch (RuntimeException e) {
      server = null;
      shutdown(s);
      throw e;
    }
  }

  /**
   * Stops the broker and waits until it has stopped; the data dir is kept for {@link #restart()}.
   * Does nothing if it is not running.
   */
  public synchronized void stop() {
    if (server != null) {
      KafkaRaftServer s = server;
      server = null;
      shutdown(s);
    }
  }

  /** Stops the broker and, if the broker created the data dir, deletes it. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    stop();
    if (ownsDataDir) {
      deleteTree(dataDir);
    }
  }

  @Override
  public String toString() {
    return "LocalKafkaBroker[" + bootstrapServers() + ", " + dataDir + "]";
  }

  private Properties serverConfig() {
    Path logs = dataDir.resolve("logs");
    Properties p = new Properties();
    p.put("process.roles", "broker,controller");
    p.put("node.id", String.valueOf(NODE_ID));
    p.put("controller.quorum.voters", NODE_ID + "@" + HOST + ":" + controllerPort);
    p.put(
        "listeners",
        "PLAINTEXT://" + HOST + ":" + port + ",CONTROLLER://" + HOST + ":" + controllerPort);
    p.put("advertised.listeners", "PLAINTEXT://" + HOST + ":" + port);
    p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    p.put("controller.listener.names", "CONTROLLER");
    p.put("inter.broker.listener.name", "PLAINTEXT");
    p.put("log.dirs", logs.toString());
    p.put("metadata.log.dir", logs.toString());
    // One broker: every replication factor and ISR minimum must be 1, or transactions and
    // consumer groups wait forever for replicas that do not exist.
    p.put("offsets.topic.replication.factor", "1");
    p.put("transaction.state.log.replication.factor", "1");
    p.put("transaction.state.log.min.isr", "1");
    p.put("min.insync.replicas", "1");
    p.put("default.replication.factor", "1");
    // Few partitions for the internal topics: their first use (a group, a transaction) then
    // takes milliseconds instead of creating 50 partitions each.
    p.put("offsets.topic.num.partitions", "4");
    p.put("transaction.state.log.num.partitions", "4");
    // A lone consumer need not wait 3 s for others to join its group.
    p.put("group.initial.rebalance.delay.ms", "0");
    p.put("num.partitions", String.valueOf(partitions));
    // Topics exist only when created on purpose: a typo in a topic name fails instead of
    // silently writing somewhere else.
    p.put("auto.create.topics.enable", "false");
    // Room for the sample's OVERSIZED lines (just over 1 MiB), which Beamline itself rejects.
    p.put("message.max.bytes", String.valueOf(ProduceEnvelopeFiles.MAX_MESSAGE_BYTES));
    p.put("replica.fetch.max.bytes", String.valueOf(ProduceEnvelopeFiles.MAX_MESSAGE_BYTES));
    // The log cleaner reserves 128 MB of heap by default; the compacted internal topics of a
    // local broker need far less, and tests may run several brokers in one JVM.
    p.put("log.cleaner.dedupe.buffer.size", String.valueOf(4 * 1024 * 1024));
    p.put("log.cleaner.threads", "1");
    return p;
  }

  /** Keeps the config beside the data (for people looking at it) and formats a new dir once. */
  private void writeConfigAndFormat(Properties config) {
    Path file = dataDir.resolve("server.properties");
    try (OutputStream out = Files.newOutputStream(file)) {
      config.store(out, "Written by LocalKafkaBroker on each start");
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write " + file, e);
    }
    if (Files.exists(dataDir.resolve("logs").resolve("meta.properties"))) {
      return; // formatted by an earlier start: keep its cluster id (a new one would not match)
    }
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    int code;
    try (PrintStream ps = new PrintStream(printed, true, StandardCharsets.UTF_8)) {
      code =
          StorageTool.execute(
              new String[] {
                "format",
                "--config", file.toString(),
                "--cluster-id", Uuid.randomUuid().toString()
              },
              ps);
    }
    if (code != 0) {
      throw new IllegalStateException(
          "Formatting Kafka storage in " + dataDir + " failed (" + code + "): "
              + printed.toString(StandardCharsets.UTF_8));
    }
  }

  /** Waits until an AdminClient sees this broker in the cluster, i.e. clients can use it. */
  private void awaitClients(long deadline) {
    Exception last = null;
    try (Admin admin = admin()) {
      while (System.nanoTime() < deadline) {
        try {
          long leftMs = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
          if (!admin.describeCluster().nodes()
              .get(Math.min(leftMs, 5_000), TimeUnit.MILLISECONDS).isEmpty()) {
            return;
          }
        } catch (ExecutionException | TimeoutException e) {
          last = e;
        }
        Thread.sleep(50);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while starting Kafka", e);
    }
    throw new IllegalStateException(
        "Kafka broker on " + bootstrapServers() + " did not accept clients within " + startTimeout,
        last);
  }

  private void awaitTopic(Admin admin, String name, int partitions)
      throws InterruptedException, TimeoutException {
    long deadline = System.nanoTime() + ADMIN_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      try {
        Map<String, TopicDescription> d =
            admin.describeTopics(List.of(name)).allTopicNames().get(5, TimeUnit.SECONDS);
        TopicDescription t = d.get(name);
        if (t != null
            && t.partitions().size() == partitions
            && t.partitions().stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty())) {
          return;
        }
      } catch (ExecutionException | TimeoutException e) {
        // Not yet in the broker's metadata: try again.
      }
      Thread.sleep(20);
    }
    throw new TimeoutException("Topic " + name + " has no leaders after " + ADMIN_TIMEOUT);
  }

  private Admin admin() {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) ADMIN_TIMEOUT.toMillis());
    p.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "200");
    return Admin.create(p);
  }

  /**
   * Shuts down and waits. An interrupted caller (a test timeout, Ctrl-C in a command) would make
   * Kafka's internal waits fail at once and leave threads and ports behind, so the interrupt is
   * set aside during the shutdown and restored afterwards.
   */
  private static void shutdown(KafkaRaftServer s) {
    boolean interrupted = Thread.interrupted();
    try {
      s.shutdown();
      s.awaitShutdown();
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("No free port on " + HOST, e);
    }
  }

  /**
   * @throws IllegalStateException with a {@link BindException} as cause if the port is taken
   */
  private static void requireFree(int port) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress(HOST, port));
    } catch (IOException e) {
      throw new IllegalStateException(
          "Cannot start Kafka: " + HOST + ":" + port + " is already in use",
          e instanceof BindException ? e : new BindException(e.getMessage()));
    }
  }

  private static boolean causedByBind(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof BindException
          || String.valueOf(t.getMessage()).contains("Address already in use")) {
        return true;
      }
    }
    return false;
  }

  /**
   * The broker logs through SLF4J (scala-logging for its Scala half), hundreds of INFO lines per
   * start. With slf4j-simple at its INFO default (an IDE run, say), this lowers Kafka's loggers
   * to WARN. slf4j-simple reads a logger's level from system properties when the logger is
   * created, so this must run before the first broker starts. A level chosen by the user (system
   * property or simplelogger.properties) is left alone; other SLF4J bindings ignore this.
   */
  private static void quietKafkaLogs() {
    Properties file = new Properties();
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    try (InputStream in =
        loader != null
            ? loader.getResourceAsStream("simplelogger.properties")
            : ClassLoader.getSystemResourceAsStream("simplelogger.properties")) {
      if (in != null) {
        file.load(in);
      }
    } catch (IOException | IllegalArgumentException e) {
      // Unreadable: slf4j-simple falls back to its defaults too.
    }
    String prefix = "org.slf4j.simpleLogger.";
    String level =
        System.getProperty(
            prefix + "defaultLogLevel", file.getProperty(prefix + "defaultLogLevel", "info"));
    if (!List.of("trace", "debug", "info").contains(level.trim().toLowerCase(Locale.ROOT))) {
      return; // already WARN or quieter
    }
    for (String logger :
        List.of("kafka", "org.apache.kafka", "state.change.logger", "org.apache.zookeeper")) {
      String key = prefix + "log." + logger;
      if (System.getProperty(key) == null && file.getProperty(key) == null) {
        System.setProperty(key, "warn");
      }
    }
  }

  private static void deleteTree(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot delete " + root, e);
    }
  }
}
