package io.beamline.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.ArrayList;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Sends envelope files to a Kafka topic, one message per non-blank line, the line's bytes
 * unchanged (invalid UTF-8 included), taking a line from each file in turn: the generator writes
 * its lines round-robin over its files, so this sends them in the order they were generated. For
 * demos and tests: what a producer upstream of Beamline would do.
 */
public final class ProduceEnvelopeFiles {
  /** Largest message sent; the sample's oversized lines (just over 1 MiB) must fit. */
  public static final int MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

  private ProduceEnvelopeFiles() {}

  /** The non-blank lines of a file's bytes, without their line ends. */
  private static List<byte[]> lines(byte[] bytes) {
    List<byte[]> out = new ArrayList<>();
    int start = 0;
    for (int i = 0; i <= bytes.length; i++) {
      if (i == bytes.length || bytes[i] == '\n') {
        int end = i > start && bytes[i - 1] == '\r' ? i - 1 : i;
        if (!isBlank(bytes, start, end)) {
          out.add(Arrays.copyOfRange(bytes, start, end));
        }
        start = i + 1;
      }
    }
    return out;
  }

  /** Sends every line of {@code files} and waits until the broker has them all; returns the count. */
  public static long send(String bootstrapServers, String topic, List<Path> files)
      throws IOException, InterruptedException {
    return send(bootstrapServers, topic, null, files);
  }

  /**
   * As {@link #send(String, String, List)}, into one partition of the topic (null: the
   * producer's partitioner picks).
   */
  public static long send(String bootstrapServers, String topic, Integer partition, List<Path> files)
      throws IOException, InterruptedException {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, MAX_MESSAGE_BYTES);
    props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    List<Future<RecordMetadata>> sent = new ArrayList<>();
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
      List<List<byte[]>> lines = new ArrayList<>();
      int longest = 0;
      for (Path file : files) {
        List<byte[]> fileLines = lines(Files.readAllBytes(file));
        lines.add(fileLines);
        longest = Math.max(longest, fileLines.size());
      }
      for (int i = 0; i < longest; i++) {
        for (List<byte[]> fileLines : lines) {
          if (i < fileLines.size()) {
            sent.add(producer.send(new ProducerRecord<>(topic, partition, null, fileLines.get(i))));
          }
        }
      }
      producer.flush();
      for (Future<RecordMetadata> f : sent) {
        f.get();
      }
    } catch (ExecutionException e) {
      throw new IOException("Kafka did not accept a message for topic " + topic + ": " + e.getCause(), e);
    }
    return sent.size();
  }

  private static boolean isBlank(byte[] bytes, int from, int to) {
    for (int i = from; i < to; i++) {
      if (bytes[i] != ' ' && bytes[i] != '\t' && bytes[i] != '\r') {
        return false;
      }
    }
    return true;
  }
}
