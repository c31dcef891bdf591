package io.beamline.io.s3;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.BlobStoreContext;
import org.jclouds.blobstore.domain.StorageMetadata;

/**
 * A real S3-compatible server (S3Proxy) running inside this JVM, for tests and the {@code
 * s3-local} command. It listens on 127.0.0.1 only, checks AWS signatures (V2 or V4) against the
 * one access key and secret it was given, and keeps objects in memory or, with a data directory,
 * as plain files below it (one directory per bucket), which survive a restart.
 *
 * <p>Clients reach it with path-style addressing ({@code http://127.0.0.1:<port>/<bucket>/<key>});
 * an AWS SDK given an IP-address endpoint uses that by itself. Any region name is accepted.
 */
public final class LocalS3 implements AutoCloseable {
  public static final String HOST = "127.0.0.1";
  /** The region clients may name; the server accepts any. */
  public static final String REGION = "us-east-1";
  public static final Duration DEFAULT_START_TIMEOUT = Duration.ofSeconds(30);

  private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");

  private final Path dataDir;
  private final BlobStoreContext context;
  private final S3Proxy proxy;
  private final int port;
  private boolean closed;

  private LocalS3(Path dataDir, BlobStoreContext context, S3Proxy proxy, int port) {
    this.dataDir = dataDir;
    this.context = context;
    this.proxy = proxy;
    this.port = port;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Options of a server; {@link #start()} starts it and returns once it accepts requests. */
  public static final class Builder {
    private Path dataDir;
    private int port;
    private String accessKey;
    private String secretKey;
    private Duration startTimeout = DEFAULT_START_TIMEOUT;

    private Builder() {}

    /**
     * Keep objects as files below this directory (created if missing), one directory per bucket;
     * a later server on the same directory finds the same buckets and objects. Default: in
     * memory, gone when the server stops.
     */
    public Builder dataDir(Path dir) {
      this.dataDir = dir;
      return this;
    }

    /** The port on 127.0.0.1; 0 (the default) picks a free one. */
    public Builder port(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port must be between 0 and 65535, not " + port);
      }
      this.port = port;
      return this;
    }

    /**
     * The only access key id and secret the server accepts (required). Clients sign with them as
     * with AWS: {@code AWS_ACCESS_KEY_ID} and {@code AWS_SECRET_ACCESS_KEY}.
     */
    public Builder credentials(String accessKey, String secretKey) {
      if (accessKey == null || accessKey.isBlank() || secretKey == null || secretKey.isBlank()) {
        throw new IllegalArgumentException("access key and secret must not be empty");
      }
      this.accessKey = accessKey;
      this.secretKey = secretKey;
      return this;
    }

    public Builder startTimeout(Duration timeout) {
      this.startTimeout = timeout;
      return this;
    }

    /**
     * @throws IllegalStateException when the server cannot start; with a {@link BindException}
     *     as cause when the port is taken
     */
    public LocalS3 start() {
      if (accessKey == null) {
        throw new IllegalArgumentException("credentials(accessKey, secretKey) are required");
      }
      Path dir = null;
      if (dataDir != null) {
        try {
          dir = Files.createDirectories(dataDir.toAbsolutePath());
        } catch (IOException e) {
          throw new UncheckedIOException("Cannot create the S3 data directory " + dataDir, e);
        }
      }
      Properties overrides = new Properties();
      if (dir != null) {
        overrides.setProperty("jclouds.filesystem.basedir", dir.toString());
      }
      // The back end's own credentials are never checked (it is local); S3Proxy checks clients.
      BlobStoreContext context =
          ContextBuilder.newBuilder(dir == null ? "transient-nio2" : "filesystem-nio2")
              .credentials("local", "local")
              .overrides(overrides)
              .build(BlobStoreContext.class);
      S3Proxy proxy =
          S3Proxy.builder()
              .blobStore(context.getBlobStore())
              .endpoint(URI.create("http://" + HOST + ":" + port))
              .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, accessKey, secretKey)
              // Beam's S3 writes send headers S3Proxy does not implement; accept them.
              .ignoreUnknownHeaders(true)
              .build();
      try {
        proxy.start();
        awaitStarted(proxy, startTimeout);
        return new LocalS3(dir, context, proxy, proxy.getPort());
      } catch (Exception e) {
        stopQuietly(proxy);
        context.close();
        if (causedByBind(e)) {
          throw new IllegalStateException(
              "Cannot start S3: " + HOST + ":" + port + " is already in use",
              new BindException(String.valueOf(e.getMessage())));
        }
        if (e instanceof InterruptedException) {
          Thread.currentThread().interrupt();
        }
        throw new IllegalStateException("Cannot start S3 on " + HOST + ":" + port + ": " + e, e);
      }
    }
  }

  /** {@code http://127.0.0.1:<port>}, for {@code --s3Endpoint}. */
  public URI endpoint() {
    return URI.create("http://" + HOST + ":" + port);
  }

  public int port() {
    return port;
  }

  /** Where objects are kept, or null when they are kept in memory. */
  public Path dataDir() {
    return dataDir;
  }

  /**
   * Creates a bucket.
   *
   * @return true if created, false if it already existed (left unchanged)
   * @throws IllegalArgumentException for a name S3 does not allow
   */
  public boolean createBucket(String name) {
    requireBucketName(name);
    BlobStore store = context.getBlobStore();
    if (store.containerExists(name)) {
      return false;
    }
    return store.createContainerInLocation(null, name);
  }

  /** Names of the buckets, sorted. */
  public Set<String> bucketNames() {
    Set<String> names = new TreeSet<>();
    for (StorageMetadata m : context.getBlobStore().list()) {
      names.add(m.getName());
    }
    return names;
  }

  /**
   * Checks a bucket name against S3's rules (3 to 63 lower-case letters, digits, '.' and '-',
   * starting and ending with a letter or digit).
   */
  public static String requireBucketName(String name) {
    if (name == null || !BUCKET.matcher(name).matches() || name.contains("..")) {
      throw new IllegalArgumentException(
          "'" + name + "' is not a valid bucket name: 3 to 63 lower-case letters, digits, '.'"
              + " and '-', starting and ending with a letter or digit");
    }
    return name;
  }

  /** Stops the server. Objects in a data directory stay there. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      stopQuietly(proxy);
    } finally {
      context.close();
    }
  }

  @Override
  public String toString() {
    return "LocalS3[" + endpoint() + ", " + (dataDir == null ? "in memory" : dataDir) + "]";
  }

  private static void awaitStarted(S3Proxy proxy, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!"STARTED".equals(proxy.getState())) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("not started within " + timeout + ": " + proxy.getState());
      }
      Thread.sleep(10);
    }
  }

  private static void stopQuietly(S3Proxy proxy) {
    try {
      proxy.stop();
    } catch (Exception e) {
      // Stopping a server that never started, or one already stopped.
    }
  }

  private static boolean causedByBind(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof BindException
          || String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT).contains("address already in use")
          || String.valueOf(t.getMessage()).contains("Failed to bind")) {
        return true;
      }
    }
    return false;
  }
}
