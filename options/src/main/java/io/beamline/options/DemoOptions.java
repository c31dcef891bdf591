package io.beamline.options;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** Options of the {@code demo} command: generate sample events, then run the batch ETL on them. */
public interface DemoOptions extends PipelineOptions {
  @Description(
      "Working directory of the demo: input, keyring, schemas and the output tree go below it.")
  @Default.String("target/beamline-demo")
  String getWorkDir();

  void setWorkDir(String value);

  @Description("Number of sample events to generate.")
  @Default.Integer(3000)
  int getCount();

  void setCount(int value);

  @Description("Days of event time the sample events spread over (more days, more partitions).")
  @Default.Integer(1)
  int getDays();

  void setDays(int value);

  @Description("Fraction of bad records among the sample events, between 0 and 1.")
  @Default.Double(0.05)
  double getBadFraction();

  void setBadFraction(double value);
}
