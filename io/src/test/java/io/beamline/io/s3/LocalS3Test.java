package io.beamline.io.s3;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.beamline.options.ObjectStoreOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.BindException;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.io.fs.MoveOptions.StandardMoveOptions;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.util.MimeTypes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.S3Exception;

/** The local S3 server: signatures, persistence, ports, and Beam's S3 file system against it. */
class LocalS3Test {
  private static final String KEY = "local-key";
  private static final String SECRET = "local-secret";

  @Test
  void keepsObjectsInItsDataDirAcrossRestarts(@TempDir Path dir) {
    try (LocalS3 s3 = LocalS3.builder().dataDir(dir).credentials(KEY, SECRET).start();
        S3Client client = client(s3, SECRET)) {
      assertThat(s3.endpoint().getHost(), is(LocalS3.HOST));
      assertThat(s3.createBucket("lake"), is(true));
      assertThat(s3.createBucket("lake"), is(false));
      client.putObject(b -> b.bucket("lake").key("a/b.txt"), RequestBody.fromString("hello"));
    }
    assertThat("a bucket is a directory", Files.isDirectory(dir.resolve("lake")), is(true));
    try (LocalS3 s3 = LocalS3.builder().dataDir(dir).credentials(KEY, SECRET).start();
        S3Client client = client(s3, SECRET)) {
      assertThat(s3.bucketNames(), contains("lake"));
      assertThat(
          client.getObjectAsBytes(b -> b.bucket("lake").key("a/b.txt")).asUtf8String(), is("hello"));
    }
  }

  @Test
  void refusesRequestsSignedWithAnotherSecret() {
    try (LocalS3 s3 = LocalS3.builder().credentials(KEY, SECRET).start();
        S3Client wrong = client(s3, "not-the-secret")) {
      s3.createBucket("lake");
      S3Exception e =
          assertThrows(
              S3Exception.class,
              () -> wrong.putObject(b -> b.bucket("lake").key("x"), RequestBody.fromString("x")));
      assertThat(e.statusCode(), is(403));
    }
  }

  @Test
  void saysWhenItsPortIsTaken() {
    try (LocalS3 first = LocalS3.builder().credentials(KEY, SECRET).start()) {
      IllegalStateException e =
          assertThrows(
              IllegalStateException.class,
              () -> LocalS3.builder().port(first.port()).credentials(KEY, SECRET).start());
      assertThat(e.getMessage(), containsString("already in use"));
      assertThat(e.getCause(), instanceOf(BindException.class));
    }
  }

  @Test
  void rejectsBucketNamesS3DoesNotAllow() {
    try (LocalS3 s3 = LocalS3.builder().credentials(KEY, SECRET).start()) {
      for (String bad : List.of("ab", "Upper", "-lead", "under_score")) {
        assertThrows(IllegalArgumentException.class, () -> s3.createBucket(bad), bad);
      }
    }
  }

  /**
   * Beam's S3 file system configured by our options only: a host-name endpoint ({@code
   * localhost}) works with {@code --s3PathStyleAccess=true}, which addresses the bucket in the
   * path rather than as {@code lake.localhost}.
   */
  @Test
  void beamFileSystemWritesMatchesRenamesAndDeletesThroughOurOptions() throws IOException {
    try (LocalS3 s3 = LocalS3.builder().credentials(KEY, SECRET).start()) {
      s3.createBucket("lake");
      ObjectStoreOptions options =
          PipelineOptionsFactory.fromArgs(
                  "--s3Endpoint=http://localhost:" + s3.port(),
                  "--s3Region=eu-west-1",
                  "--s3PathStyleAccess=true",
                  "--awsCredentialsProvider={\"@type\": \"StaticCredentialsProvider\","
                      + " \"accessKeyId\": \"" + KEY + "\", \"secretAccessKey\": \"" + SECRET + "\"}")
              .as(ObjectStoreOptions.class);
      S3Access.configure(options);
      FileSystems.setDefaultPipelineOptions(options);

      ResourceId temp = FileSystems.matchNewResource("s3://lake/zone/dt=1/.part.tmp", false);
      try (OutputStream out = Channels.newOutputStream(FileSystems.create(temp, MimeTypes.TEXT))) {
        out.write("line\n".getBytes(StandardCharsets.UTF_8));
      }
      ResourceId target = FileSystems.matchNewResource("s3://lake/zone/dt=1/part.jsonl", false);
      FileSystems.rename(List.of(temp), List.of(target));

      MatchResult match = FileSystems.match("s3://lake/zone/dt=1/*");
      assertThat(names(match), contains("part.jsonl"));
      try (InputStream in = Channels.newInputStream(FileSystems.open(target))) {
        assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8), is("line\n"));
      }
      FileSystems.delete(List.of(target), StandardMoveOptions.IGNORE_MISSING_FILES);
      assertThat(FileSystems.match("s3://lake/zone/dt=1/*").metadata().isEmpty(), is(true));
    } finally {
      FileSystems.setDefaultPipelineOptions(PipelineOptionsFactory.create());
    }
  }

  private static Set<String> names(MatchResult match) throws IOException {
    return match.metadata().stream()
        .map(m -> m.resourceId().getFilename())
        .collect(Collectors.toSet());
  }

  private static S3Client client(LocalS3 s3, String secret) {
    return S3Client.builder()
        .endpointOverride(s3.endpoint())
        .region(Region.US_EAST_1)
        .credentialsProvider(
            StaticCredentialsProvider.create(AwsBasicCredentials.create(KEY, secret)))
        .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(true).build())
        .httpClientBuilder(ApacheHttpClient.builder())
        .build();
  }
}
