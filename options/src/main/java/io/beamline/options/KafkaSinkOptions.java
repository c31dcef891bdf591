package io.beamline.options;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;

/**
 * Where the streaming pipeline writes etl rows and dead letters to Kafka, besides the zones. The
 * cluster is the one of {@link KafkaConnectionOptions#getBootstrapServers()}.
 */
public interface KafkaSinkOptions extends KafkaConnectionOptions {
  @Description(
      "Kafka topic to write every etl row to, one message per row, keyed by event_id; empty"
          + " writes no etl rows to Kafka.")
  @Default.String("")
  String getEtlTopic();

  void setEtlTopic(String value);

  @Description(
      "Message format of --etlTopic: json (one JSON object per row) or avro (Avro single-object"
          + " encoding of the table's etl schema, the schema of the etl Parquet files).")
  @Default.String("json")
  String getEtlFormat();

  void setEtlFormat(String value);

  @Description(
      "Kafka topic to write every dead letter to, one JSON object per message, as in the dlq"
          + " zone; empty writes no dead letters to Kafka.")
  @Default.String("")
  String getDeadLetterTopic();

  void setDeadLetterTopic(String value);

  @Description(
      "Number of exactly-once writer shards for --etlTopic (one transactional producer each);"
          + " at most the topic's partition count.")
  @Default.Integer(2)
  int getKafkaSinkShards();

  void setKafkaSinkShards(int value);

  @Description(
      "Write --etlTopic exactly once, in Kafka transactions (consumers must read with"
          + " isolation.level=read_committed); false writes at least once.")
  @Default.Boolean(true)
  boolean getExactlyOnce();

  void setExactlyOnce(boolean value);

  @Description(
      "Group id under which the exactly-once sink of --etlTopic keeps its progress in Kafka. Keep"
          + " it when a job is restored from a checkpoint or savepoint; a job started afresh on a used"
          + " group starts its own progress. Empty: beamline-sink-<runId>, new for every run unless"
          + " --runId is given.")
  @Default.String("")
  String getKafkaSinkGroupId();

  void setKafkaSinkGroupId(String value);
}
