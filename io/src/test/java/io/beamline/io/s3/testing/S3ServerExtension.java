package io.beamline.io.s3.testing;

import io.beamline.io.s3.LocalS3;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * A real S3-compatible server ({@link LocalS3}, in memory) for one test class: started before its
 * first test, stopped after its last. Register it on a static field:
 *
 * <pre>{@code @RegisterExtension static S3ServerExtension s3 = new S3ServerExtension();}</pre>
 *
 * <p>While it runs, the JVM's AWS default credential chain finds its key and secret (as the
 * system properties {@code aws.accessKeyId} and {@code aws.secretAccessKey}, which the chain reads
 * before {@code AWS_ACCESS_KEY_ID} and {@code AWS_SECRET_ACCESS_KEY}), so pipelines run in the test
 * reach it as a command reaches a server whose credentials were exported. Earlier values of those
 * properties are restored afterwards.
 *
 * <p>The helpers talk to the server over HTTP with the AWS SDK, independently of Beam's S3 file
 * system. Locations are {@code s3://bucket/prefix}; keys below a prefix are given relative to it.
 */
public final class S3ServerExtension implements BeforeAllCallback, AfterAllCallback {
  public static final String ACCESS_KEY = "beamline-test";
  public static final String SECRET_KEY = "beamline-test-secret";
  public static final String REGION = LocalS3.REGION;

  private static final String KEY_PROPERTY = "aws.accessKeyId";
  private static final String SECRET_PROPERTY = "aws.secretAccessKey";

  private LocalS3 server;
  private S3Client client;
  private String owner;
  private String previousKey;
  private String previousSecret;

  @Override
  public void beforeAll(ExtensionContext context) {
    if (server != null) {
      return; // @Nested classes share their outer class's server
    }
    server = LocalS3.builder().credentials(ACCESS_KEY, SECRET_KEY).start();
    owner = context.getUniqueId();
    client =
        S3Client.builder()
            .endpointOverride(server.endpoint())
            .region(Region.of(REGION))
            .credentialsProvider(
                StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
            .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(true).build())
            .httpClientBuilder(ApacheHttpClient.builder())
            .build();
    previousKey = System.getProperty(KEY_PROPERTY);
    previousSecret = System.getProperty(SECRET_PROPERTY);
    System.setProperty(KEY_PROPERTY, ACCESS_KEY);
    System.setProperty(SECRET_PROPERTY, SECRET_KEY);
  }

  @Override
  public void afterAll(ExtensionContext context) {
    if (server == null || !context.getUniqueId().equals(owner)) {
      return;
    }
    restore(KEY_PROPERTY, previousKey);
    restore(SECRET_PROPERTY, previousSecret);
    try {
      client.close();
    } finally {
      server.close();
      server = null;
      client = null;
    }
  }

  /** The server itself. */
  public LocalS3 server() {
    if (server == null) {
      throw new IllegalStateException(
          "The S3 server is not running: register the extension on a static field");
    }
    return server;
  }

  /** {@code http://127.0.0.1:<port>}, for {@code --s3Endpoint}. */
  public URI endpoint() {
    return server().endpoint();
  }

  /** The options a pipeline needs to reach this server (credentials come from the chain). */
  public List<String> pipelineArgs() {
    return List.of("--s3Endpoint=" + endpoint(), "--s3Region=" + REGION);
  }

  /** Creates a bucket; false if it already existed. */
  public boolean createBucket(String name) {
    return server().createBucket(name);
  }

  /** An AWS SDK client of the server (path-style, the test credentials). */
  public S3Client client() {
    server();
    return client;
  }

  /**
   * Uploads every regular file below {@code dir} to {@code s3://bucket/prefix/<path relative to
   * dir>}.
   *
   * @return the number of files uploaded
   */
  public int upload(Path dir, String location) throws IOException {
    Location l = Location.of(location);
    List<Path> files;
    try (Stream<Path> s = Files.walk(dir)) {
      files = s.filter(Files::isRegularFile).sorted().collect(Collectors.toList());
    }
    for (Path f : files) {
      String relative = dir.relativize(f).toString().replace('\\', '/');
      client().putObject(b -> b.bucket(l.bucket()).key(l.key(relative)), RequestBody.fromFile(f));
    }
    return files.size();
  }

  /**
   * Downloads every object below {@code s3://bucket/prefix} into {@code dir}, at its key
   * relative to the prefix.
   *
   * @return the number of objects downloaded
   */
  public int download(String location, Path dir) throws IOException {
    Location l = Location.of(location);
    List<String> keys = list(location);
    for (String relative : keys) {
      Path target = dir.resolve(relative).normalize();
      if (!target.startsWith(dir.normalize())) {
        throw new IOException("key escapes the target directory: " + relative);
      }
      Files.createDirectories(target.getParent());
      try (InputStream in = client().getObject(b -> b.bucket(l.bucket()).key(l.key(relative)))) {
        Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
      }
    }
    return keys.size();
  }

  /** Keys of every object below {@code s3://bucket/prefix}, relative to the prefix, sorted. */
  public List<String> list(String location) {
    Location l = Location.of(location);
    String prefix = l.prefix().isEmpty() ? "" : l.prefix() + "/";
    List<String> keys = new ArrayList<>();
    for (S3Object o :
        client().listObjectsV2Paginator(b -> b.bucket(l.bucket()).prefix(prefix)).contents()) {
      keys.add(o.key().substring(prefix.length()));
    }
    keys.sort(null);
    return keys;
  }

  /** The bytes of one object. */
  public byte[] read(String location) {
    Location l = Location.of(location);
    return client().getObjectAsBytes(b -> b.bucket(l.bucket()).key(l.prefix())).asByteArray();
  }

  private static void restore(String property, String previous) {
    if (previous == null) {
      System.clearProperty(property);
    } else {
      System.setProperty(property, previous);
    }
  }

  /** {@code s3://bucket/prefix} taken apart; the prefix has no leading or trailing '/'. */
  record Location(String bucket, String prefix) {
    static Location of(String location) {
      if (!location.startsWith("s3://")) {
        throw new IllegalArgumentException("not an s3:// location: " + location);
      }
      String rest = location.substring("s3://".length());
      int slash = rest.indexOf('/');
      String bucket = slash < 0 ? rest : rest.substring(0, slash);
      String prefix = slash < 0 ? "" : rest.substring(slash + 1);
      while (prefix.endsWith("/")) {
        prefix = prefix.substring(0, prefix.length() - 1);
      }
      return new Location(bucket, prefix);
    }

    String key(String relative) {
      return prefix.isEmpty() ? relative : prefix + "/" + relative;
    }
  }
}
