package io.beamline.io.kafka.testing;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Whole records of a topic (key, value, headers, partition), for tests of sinks; {@link
 * KafkaBrokerExtension#consumeAll} gives values only.
 */
public final class KafkaTopicRecords {
  private KafkaTopicRecords() {}

  /**
   * Every record in the topic when called, from the beginning of each partition up to its end
   * offset (the last stable offset with read_committed: aborted and open transactions are left
   * out, and so are transaction markers). Records keep their order within a partition;
   * partitions follow one another in partition order.
   */
  public static List<ConsumerRecord<byte[], byte[]>> readAll(
      String bootstrapServers, String topic, boolean readCommitted, Duration timeout) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(
        ConsumerConfig.ISOLATION_LEVEL_CONFIG,
        readCommitted ? "read_committed" : "read_uncommitted");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<PartitionInfo> infos = consumer.partitionsFor(topic, timeout);
      if (infos == null || infos.isEmpty()) {
        throw new AssertionError("Topic " + topic + " does not exist");
      }
      List<TopicPartition> partitions =
          infos.stream()
              .map(i -> new TopicPartition(topic, i.partition()))
              .sorted((a, b) -> Integer.compare(a.partition(), b.partition()))
              .collect(Collectors.toList());
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = endOffsets(bootstrapServers, consumer, partitions, readCommitted, timeout);
      Map<Integer, List<ConsumerRecord<byte[], byte[]>>> read = new LinkedHashMap<>();
      long deadline = System.nanoTime() + timeout.toNanos();
      while (!end.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue())) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError(
              "Did not reach the end of " + topic + " within " + timeout + "; end offsets " + end);
        }
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
          read.computeIfAbsent(r.partition(), k -> new ArrayList<>()).add(r);
        }
      }
      List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
      partitions.forEach(tp -> records.addAll(read.getOrDefault(tp.partition(), List.of())));
      return records;
    }
  }

  /** How long a committed transaction's markers may take to reach its partitions. */
  private static final Duration MARKERS_SETTLE = Duration.ofSeconds(5);

  /**
   * The end offsets to read to. With read_committed, the last stable offsets, waited for until
   * they reach the partitions' ends (at most {@link #MARKERS_SETTLE}): a producer's commit returns
   * before the broker has written the transaction's markers into every partition, and until then
   * that partition's last stable offset still stands before the committed records.
   */
  private static Map<TopicPartition, Long> endOffsets(
      String bootstrapServers,
      KafkaConsumer<byte[], byte[]> consumer,
      List<TopicPartition> partitions,
      boolean readCommitted,
      Duration timeout) {
    Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
    if (!readCommitted) {
      return end;
    }
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
    try (KafkaConsumer<byte[], byte[]> uncommitted =
        new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      long deadline = System.nanoTime() + Math.min(MARKERS_SETTLE.toNanos(), timeout.toNanos());
      while (System.nanoTime() < deadline) {
        Map<TopicPartition, Long> high = uncommitted.endOffsets(partitions, timeout);
        Map<TopicPartition, Long> stable = end;
        if (partitions.stream().allMatch(tp -> stable.get(tp) >= high.get(tp))) {
          return stable;
        }
        try {
          Thread.sleep(100);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return end;
        }
        end = consumer.endOffsets(partitions, timeout);
      }
      return end;
    }
  }

  /** A record's headers as names to UTF-8 text, in order (the last value of a repeated name). */
  public static Map<String, String> headers(ConsumerRecord<?, ?> record) {
    Map<String, String> headers = new LinkedHashMap<>();
    for (Header h : record.headers()) {
      headers.put(h.key(), h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8));
    }
    return headers;
  }

  /** UTF-8 text of bytes, null for null. */
  public static String text(byte[] bytes) {
    return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
  }
}
