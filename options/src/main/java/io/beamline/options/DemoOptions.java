package io.beamline.options;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;

/** Options of the {@code demo} command: generate sample events, then run the batch ETL on them. */
public interface DemoOptions extends SampleOptions {
  @Description(
      "Working directory of the demo: input, keyring, schemas and the output tree go below it.")
  @Default.String("target/beamline-demo")
  String getWorkDir();

  void setWorkDir(String value);
}
