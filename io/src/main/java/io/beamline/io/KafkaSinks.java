package io.beamline.io;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.coders.CoderException;
import org.apache.beam.sdk.coders.NullableCoder;
import org.apache.beam.sdk.coders.StructuralByteArray;
import org.apache.beam.sdk.io.kafka.KafkaIO;
import org.apache.beam.sdk.io.kafka.ProducerRecordCoder;
import org.apache.beam.sdk.util.CoderUtils;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** What the Kafka sinks share: the producer settings, the record coder, and headers. */
final class KafkaSinks {
  /** Header names, all under {@code beamline.}. */
  static final String SOURCE = "beamline.source";
  static final String TABLE = "beamline.table";
  static final String TENANT = "beamline.tenant";
  static final String SCHEMA_FINGERPRINT = "beamline.schema_fingerprint";
  static final String REASON = "beamline.reason";
  static final String STAGE = "beamline.stage";

  private static final Duration METADATA_TIMEOUT = Duration.ofSeconds(30);

  private KafkaSinks() {}

  /** Byte keys (null allowed) and values, headers kept between stages. */
  static ProducerRecordCoder<byte[], byte[]> coder() {
    return new RecordCoder();
  }

  /** An idempotent writer that waits for every in-sync replica: no loss, no duplicates on retry. */
  static KafkaIO.WriteRecords<byte[], byte[]> writer(String bootstrapServers, String topic) {
    return KafkaIO.<byte[], byte[]>writeRecords()
        .withBootstrapServers(bootstrapServers)
        .withTopic(topic)
        .withKeySerializer(ByteArraySerializer.class)
        .withValueSerializer(ByteArraySerializer.class)
        .withProducerConfigUpdates(
            Map.of(
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.ACKS_CONFIG, "all"));
  }

  static ProducerRecord<byte[], byte[]> record(
      String topic, byte[] key, byte[] value, List<Header> headers) {
    return new ProducerRecord<>(topic, null, null, key, value, headers);
  }

  static Header header(String name, String value) {
    return new RecordHeader(name, value.getBytes(StandardCharsets.UTF_8));
  }

  static byte[] utf8(String s) {
    return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Beam's coder, compared by encoding: ProducerRecord's equals compares byte arrays by identity,
   * which makes the Direct runner's mutation check warn about every element.
   */
  static final class RecordCoder extends ProducerRecordCoder<byte[], byte[]> {
    private static final long serialVersionUID = 1L;

    RecordCoder() {
      super(NullableCoder.of(ByteArrayCoder.of()), ByteArrayCoder.of());
    }

    @Override
    public Object structuralValue(ProducerRecord<byte[], byte[]> value) {
      try {
        return new StructuralByteArray(CoderUtils.encodeToByteArray(this, value));
      } catch (CoderException e) {
        throw new IllegalArgumentException("cannot encode a Kafka record", e);
      }
    }
  }

  /**
   * The partition count of a topic, looked up when the pipeline is built; fails if the topic does
   * not exist (it is never created by the lookup).
   */
  static int partitionCount(String bootstrapServers, String topic) {
    Map<String, Object> config =
        Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
            ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<PartitionInfo> partitions = consumer.partitionsFor(topic, METADATA_TIMEOUT);
      if (partitions == null || partitions.isEmpty()) {
        throw new IllegalArgumentException("Kafka topic " + topic + " does not exist");
      }
      return partitions.size();
    }
  }

  static void requireNonEmpty(String value, String what) {
    if (value == null || value.isEmpty()) {
      throw new IllegalArgumentException(what + " must not be empty");
    }
  }
}
