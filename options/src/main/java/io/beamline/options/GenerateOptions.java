package io.beamline.options;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.Validation;

/** Options of the {@code generate} command, which writes sample {@code shop} events. */
public interface GenerateOptions
    extends SampleOptions, KafkaConnectionOptions, ObjectStoreOptions {
  @Description(
      "Also produce every generated line, as written, to this Kafka topic (one message per line)"
          + " at --bootstrapServers. Unset: files only.")
  String getKafkaTopic();

  void setKafkaTopic(String value);

  @Description(
      "Directory to write the event files into (created if missing), local or"
          + " s3://bucket/prefix.")
  @Validation.Required
  String getOutputPath();

  void setOutputPath(String value);

  @Description(
      "Keyring used to encrypt payloads. Created if the file does not exist, with two fresh random"
          + " payload keys (k1, k2) and a pii key for each sample tenant (pii-<tenant>).")
  @Validation.Required
  String getKeyringPath();

  void setKeyringPath(String value);

  @Description("Fraction of events repeated with the same event_id, between 0 and 1.")
  @Default.Double(0.01)
  double getDuplicateFraction();

  void setDuplicateFraction(double value);

  @Description("Number of output files the events are spread over.")
  @Default.Integer(4)
  int getFiles();

  void setFiles(int value);

  @Description("Last day of event time (YYYY-MM-DD, UTC).")
  @Default.String("2026-11-20")
  String getEndDate();

  void setEndDate(String value);

  @Description("Seed of the random generator: the same seed writes the same events.")
  @Default.Long(42L)
  long getSeed();

  void setSeed(long value);

  @Description(
      "Event times that grow with the line (a few seconds of jitter) and duplicates that repeat"
          + " the latest line, like a live stream; false spreads event times at random over the"
          + " days.")
  @Default.Boolean(false)
  boolean getEventTimesInOrder();

  void setEventTimesInOrder(boolean value);
}
