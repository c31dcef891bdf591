package io.beamline.benchmarks.streaming;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;

import io.beamline.io.kafka.LocalKafkaBroker;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class PacedProducerTest {
  private static LocalKafkaBroker broker;

  @BeforeAll
  static void startBroker() {
    broker = LocalKafkaBroker.builder().partitions(2).start();
  }

  @AfterAll
  static void stopBroker() {
    if (broker != null) {
      broker.close();
    }
  }

  /**
   * 500 messages at 250/s: all arrive, once each, and the send timestamps span at least the 1.996 s
   * the schedule imposes (message i is never sent before start + i/250 s). Only that lower bound is
   * asserted: how much later a busy machine sends is not this test's business.
   */
  @Test
  void sendsEveryMessageOnceNoFasterThanTheRate() {
    broker.createTopic("paced", 2);
    AtomicLong counter = new AtomicLong();
    PacedProducer.Production production;
    try (PacedProducer producer = new PacedProducer(broker.bootstrapServers(), "paced")) {
      production =
          producer.run(
              250,
              2,
              now -> {
                long n = counter.getAndIncrement();
                return new PacedProducer.Outgoing("k" + n, ("m" + n).getBytes(StandardCharsets.UTF_8));
              });
    }

    List<ConsumerRecord<byte[], byte[]>> records = readAll("paced", 500);
    Set<String> values = new HashSet<>();
    long first = Long.MAX_VALUE;
    long last = Long.MIN_VALUE;
    for (ConsumerRecord<byte[], byte[]> r : records) {
      values.add(new String(r.value(), StandardCharsets.UTF_8));
      first = Math.min(first, r.timestamp());
      last = Math.max(last, r.timestamp());
    }
    assertThat(production.planned(), equalTo(500L));
    assertThat(production.sent(), equalTo(500L));
    assertThat(production.acked(), equalTo(500L));
    assertThat(records.size(), equalTo(500));
    assertThat(values.size(), equalTo(500));
    assertThat(last - first, greaterThanOrEqualTo(1_990L));
    assertThat(production.lastSendMillis() - production.firstSendMillis(), equalTo(last - first));
  }

  /** Runs of one message each, back to back, still keep the rate: each lasts its period. */
  @Test
  void runsBackToBackKeepTheRate() {
    broker.createTopic("paced-chunks", 1);
    List<Long> sendTimes = new ArrayList<>();
    try (PacedProducer producer = new PacedProducer(broker.bootstrapServers(), "paced-chunks")) {
      for (int i = 0; i < 5; i++) {
        producer.run(10, 0.1, now -> {
          sendTimes.add(now);
          return new PacedProducer.Outgoing(null, new byte[] {1});
        });
      }
      assertThat(producer.sentTotal(), equalTo(5L));
    }
    assertThat(sendTimes.get(4) - sendTimes.get(0), greaterThanOrEqualTo(390L));
  }

  @Test
  void aRunWithNothingPlannedSendsNothingAndKeepsItsRate() {
    broker.createTopic("paced-empty", 1);
    try (PacedProducer producer = new PacedProducer(broker.bootstrapServers(), "paced-empty")) {
      PacedProducer.Production p = producer.run(100, 0.001, now -> {
        throw new AssertionError("nothing should be sent");
      });
      assertThat(p.sent(), equalTo(0L));
      assertThat(producer.sentTotal(), equalTo(0L));
    }
  }

  private static List<ConsumerRecord<byte[], byte[]>> readAll(String topic, int expected) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> parts =
          c.partitionsFor(topic).stream().map(i -> new TopicPartition(topic, i.partition())).toList();
      c.assign(parts);
      c.seekToBeginning(parts);
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (out.size() < expected && System.nanoTime() < deadline) {
        c.poll(Duration.ofMillis(200)).forEach(out::add);
      }
      // Anything beyond the expected count would be a duplicate: one more short poll shows it.
      c.poll(Duration.ofMillis(500)).forEach(out::add);
    }
    return out;
  }
}
