package io.beamline.benchmarks.streaming;

import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongFunction;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Sends messages to a topic at a fixed rate: message i of a run is sent no earlier than
 * {@code start + i / rate}, and as soon as possible after (a producer that falls behind catches up
 * in a burst, and reports how far behind it fell). The record timestamp is the send time. A
 * benchmark must show that the producer was not its bottleneck: {@link Production} says whether
 * the rate was kept.
 */
final class PacedProducer implements AutoCloseable {
  /** Largest message: the sample's oversized lines (just over 1 MiB) must fit. */
  static final int MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

  /** What one paced run sent. */
  record Production(
      double targetRate, long planned, long sent, long acked, long failed, long firstSendMillis,
      long lastSendMillis, long maxBehindMillis, double achievedRate) {
    /** Every planned message went out, within 5 % of the target rate and never 1 s behind. */
    boolean keptRate() {
      return sent == planned && failed == 0 && achievedRate >= 0.95 * targetRate && maxBehindMillis < 1000;
    }
  }

  /** A message to send at a given wall-clock time. */
  record Outgoing(String key, byte[] value) {}

  private final KafkaProducer<String, byte[]> producer;
  private final String topic;
  private final AtomicLong sentTotal = new AtomicLong();
  private final AtomicLong acked = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicReference<String> firstFailure = new AtomicReference<>();

  PacedProducer(String bootstrapServers, String topic) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, MAX_MESSAGE_BYTES);
    // A few ms of batching: cheap for the producer, and a delay the freshness figures include.
    p.put(ProducerConfig.LINGER_MS_CONFIG, 2);
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
    this.producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    this.topic = topic;
  }

  /** Messages handed to the client so far, over all runs. */
  long sentTotal() {
    return sentTotal.get();
  }

  /**
   * Sends {@code round(rate * seconds)} messages, {@code messages.apply(sendMillis)} making each,
   * paced at {@code rate} per second; returns when the period is over and the broker has
   * acknowledged them all.
   */
  Production run(double rate, double seconds, LongFunction<Outgoing> messages) {
    long planned = Math.round(rate * seconds);
    long ackedBefore = acked.get();
    long failedBefore = failed.get();
    long startNanos = System.nanoTime();
    long first = -1;
    long last = -1;
    long maxBehindNanos = 0;
    long sent = 0;
    while (sent < planned) {
      long now = System.nanoTime();
      long due = Math.min(planned, (long) Math.floor((now - startNanos) / 1e9 * rate) + 1);
      if (sent >= due) {
        long nextDue = startNanos + (long) Math.ceil(sent / rate * 1e9);
        LockSupport.parkNanos(Math.max(10_000L, Math.min(nextDue - now, 1_000_000L)));
        continue;
      }
      while (sent < due) {
        long scheduled = startNanos + (long) (sent / rate * 1e9);
        maxBehindNanos = Math.max(maxBehindNanos, System.nanoTime() - scheduled);
        long sendMillis = System.currentTimeMillis();
        Outgoing m = messages.apply(sendMillis);
        producer.send(
            new ProducerRecord<>(topic, null, sendMillis, m.key(), m.value()),
            (meta, error) -> {
              if (error == null) {
                acked.incrementAndGet();
              } else {
                failed.incrementAndGet();
                firstFailure.compareAndSet(null, error.toString());
              }
            });
        if (first < 0) {
          first = sendMillis;
        }
        last = sendMillis;
        sent++;
        sentTotal.incrementAndGet();
      }
    }
    long endNanos = System.nanoTime();
    // The run lasts its whole period, so that runs back to back keep the rate too (a run of one
    // message would otherwise return at once and the next one follow immediately).
    long periodEnd = startNanos + (long) (planned / rate * 1e9);
    for (long now = System.nanoTime(); now < periodEnd; now = System.nanoTime()) {
      LockSupport.parkNanos(periodEnd - now);
    }
    producer.flush();
    double span = Math.max((endNanos - startNanos) / 1e9, planned / rate);
    return new Production(
        rate, planned, sent, acked.get() - ackedBefore, failed.get() - failedBefore, first, last,
        TimeUnit.NANOSECONDS.toMillis(maxBehindNanos), sent / span);
  }

  /** The first send error seen, or null (for the result: why messages failed). */
  String firstFailure() {
    return firstFailure.get();
  }

  @Override
  public void close() {
    producer.close(java.time.Duration.ofSeconds(10));
  }
}
