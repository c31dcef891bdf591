package io.beamline.options;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * Options of the {@code s3-local} command, which runs an S3-compatible server on 127.0.0.1 for
 * trying s3:// inputs and outputs on one machine.
 *
 * <p>The port and directory options are not called {@code --port} and {@code --dataDir} as in
 * {@code kafka-local}: Beam requires an option name to have one default across every options
 * interface in a JVM, and those of {@link KafkaLocalOptions} differ.
 */
public interface S3LocalOptions extends PipelineOptions {
  @Description("Port of the server on 127.0.0.1 (0 picks a free port).")
  @Default.Integer(9000)
  int getS3Port();

  void setS3Port(int value);

  @Description(
      "Directory of the server (created if missing): buckets are directories below"
          + " <s3DataDir>/buckets, objects are files in them, and <s3DataDir>/credentials.env"
          + " holds the key pair the server accepts. Kept after the server stops: a later run on"
          + " the same directory finds the same buckets, objects and credentials.")
  @Default.String("target/s3-local")
  String getS3DataDir();

  void setS3DataDir(String value);

  @Description(
      "Comma-separated names of buckets to create at start (3 to 63 lower-case letters,"
          + " digits, '.' and '-'); buckets that already exist are kept as they are.")
  @Default.String("beamline")
  String getBuckets();

  void setBuckets(String value);
}
