package io.beamline.options;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * Options of the {@code kafka-local} command, which runs a single Kafka broker on 127.0.0.1 for
 * trying the streaming pipelines on one machine.
 */
public interface KafkaLocalOptions extends PipelineOptions {
  @Description("Client port of the broker on 127.0.0.1 (0 picks a free port).")
  @Default.Integer(9092)
  int getPort();

  void setPort(int value);

  @Description(
      "Directory of the broker's log and metadata (created if missing). Kept after the broker"
          + " stops: a later run on the same directory finds the same topics and records.")
  @Default.String("target/kafka-local")
  String getDataDir();

  void setDataDir(String value);

  @Description("Partitions of each topic created at start, and of topics created without a count.")
  @Default.Integer(4)
  int getPartitions();

  void setPartitions(int value);

  @Description(
      "Comma-separated names of topics to create at start; topics that already exist are kept"
          + " as they are. The broker creates no topic on first use.")
  @Default.String("beamline-events")
  String getTopics();

  void setTopics(String value);
}
