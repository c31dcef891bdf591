package io.beamline.options;

import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.Validation;

/** Where table schemas come from. */
public interface SchemaOptions extends PipelineOptions {
  @Description(
      "Directory of table schemas, one file per table at <schemaDir>/<source>/<table>.json.")
  @Validation.Required
  String getSchemaDir();

  void setSchemaDir(String value);
}
