package io.beamline.pipelines;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.beamline.options.S3LocalOptions;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.Bucket;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * {@code s3-local} on a background thread: it runs until interrupted, never forever. The
 * environment it takes credentials from is given to the command, not the test JVM's.
 */
class S3LocalCommandTest {
  private static final Duration WAIT = Duration.ofSeconds(60);

  /** One {@code s3-local} run on its own thread, with the output it has printed so far. */
  static final class Running implements AutoCloseable {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final AtomicInteger code = new AtomicInteger(-1);
    private final Thread thread;

    Running(Map<String, String> environment, String... args) {
      PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
      S3LocalCommand command = new S3LocalCommand(environment);
      S3LocalOptions options =
          PipelineOptionsFactory.fromArgs(args).withValidation().as(S3LocalOptions.class);
      thread =
          new Thread(
              () -> {
                try {
                  code.set(command.run(options, o));
                } catch (Exception e) {
                  e.printStackTrace(o);
                  code.set(BeamlineCli.FAILED);
                }
              },
              "s3-local-test");
      thread.setDaemon(true); // a failed test must not keep the JVM alive
      thread.start();
    }

    String out() {
      return out.toString(StandardCharsets.UTF_8);
    }

    /** Waits for "Ctrl-C to stop" and returns the endpoint printed before it. */
    URI awaitReady() throws InterruptedException {
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (!out().contains("Ctrl-C to stop")) {
        if (!thread.isAlive() || System.nanoTime() > deadline) {
          throw new AssertionError("s3-local did not get ready (exit " + code.get() + "):\n" + out());
        }
        Thread.sleep(20);
      }
      Matcher m = Pattern.compile(Pattern.quote(S3LocalCommand.READY) + "(\\S+)").matcher(out());
      assertThat(out(), m.find(), is(true));
      return URI.create(m.group(1));
    }

    /** Interrupts the command as Ctrl-C would end it, and returns its exit code. */
    int stop() throws InterruptedException {
      thread.interrupt();
      thread.join(WAIT.toMillis());
      assertThat("s3-local still running after interrupt", thread.isAlive(), is(false));
      return code.get();
    }

    @Override
    public void close() throws InterruptedException {
      if (thread.isAlive()) {
        stop();
      }
    }
  }

