package io.beamline.io.kafka.testing;

import io.beamline.io.kafka.LocalKafkaBroker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real Kafka broker ({@link LocalKafkaBroker}) for one test class: started before its first
 * test, stopped after its last. Register it on a static field:
 *
 * <pre>{@code @RegisterExtension static KafkaBrokerExtension kafka = new KafkaBrokerExtension();}</pre>
 *
 * <p>Each class gets a fresh broker and data dir, so topic names need only be unique per class.
 */
public final class KafkaBrokerExtension implements BeforeAllCallback, AfterAllCallback {
  private LocalKafkaBroker broker;
  /** The class that started the broker: @Nested classes see the extension too, but share it. */
  private String owner;

  @Override
  public void beforeAll(ExtensionContext context) {
    if (broker == null) {
      broker = LocalKafkaBroker.start();
      owner = context.getUniqueId();
    }
  }

  @Override
  public void afterAll(ExtensionContext context) {
    if (broker != null && context.getUniqueId().equals(owner)) {
      broker.close();
      broker = null;
    }
  }

  /** The broker itself, e.g. to {@link LocalKafkaBroker#stop()} and restart it in a fault test. */
  public LocalKafkaBroker broker() {
    if (broker == null) {
      throw new IllegalStateException(
          "The Kafka broker is not running: register the extension on a static field");
    }
    return broker;
  }

  public String bootstrapServers() {
    return broker().bootstrapServers();
  }

  /** Creates a topic and waits until it can be used; false if it already existed. */
  public boolean createTopic(String name, int partitions) {
    return broker().createTopic(name, partitions);
  }

  /** Writes values (keys null) with an idempotent producer, acks=all, and waits for every ack. */
  public void produce(String topic, List<byte[]> values) {
    produce(bootstrapServers(), topic, values);
  }

  /** Every value in the topic now; see {@link #consumeAll(String, String, boolean, Duration)}. */
  public List<byte[]> consumeAll(String topic, boolean readCommitted, Duration timeout) {
    return consumeAll(bootstrapServers(), topic, readCommitted, timeout);
  }

  /** {@link #produce(String, List)} against any broker. */
  public static void produce(String bootstrapServers, String topic, List<byte[]> values) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "30000");
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
      List<Future<RecordMetadata>> acks = new ArrayList<>();
      for (byte[] value : values) {
        acks.add(producer.send(new ProducerRecord<>(topic, null, value)));
      }
      producer.flush();
      for (Future<RecordMetadata> ack : acks) {
        ack.get();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while producing to " + topic, e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("Producing to " + topic + " failed: " + e.getCause(), e);
    }
  }

  /**
   * Every value in the topic when called, read from the beginning of each partition up to its end
   * offset (the last stable offset with read_committed, so aborted and still-open transactions
   * are left out). Values keep their order within a partition; partitions follow one another in
   * partition order. Fails if the end is not reached within the timeout.
   */
  public static List<byte[]> consumeAll(
      String bootstrapServers, String topic, boolean readCommitted, Duration timeout) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(
        ConsumerConfig.ISOLATION_LEVEL_CONFIG,
        readCommitted ? "read_committed" : "read_uncommitted");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    // No group: partitions are assigned by hand, so no rebalance to wait for and no offsets kept.
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
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
      Map<TopicPartition, List<byte[]>> read = new HashMap<>();
      long deadline = System.nanoTime() + timeout.toNanos();
      while (!reachedEnd(consumer, end)) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError(
              "Did not reach the end of " + topic + " within " + timeout + "; end offsets " + end);
        }
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
          read.computeIfAbsent(new TopicPartition(r.topic(), r.partition()), k -> new ArrayList<>())
              .add(r.value());
        }
      }
      List<byte[]> values = new ArrayList<>();
      partitions.forEach(tp -> values.addAll(read.getOrDefault(tp, List.of())));
      return values;
    }
  }

  private static boolean reachedEnd(KafkaConsumer<?, ?> consumer, Map<TopicPartition, Long> end) {
    return end.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue());
  }
}
