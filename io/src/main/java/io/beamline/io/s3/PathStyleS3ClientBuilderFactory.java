package io.beamline.io.s3;

import org.apache.beam.sdk.io.aws2.options.S3ClientBuilderFactory;
import org.apache.beam.sdk.io.aws2.options.S3Options;
import org.apache.beam.sdk.io.aws2.s3.DefaultS3ClientBuilderFactory;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.S3Configuration;

/**
 * Beam's S3 client, as {@link DefaultS3ClientBuilderFactory} configures it from the AWS options
 * (region, endpoint, credentials), with path-style addressing: {@code <endpoint>/<bucket>/<key>}.
 * Beam instantiates it by class name ({@code --s3ClientFactoryClass}), on workers too; {@link
 * S3Access#configure} sets it for {@code --s3PathStyleAccess=true}.
 */
public final class PathStyleS3ClientBuilderFactory implements S3ClientBuilderFactory {
  @Override
  public S3ClientBuilder createBuilder(S3Options options) {
    return new DefaultS3ClientBuilderFactory()
        .createBuilder(options)
        .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(true).build());
  }
}
