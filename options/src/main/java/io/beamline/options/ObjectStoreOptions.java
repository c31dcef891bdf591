package io.beamline.options;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * How {@code s3://bucket/prefix} inputs and outputs reach their store: AWS itself or an
 * S3-compatible server. Credentials are not options: they come from the AWS default chain
 * ({@code AWS_ACCESS_KEY_ID} and {@code AWS_SECRET_ACCESS_KEY}, a profile, or an instance role),
 * so that they never appear on a command line, in a log or in pipeline options.
 *
 * <p>Beam's own AWS options ({@code --awsRegion}, {@code --endpoint}, ...) still work; these,
 * when set, take precedence.
 */
public interface ObjectStoreOptions extends PipelineOptions {
  @Description(
      "AWS region of the s3:// buckets, e.g. eu-west-1. Default: the AWS default chain"
          + " (AWS_REGION, ~/.aws/config). An S3-compatible server takes any, e.g. us-east-1."
          + " Credentials come from the AWS default chain (AWS_ACCESS_KEY_ID and"
          + " AWS_SECRET_ACCESS_KEY, a profile or an instance role), never from an option.")
  String getS3Region();

  void setS3Region(String value);

  @Description(
      "Endpoint of an S3-compatible server to use instead of AWS, http:// or https:// with"
          + " host and port, e.g. http://127.0.0.1:9000 (s3-local prints it).")
  String getS3Endpoint();

  void setS3Endpoint(String value);

  @Description(
      "Address buckets in the path (<endpoint>/<bucket>/<key>) instead of the host name"
          + " (<bucket>.<endpoint>/<key>), as most S3-compatible servers reached by host name"
          + " need. An endpoint given as an IP address is always addressed in the path.")
  @Default.Boolean(false)
  boolean getS3PathStyleAccess();

  void setS3PathStyleAccess(boolean value);
}
