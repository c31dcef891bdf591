package io.beamline.options;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * The size and mix of a generated sample, shared by {@code generate} and {@code demo}. Declared
 * once: Beam keeps one registry of option names per JVM, and two declarations of {@code --count}
 * with different defaults would conflict.
 */
public interface SampleOptions extends PipelineOptions {
  @Description("Number of events to write, bad records and duplicates included.")
  @Default.Integer(3000)
  int getCount();

  void setCount(int value);

  @Description("Fraction of bad records, between 0 and 1, spread over every dead-letter reason.")
  @Default.Double(0.05)
  double getBadFraction();

  void setBadFraction(double value);

  @Description(
      "Number of days of event time, ending at --endDate. More days spread the events over more"
          + " dt/hr partitions.")
  @Default.Integer(2)
  int getDays();

  void setDays(int value);
}
