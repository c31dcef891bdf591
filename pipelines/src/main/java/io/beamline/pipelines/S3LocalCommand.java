package io.beamline.pipelines;

import io.beamline.io.s3.LocalS3;
import io.beamline.options.S3LocalOptions;
import java.io.IOException;
import java.io.PrintStream;
import java.net.BindException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * {@code s3-local}: runs a real S3-compatible server (S3Proxy) on 127.0.0.1 until Ctrl-C, so that
 * s3:// inputs and outputs can be tried without an AWS account.
 *
 * <p>The server accepts one key pair: {@code AWS_ACCESS_KEY_ID} and {@code AWS_SECRET_ACCESS_KEY}
 * of the environment when both are set, otherwise the pair in {@code
 * <s3DataDir>/credentials.env}, created with random values on the first start (owner-only) and
 * reused after. Key values are never printed: the command says which variables to export, or
 * which file to {@code source}.
 */
final class S3LocalCommand implements BeamlineCli.Command {
  /** Printed once the server accepts requests; scripts and tests wait for it. */
  static final String READY = "S3 server running, endpoint: ";

  static final String CREDENTIALS_FILE = "credentials.env";
  static final String BUCKETS_DIR = "buckets";
  static final String KEY_VARIABLE = "AWS_ACCESS_KEY_ID";
  static final String SECRET_VARIABLE = "AWS_SECRET_ACCESS_KEY";
  static final String REGION_VARIABLE = "AWS_REGION";

  private final Map<String, String> environment;

  S3LocalCommand() {
    this(System.getenv());
  }

  /** With the environment to take credentials from (tests). */
  S3LocalCommand(Map<String, String> environment) {
    this.environment = environment;
  }

  @Override
  public Class<? extends PipelineOptions> options() {
    return S3LocalOptions.class;
  }

  @Override
  public String summary() {
    return "A local S3-compatible server on 127.0.0.1 (S3Proxy) with the buckets, until Ctrl-C.";
  }

  @Override
  public int run(PipelineOptions options, PrintStream out) throws Exception {
    S3LocalOptions o = options.as(S3LocalOptions.class);
    List<String> buckets = buckets(o.getBuckets());
    if (o.getS3Port() < 0 || o.getS3Port() > 65535) {
      throw new IllegalArgumentException(
          "--s3Port must be between 0 and 65535, not " + o.getS3Port());
    }
    if (o.getS3DataDir() == null || o.getS3DataDir().isBlank()) {
      throw new IllegalArgumentException("--s3DataDir must not be empty");
    }
    Path dataDir = Path.of(o.getS3DataDir()).toAbsolutePath();
    Files.createDirectories(dataDir);
    Credentials credentials = credentials(dataDir);
    LocalS3 server;
    try {
      server =
          LocalS3.builder()
              .dataDir(dataDir.resolve(BUCKETS_DIR))
              .port(o.getS3Port())
              .credentials(credentials.key(), credentials.secret())
              .start();
    } catch (IllegalStateException e) {
      if (e.getCause() instanceof BindException) {
        throw new IllegalArgumentException(
            "--s3Port: " + e.getMessage() + ". Stop what uses it, or choose another port;"
                + " --s3Port=0 picks a free one.",
            e);
      }
      throw e;
    }
    return ServeUntilStopped.serve(
        "s3-local",
        server::close,
        () -> {
          for (String bucket : buckets) {
            boolean created = server.createBucket(bucket);
            out.println((created ? "Created bucket " : "Bucket exists: ") + bucket);
          }
          out.println("Data in " + server.dataDir());
          out.println("Credentials: " + credentials.howToUse());
          out.println(
              "Region: any; pass --s3Region=" + LocalS3.REGION + " (or export " + REGION_VARIABLE + ")");
          out.println(READY + server.endpoint());
          out.println(
              "Use with: --s3Endpoint=" + server.endpoint() + " --s3Region=" + LocalS3.REGION
                  + (buckets.isEmpty() ? "" : " and paths such as s3://" + buckets.get(0) + "/in"));
          out.println("Ctrl-C to stop");
          out.flush();
        });
  }

  static List<String> buckets(String option) {
    List<String> buckets = new ArrayList<>();
    for (String b : option == null ? new String[0] : option.split(",")) {
      String name = b.trim();
      if (name.isEmpty()) {
        continue;
      }
      try {
        buckets.add(LocalS3.requireBucketName(name));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("--buckets: " + e.getMessage(), e);
      }
    }
    return buckets;
  }

  /** The key pair the server accepts, and how a shell gets it; values stay in memory. */
  record Credentials(String key, String secret, String howToUse) {}

  private Credentials credentials(Path dataDir) throws IOException {
    String key = environment.get(KEY_VARIABLE);
    String secret = environment.get(SECRET_VARIABLE);
    if (key != null && !key.isBlank() && secret != null && !secret.isBlank()) {
      return new Credentials(
          key,
          secret,
          "the " + KEY_VARIABLE + " and " + SECRET_VARIABLE + " of this environment (not shown);"
              + " export the same in the shell that runs etl");
    }
    Path file = dataDir.resolve(CREDENTIALS_FILE);
    if (!Files.exists(file)) {
      writeNewCredentials(file);
    }
    Map<String, String> exported = readExports(file);
    key = exported.get(KEY_VARIABLE);
    secret = exported.get(SECRET_VARIABLE);
    if (key == null || key.isBlank() || secret == null || secret.isBlank()) {
      throw new IllegalArgumentException(
          "--s3DataDir: " + file + " lacks " + KEY_VARIABLE + " or " + SECRET_VARIABLE
              + "; delete it to get a new key pair");
    }
    return new Credentials(
        key,
        secret,
        "run `source " + file + "` (exports " + KEY_VARIABLE + ", " + SECRET_VARIABLE + " and "
            + REGION_VARIABLE + "; values not shown) in the shell that runs etl");
  }

  /** A random key pair as shell exports, readable by the owner only. */
  private static void writeNewCredentials(Path file) throws IOException {
    SecureRandom random = new SecureRandom();
    String key = "BEAMLINE" + HexFormat.of().withUpperCase().formatHex(bytes(random, 6));
    String secret = HexFormat.of().formatHex(bytes(random, 20));
    String text =
        "# Key pair of the s3-local server of this directory. `source` this file in a shell\n"
            + "# to let etl and stream reach it.\n"
            + "export " + KEY_VARIABLE + "=" + key + "\n"
            + "export " + SECRET_VARIABLE + "=" + secret + "\n"
            + "export " + REGION_VARIABLE + "=" + LocalS3.REGION + "\n";
    if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
      Files.createFile(
          file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(file, text, StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
    } else {
      Files.writeString(file, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW);
    }
  }

  private static byte[] bytes(SecureRandom random, int n) {
    byte[] b = new byte[n];
    random.nextBytes(b);
    return b;
  }

  /** {@code export NAME=value} lines (quotes around the value allowed); other lines ignored. */
  static Map<String, String> readExports(Path file) throws IOException {
    Map<String, String> out = new HashMap<>();
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      String l = line.trim();
      if (l.startsWith("export ")) {
        l = l.substring("export ".length()).trim();
      }
      int eq = l.indexOf('=');
      if (l.startsWith("#") || eq < 1) {
        continue;
      }
      String v = l.substring(eq + 1).trim();
      if (v.length() >= 2
          && (v.startsWith("\"") && v.endsWith("\"") || v.startsWith("'") && v.endsWith("'"))) {
        v = v.substring(1, v.length() - 1);
      }
      out.put(l.substring(0, eq).trim(), v);
    }
    return out;
  }
}
