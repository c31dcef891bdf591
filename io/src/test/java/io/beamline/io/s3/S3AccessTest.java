package io.beamline.io.s3;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.beamline.options.ObjectStoreOptions;
import java.net.URI;
import org.apache.beam.sdk.io.aws2.options.S3Options;
import org.apache.beam.sdk.io.aws2.s3.DefaultS3ClientBuilderFactory;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.regions.Region;

/** Our S3 options into Beam's, and the checks that stop a run before it starts. */
class S3AccessTest {
  private static PipelineOptions options(String... args) {
    return PipelineOptionsFactory.fromArgs(args).withValidation().as(ObjectStoreOptions.class);
  }

  @Test
  void copiesRegionEndpointAndPathStyleIntoBeamsOptions() {
    PipelineOptions o =
        options(
            "--s3Region=eu-west-1",
            "--s3Endpoint=http://127.0.0.1:9000/",
            "--s3PathStyleAccess=true");
    S3Access.configure(o);
    S3Options beam = o.as(S3Options.class);
    assertThat(beam.getAwsRegion(), is(Region.EU_WEST_1));
    assertThat(beam.getEndpoint(), is(URI.create("http://127.0.0.1:9000")));
    assertThat(beam.getS3ClientFactoryClass(), is(PathStyleS3ClientBuilderFactory.class));
    assertThat(beam.getS3UploadBufferSizeBytes(), is(5 * 1024 * 1024));
  }

  @Test
  void keepsAnUploadPartSizeTheCallerChose() {
    PipelineOptions o = options();
    o.as(S3Options.class).setS3UploadBufferSizeBytes(8 * 1024 * 1024);
    S3Access.configure(o);
    assertThat(o.as(S3Options.class).getS3UploadBufferSizeBytes(), is(8 * 1024 * 1024));
  }

  @Test
  void leavesBeamsOwnOptionsAloneWhenOursAreUnset() {
    PipelineOptions o = options("--awsRegion=ap-south-1", "--endpoint=http://10.0.0.1:80");
    S3Access.configure(o);
    S3Options beam = o.as(S3Options.class);
    assertThat(beam.getAwsRegion(), is(Region.AP_SOUTH_1));
    assertThat(beam.getEndpoint(), is(URI.create("http://10.0.0.1:80")));
    assertThat(beam.getS3ClientFactoryClass(), is(DefaultS3ClientBuilderFactory.class));
  }

  @Test
  void badValuesNameTheirOption() {
    for (String[] bad :
        new String[][] {
          {"--s3Region=EU WEST", "--s3Region"},
          {"--s3Endpoint=127.0.0.1:9000", "--s3Endpoint"},
          {"--s3Endpoint=ftp://127.0.0.1:9000", "--s3Endpoint"},
          {"--s3Endpoint=http://127.0.0.1:9000/bucket", "--s3Endpoint"},
        }) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> S3Access.configure(options(bad[0])));
      assertThat(e.getMessage(), startsWith(bad[1]));
    }
  }

  @Test
  void neverEchoesCredentialsPutInTheEndpoint() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> S3Access.configure(options("--s3Endpoint=http://AKIAXYZ:s3cr3t@127.0.0.1:9000")));
    assertThat(e.getMessage(), startsWith("--s3Endpoint"));
    assertThat(e.getMessage(), not(containsString("s3cr3t")));
    assertThat(e.getMessage(), not(containsString("AKIAXYZ")));
  }

  @Test
  void anS3PathWithoutCredentialsStopsBeforeTheRun() {
    PipelineOptions o = options("--s3Region=us-east-1");
    S3Access.configure(o);
    o.as(S3Options.class)
        .setAwsCredentialsProvider(
            () -> {
              throw SdkClientException.create("Unable to load credentials from any provider");
            });
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> S3Access.requireUsable(o, "--outputRoot", "s3://lake/out"));
    assertThat(e.getMessage(), startsWith("--outputRoot s3://lake/out needs AWS credentials"));
    assertThat(e.getMessage(), containsString("AWS_ACCESS_KEY_ID"));
    // Local paths need neither region nor credentials.
    S3Access.requireUsable(o, "--outputRoot", "/tmp/out");
  }

  @Test
  void anInvalidBucketNameStopsBeforeTheRun() {
    PipelineOptions o = options("--s3Region=us-east-1");
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> S3Access.requireUsable(o, "--inputPath", "s3://My_Bucket/in"));
    assertThat(e.getMessage(), startsWith("--inputPath s3://My_Bucket/in: 'My_Bucket'"));
  }
}
