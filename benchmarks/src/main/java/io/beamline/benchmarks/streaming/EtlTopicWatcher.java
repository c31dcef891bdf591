package io.beamline.benchmarks.streaming;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads the stream's etl topic (read_committed: what a downstream consumer of the exactly-once
 * sink sees) and its dead-letter topic from the beginning, on a thread of its own. For every etl
 * row of an envelope of ours it records freshness = the moment the row was returned by poll minus
 * the send time carried in its event_id, filed under the rate step that sent the envelope. It also
 * counts rows, distinct events with rows, and dead letters: an event has been processed once one
 * of them is visible.
 */
final class EtlTopicWatcher implements AutoCloseable {
  /** Freshness samples of the envelopes sent in one rate step, in ms. */
  static final class StepSamples {
    private long[] samples = new long[1024];
    private int size;

    synchronized void add(long millis) {
      if (size == samples.length) {
        samples = Arrays.copyOf(samples, size * 2);
      }
      samples[size++] = millis;
    }

    synchronized Freshness freshness() {
      return Freshness.of(samples, size);
    }
  }

  private record StepRange(long firstSequence, StepSamples samples) {}

  private final KafkaConsumer<byte[], byte[]> consumer;
  private final String etlTopic;
  private final String prefix;
  private final Thread thread;
  private final AtomicLong rows = new AtomicLong();
  private final AtomicLong events = new AtomicLong();
  private final AtomicLong deadLetters = new AtomicLong();
  private final AtomicLong foreignRows = new AtomicLong();
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private final BitSet seen = new BitSet();
  private volatile List<StepRange> steps = List.of();
  private volatile boolean running = true;

  EtlTopicWatcher(String bootstrapServers, String etlTopic, String deadLetterTopic, String prefix) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
    p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 50);
    this.consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    this.etlTopic = etlTopic;
    this.prefix = prefix;
    List<TopicPartition> partitions = new ArrayList<>();
    for (String topic : deadLetterTopic == null ? List.of(etlTopic) : List.of(etlTopic, deadLetterTopic)) {
      for (PartitionInfo info : consumer.partitionsFor(topic, Duration.ofSeconds(30))) {
        partitions.add(new TopicPartition(topic, info.partition()));
      }
    }
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
    this.thread = new Thread(this::loop, "etl-topic-watcher");
    this.thread.setDaemon(true);
  }

  EtlTopicWatcher start() {
    thread.start();
    return this;
  }

  /** Files the freshness of envelopes from {@code firstSequence} on under a new step. */
  synchronized StepSamples beginStep(long firstSequence) {
    StepSamples s = new StepSamples();
    List<StepRange> next = new ArrayList<>(steps);
    next.add(new StepRange(firstSequence, s));
    steps = List.copyOf(next);
    return s;
  }

  long rows() {
    return rows.get();
  }

  /** Distinct events of ours with at least one visible etl row. */
  long events() {
    return events.get();
  }

  long deadLetters() {
    return deadLetters.get();
  }

  /** Events whose outcome (rows or a dead letter) is visible. */
  long processed() {
    return events.get() + deadLetters.get();
  }

  /** Rows whose key is not an event_id of ours (should stay 0). */
  long foreignRows() {
    return foreignRows.get();
  }

  private void loop() {
    try {
      while (running) {
        ConsumerRecords<byte[], byte[]> batch = consumer.poll(Duration.ofMillis(100));
        long visibleAt = System.currentTimeMillis();
        for (ConsumerRecord<byte[], byte[]> r : batch) {
          if (!r.topic().equals(etlTopic)) {
            deadLetters.incrementAndGet();
            continue;
          }
          rows.incrementAndGet();
          String key = r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8);
          long sequence = EnvelopePool.sequenceOf(key, prefix);
          long sentAt = EnvelopePool.sentAtMillis(key, prefix);
          if (sequence < 0 || sentAt < 0 || sequence > Integer.MAX_VALUE) {
            foreignRows.incrementAndGet();
            continue;
          }
          if (!seen.get((int) sequence)) {
            seen.set((int) sequence);
            events.incrementAndGet();
          }
          StepSamples s = stepOf(sequence);
          if (s != null) {
            s.add(visibleAt - sentAt);
          }
        }
      }
    } catch (org.apache.kafka.common.errors.WakeupException e) {
      // closing
    } catch (Throwable t) {
      failure.set(t);
    }
  }

  private StepSamples stepOf(long sequence) {
    StepSamples found = null;
    for (StepRange r : steps) {
      if (r.firstSequence() <= sequence) {
        found = r.samples();
      }
    }
    return found;
  }

  /** The error that stopped the reading thread, or null. */
  Throwable failure() {
    return failure.get();
  }

  @Override
  public void close() {
    running = false;
    consumer.wakeup();
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    consumer.close(Duration.ofSeconds(5));
  }
}
