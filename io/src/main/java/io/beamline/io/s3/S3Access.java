package io.beamline.io.s3;

import io.beamline.options.ObjectStoreOptions;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.regex.Pattern;
import org.apache.beam.sdk.io.aws2.options.S3ClientBuilderFactory;
import org.apache.beam.sdk.io.aws2.options.S3Options;
import org.apache.beam.sdk.io.aws2.options.S3Options.S3UploadBufferSizeBytesFactory;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.util.InstanceBuilder;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Puts Beamline's {@link ObjectStoreOptions} into Beam's AWS options (region, endpoint,
 * path-style client factory, upload part size), so that Beam's S3 file system, on the driver and on
 * every worker that deserialises the pipeline options, talks to the chosen store. Call {@link
 * #configure} before {@code FileSystems.setDefaultPipelineOptions} and before the pipeline is
 * created.
 *
 * <p>Credentials are left to Beam's default, the AWS default chain: nothing here stores or prints
 * them, and {@link #requireUsable} only asks the chain whether it finds a key pair.
 */
public final class S3Access {
  public static final String SCHEME = "s3";

  /** Size of the parts S3 objects are uploaded in: S3's minimum, 5 MiB. */
  public static final int UPLOAD_BUFFER_BYTES =
      S3UploadBufferSizeBytesFactory.MINIMUM_UPLOAD_BUFFER_SIZE_BYTES;

  private static final Pattern REGION = Pattern.compile("[a-z0-9]+(-[a-z0-9]+)*");

  private S3Access() {}

  /** Whether a path or pattern names an object in S3 ({@code s3://bucket/key}). */
  public static boolean isS3(String path) {
    return path != null && path.trim().toLowerCase(Locale.ROOT).startsWith(SCHEME + "://");
  }

  /**
   * Checks {@code --s3Region}, {@code --s3Endpoint} and {@code --s3PathStyleAccess} and copies
   * those that are set into Beam's {@link S3Options}. Unset ones leave Beam's options (and so
   * {@code --awsRegion}, {@code --endpoint}) as they are.
   *
   * @throws IllegalArgumentException naming the option whose value is not usable
   */
  public static void configure(PipelineOptions options) {
    ObjectStoreOptions ours = options.as(ObjectStoreOptions.class);
    S3Options beam = options.as(S3Options.class);
    String region = ours.getS3Region();
    if (region != null && !region.isBlank()) {
      beam.setAwsRegion(Region.of(region(region)));
    }
    String endpoint = ours.getS3Endpoint();
    if (endpoint != null && !endpoint.isBlank()) {
      beam.setEndpoint(endpoint(endpoint));
    }
    if (ours.getS3PathStyleAccess()) {
      beam.setS3ClientFactoryClass(PathStyleS3ClientBuilderFactory.class);
    }
    // Beam holds a whole upload buffer in memory for every S3 object being written, 64 MiB by
    // default on a large heap. The zones write many small files at once (one per partition and
    // shard), so Beamline uploads in parts of S3's minimum size unless a caller chose a size.
    Integer buffer = beam.getS3UploadBufferSizeBytes();
    if (buffer == null || buffer.equals(new S3UploadBufferSizeBytesFactory().create(beam))) {
      beam.setS3UploadBufferSizeBytes(UPLOAD_BUFFER_BYTES);
    }
  }

  /**
   * For an {@code s3://} path: checks the bucket name, that a region is known, that the AWS
   * default chain finds credentials, and that the store answers for the bucket (it exists and
   * these credentials may use it), so that such a run stops before it starts. Other paths pass.
   *
   * @param option the option that named the path, for the message
   * @throws IllegalArgumentException naming the option or the missing setting
   */
  public static void requireUsable(PipelineOptions options, String option, String path) {
    if (!isS3(path)) {
      return;
    }
    String bucket = bucketOf(path);
    if (bucket.length() < 3 || bucket.length() > 63 || !bucket.matches("[a-z0-9][a-z0-9.-]*[a-z0-9]")) {
      throw new IllegalArgumentException(
          option + " " + path + ": '" + bucket + "' is not a valid bucket name (3 to 63"
              + " lower-case letters, digits, '.' and '-')");
    }
    S3Options beam = options.as(S3Options.class);
    if (beam.getAwsRegion() == null) {
      throw new IllegalArgumentException(
          option + " " + path + " needs an AWS region: set --s3Region (or AWS_REGION)");
    }
    try {
      if (beam.getAwsCredentialsProvider().resolveCredentials() == null) {
        throw new IllegalStateException("no credentials");
      }
    } catch (RuntimeException e) {
      // The chain's own message lists every provider it tried; the fix is what matters here.
      throw new IllegalArgumentException(
          option + " " + path + " needs AWS credentials: export AWS_ACCESS_KEY_ID and"
              + " AWS_SECRET_ACCESS_KEY (or use a profile or instance role)");
    }
    requireBucket(beam, option, path, bucket);
  }

  /** Asks the store for the bucket, with the client Beam's S3 file system will use. */
  private static void requireBucket(S3Options beam, String option, String path, String bucket) {
    S3ClientBuilderFactory factory =
        InstanceBuilder.ofType(S3ClientBuilderFactory.class)
            .fromClass(beam.getS3ClientFactoryClass())
            .build();
    String where = beam.getEndpoint() == null ? "" : " at " + beam.getEndpoint();
    try (S3Client client = factory.createBuilder(beam).build()) {
      client.headBucket(b -> b.bucket(bucket));
    } catch (S3Exception e) {
      String problem =
          e.statusCode() == 404
              ? "bucket '" + bucket + "' does not exist" + where
              : e.statusCode() == 403
                  ? "access to bucket '" + bucket + "' denied" + where
                      + " (check the credentials and their rights)"
                  : "bucket '" + bucket + "' cannot be read" + where + ": HTTP " + e.statusCode();
      throw new IllegalArgumentException(option + " " + path + ": " + problem);
    } catch (SdkException e) {
      throw new IllegalArgumentException(
          option + " " + path + ": cannot reach S3" + where + ": " + e.getMessage());
    }
  }

  static String region(String value) {
    String r = value.trim();
    if (r.length() > 64 || !REGION.matcher(r).matches()) {
      throw new IllegalArgumentException(
          "--s3Region must be a region name such as us-east-1 or eu-west-1, not '" + value + "'");
    }
    return r;
  }

  static URI endpoint(String value) {
    String hint = "--s3Endpoint must be an http:// or https:// URL with a host, such as"
        + " http://127.0.0.1:9000";
    URI uri;
    try {
      uri = new URI(value.trim());
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(hint + ", not '" + value + "'");
    }
    if (uri.getRawUserInfo() != null) {
      // Never echo it: the user part may be a secret.
      throw new IllegalArgumentException(
          hint + "; credentials do not go in the URL but in AWS_ACCESS_KEY_ID and"
              + " AWS_SECRET_ACCESS_KEY");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    boolean pathless = uri.getRawPath() == null || uri.getRawPath().isEmpty() || uri.getRawPath().equals("/");
    if (!(scheme.equals("http") || scheme.equals("https"))
        || uri.getHost() == null
        || !pathless
        || uri.getRawQuery() != null
        || uri.getRawFragment() != null) {
      throw new IllegalArgumentException(hint + ", not '" + value + "'");
    }
    return URI.create(scheme + "://" + uri.getRawAuthority());
  }

  private static String bucketOf(String path) {
    String rest = path.trim().substring((SCHEME + "://").length());
    int slash = rest.indexOf('/');
    return slash < 0 ? rest : rest.substring(0, slash);
  }
}
