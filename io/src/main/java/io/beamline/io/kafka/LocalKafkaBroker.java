package io.beamline.io.kafka;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
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
  private int port;
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

  /** A broker with every default: fresh temp dir, free ports, {@value #DEFAULT_PARTITIONS} partitions. */
  public static LocalKafkaBroker start() {
    return builder().start();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Options of a broker; {@link #start()} starts it and returns once it accepts clients. */
  public static final class Builder {
    private Path dataDir;
    private int port;
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

  /** Creates a topic with the broker's default partition count; see {@link #createTopic(String, int)}. */
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
      if (pickPorts && !everStarted && (port == 0 || attempt > 1)) {
        port = freePort();
      }
      if (controllerPort == 0 || attempt > 1) {
        controllerPort = freePort();
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
    p.put("listeners", "PLAINTEXT://" + HOST + ":" + port + ",CONTROLLER://" + HOST + ":" + controllerPort);
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
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    int code;
    try (PrintStream ps = new PrintStream(printed, true, StandardCharsets.UTF_8)) {
      // --ignore-formatted: a dir from an earlier run keeps its cluster id and data.
      code =
          StorageTool.execute(
              new String[] {
                "format",
                "--config", file.toString(),
                "--cluster-id", Uuid.randomUuid().toString(),
                "--ignore-formatted"
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
          long left = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
          int nodes =
              admin.describeCluster().nodes().get(Math.min(left, 5_000), TimeUnit.MILLISECONDS).size();
          if (nodes > 0) {
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
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, String.valueOf(ADMIN_TIMEOUT.toMillis()));
    p.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "200");
    return Admin.create(p);
  }

  private static void shutdown(KafkaRaftServer s) {
    s.shutdown();
    s.awaitShutdown();
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("No free port on " + HOST, e);
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
   * The broker logs through SLF4J (scala-logging); with slf4j-simple its INFO output is hundreds
   * of lines per start. Lowers Kafka's loggers to WARN unless the user chose a level already.
   * slf4j-simple reads these properties when each logger is created, so this works if it runs
   * before the first broker starts. Other SLF4J bindings keep their own configuration.
   */
  private static void quietKafkaLogs() {
    for (String logger : new String[] {"kafka", "org.apache.kafka", "state.change.logger"}) {
      String key = "org.slf4j.simpleLogger.log." + logger;
      if (System.getProperty(key) == null) {
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