  private static S3Client client(URI endpoint, String key, String secret) {
    return S3Client.builder()
        .endpointOverride(endpoint)
        .region(Region.US_EAST_1)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(key, secret)))
        .httpClientBuilder(ApacheHttpClient.builder())
        .build();
  }

  private static Set<String> buckets(S3Client client) {
    return client.listBuckets().buckets().stream().map(Bucket::name).collect(Collectors.toSet());
  }

  @Test
  void runsAServerOnLoopbackWithTheBucketsAndAnUnprintedKeyPair(@TempDir Path tmp)
      throws Exception {
    Path dir = tmp.resolve("s3");
    URI endpoint;
    Map<String, String> exported;
    try (Running run =
        new Running(Map.of(), "--s3Port=0", "--s3DataDir=" + dir, "--buckets=lake, archive")) {
      endpoint = run.awaitReady();
      assertThat(endpoint.toString(), matchesPattern("http://127\\.0\\.0\\.1:[0-9]+"));

      Path file = dir.resolve(S3LocalCommand.CREDENTIALS_FILE);
      assertThat(
          PosixFilePermissions.toString(Files.getPosixFilePermissions(file)), is("rw-------"));
      exported = S3LocalCommand.readExports(file);
      String key = exported.get("AWS_ACCESS_KEY_ID");
      String secret = exported.get("AWS_SECRET_ACCESS_KEY");
      assertThat(exported.get("AWS_REGION"), is("us-east-1"));
      assertThat(run.out(), containsString("source " + file));
      assertThat(run.out(), not(containsString(secret)));
      assertThat(run.out(), not(containsString(key)));
      assertThat(run.out(), containsString("--s3Endpoint=" + endpoint));

      try (S3Client client = client(endpoint, key, secret);
          S3Client stranger = client(endpoint, key, "not-the-secret")) {
        assertThat(buckets(client), is(Set.of("lake", "archive")));
        client.putObject(b -> b.bucket("lake").key("in/a.jsonl"), RequestBody.fromString("{}\n"));
        S3Exception e = assertThrows(S3Exception.class, () -> buckets(stranger));
        assertThat(e.statusCode(), is(403));
      }
      assertThat(run.stop(), is(BeamlineCli.OK));
    }
    assertThrows(
        ConnectException.class,
        () -> {
          try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", endpoint.getPort()), 2000);
          }
        });
    assertThat(Files.isRegularFile(dir.resolve("buckets/lake/in/a.jsonl")), is(true));

    // A second run on the same directory: same key pair, buckets and objects.
    try (Running again =
        new Running(Map.of(), "--s3Port=0", "--s3DataDir=" + dir, "--buckets=lake,fresh")) {
      URI second = again.awaitReady();
      assertThat(again.out(), containsString("Bucket exists: lake"));
      assertThat(again.out(), containsString("Created bucket fresh"));
      assertThat(S3LocalCommand.readExports(dir.resolve(S3LocalCommand.CREDENTIALS_FILE)), is(exported));
      try (S3Client client =
          client(second, exported.get("AWS_ACCESS_KEY_ID"), exported.get("AWS_SECRET_ACCESS_KEY"))) {
        assertThat(buckets(client), is(Set.of("lake", "archive", "fresh")));
        assertThat(
            client.getObjectAsBytes(b -> b.bucket("lake").key("in/a.jsonl")).asUtf8String(),
            is("{}\n"));
      }
      assertThat(again.stop(), is(BeamlineCli.OK));
    }
  }

  @Test
  void takesTheKeyPairOfTheEnvironmentWhenBothAreSet(@TempDir Path tmp) throws Exception {
    Path dir = tmp.resolve("s3");
    Map<String, String> env =
        Map.of("AWS_ACCESS_KEY_ID", "env-key-id", "AWS_SECRET_ACCESS_KEY", "env-secret-value");
    try (Running run = new Running(env, "--s3Port=0", "--s3DataDir=" + dir, "--buckets=lake")) {
      URI endpoint = run.awaitReady();
      assertThat(run.out(), containsString("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY of this environment"));
      assertThat(run.out(), not(containsString("env-secret-value")));
      assertThat(Files.exists(dir.resolve(S3LocalCommand.CREDENTIALS_FILE)), is(false));
      try (S3Client client = client(endpoint, "env-key-id", "env-secret-value")) {
        assertThat(buckets(client), is(Set.of("lake")));
      }
      assertThat(run.stop(), is(BeamlineCli.OK));
    }
  }

  @Test
  void anInvalidBucketNameExitsTwoBeforeStartingAServer(@TempDir Path tmp) {
    Path dir = tmp.resolve("s3");
    BeamlineCliTest.Result r =
        BeamlineCliTest.cli("s3-local", "--s3Port=0", "--s3DataDir=" + dir, "--buckets=ok-bucket,Bad_Name");

    assertThat(r.code(), is(BeamlineCli.BAD_USAGE));
    assertThat(r.err(), containsString("--buckets: 'Bad_Name'"));
    assertThat(Files.exists(dir), is(false));
  }

  @Test
  void aPortInUseExitsTwoNamingTheOption(@TempDir Path tmp) throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      BeamlineCliTest.Result r =
          BeamlineCliTest.cli(
              "s3-local", "--s3Port=" + taken.getLocalPort(), "--s3DataDir=" + tmp.resolve("s3"));

      assertThat(r.code(), is(BeamlineCli.BAD_USAGE));
      assertThat(r.err(), containsString("--s3Port: "));
      assertThat(r.err(), containsString("127.0.0.1:" + taken.getLocalPort()));
    }
  }

  @Test
  void helpListsEveryOptionWithItsEffectiveDefault() throws Exception {
    BeamlineCliTest.Result r = BeamlineCliTest.cli("s3-local", "--help");

    assertThat(r.code(), is(BeamlineCli.OK));
    Map<String, List<String>> entries = BeamlineCliTest.helpEntries(r.out());
    for (String name : List.of("s3Port", "s3DataDir", "buckets")) {
      assertThat(entries, hasKey(name));
    }
    BeamlineCliTest.assertDefaultsAreEffective(entries, S3LocalOptions.class);
  }

  @Test
  void theCommandIsListedInTheUsage() {
    assertThat(BeamlineCliTest.cli("help").out(), containsString("s3-local"));
  }
}
