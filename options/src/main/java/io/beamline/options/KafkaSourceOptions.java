package io.beamline.options;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;

/** Where the streaming pipeline reads envelopes from, and for how long. */
public interface KafkaSourceOptions extends KafkaConnectionOptions {
  @Description("Comma-separated topics to read envelopes from, one envelope per message value.")
  @Default.String("beamline-events")
  String getTopics();

  void setTopics(String value);

  @Description("Kafka consumer group id.")
  @Default.String("beamline-stream")
  String getConsumerGroup();

  void setConsumerGroup(String value);

  @Description(
      "Where to start when the consumer group has no committed offset: earliest or latest.")
  @Default.String("earliest")
  String getStartOffset();

  void setStartOffset(String value);

  @Description(
      "Stop after this many records (a bounded run, for tests and backfills); 0 reads forever.")
  @Default.Long(0)
  long getMaxRecords();

  void setMaxRecords(long value);

  @Description("Stop after reading for this many seconds (a bounded run); 0 reads forever.")
  @Default.Long(0)
  long getMaxReadTimeSeconds();

  void setMaxReadTimeSeconds(long value);

  @Description(
      "How far event time may run out of order, in seconds: the watermark trails the largest"
          + " event_time seen by this much.")
  @Default.Long(30)
  long getOutOfOrdernessSeconds();

  void setOutOfOrdernessSeconds(long value);
}
