package io.beamline.io;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.beamline.transforms.DeadLetters;
import io.beamline.transforms.EventTimeDeadline;
import io.beamline.transforms.Json;
import io.beamline.transforms.model.DeadLetter;
import java.io.IOException;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.io.kafka.KafkaIO;
import org.apache.beam.sdk.io.kafka.KafkaRecord;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.WithFailures;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * Reads envelopes from Kafka, one per message value, timestamped with their {@code event_time}
 * under a watermark that trails the largest event time by the allowed out-of-orderness (see
 * {@link EventTimePolicy}, which also marks records already past their lateness deadline). Values
 * over the size limit or not UTF-8 go to the dead-letter output, like lines of a file. Bounded by a
 * record count or read time when asked.
 */
public final class ReadEnvelopesFromKafka
    extends PTransform<PBegin, WithFailures.Result<PCollection<String>, DeadLetter>> {
  /** The stage name of this reader's dead letters, the same as the file reader's. */
  public static final String STAGE = ReadEnvelopeLines.STAGE;

  private static final TupleTag<String> VALUES = new TupleTag<String>("values") {};

  private final String bootstrapServers;
  private final List<String> topics;
  private final String consumerGroup;
  private final String startOffset;
  private final long maxRecords;
  private final long maxReadTimeSeconds;
  private final Duration outOfOrderness;
  private final int maxRecordBytes;
  private final EventTimeDeadline lateAfter;

  private ReadEnvelopesFromKafka(
      String bootstrapServers,
      List<String> topics,
      String consumerGroup,
      String startOffset,
      long maxRecords,
      long maxReadTimeSeconds,
      Duration outOfOrderness,
      int maxRecordBytes,
      EventTimeDeadline lateAfter) {
    this.bootstrapServers = bootstrapServers;
    this.topics = List.copyOf(topics);
    this.consumerGroup = consumerGroup;
    this.startOffset = startOffset;
    this.maxRecords = maxRecords;
    this.maxReadTimeSeconds = maxReadTimeSeconds;
    this.outOfOrderness = outOfOrderness;
    this.maxRecordBytes = maxRecordBytes;
    this.lateAfter = lateAfter;
  }

  public static ReadEnvelopesFromKafka from(String bootstrapServers, List<String> topics) {
    return new ReadEnvelopesFromKafka(
        bootstrapServers, topics, "beamline-stream", "earliest", 0, 0, Duration.standardSeconds(30), 1_048_576, null);
  }

  public ReadEnvelopesFromKafka withConsumerGroup(String group) {
    return new ReadEnvelopesFromKafka(
        bootstrapServers, topics, group, startOffset, maxRecords, maxReadTimeSeconds, outOfOrderness, maxRecordBytes, lateAfter);
  }

  /** {@code earliest} or {@code latest}: where a group without committed offsets starts. */
  public ReadEnvelopesFromKafka withStartOffset(String offset) {
    if (!offset.equals("earliest") && !offset.equals("latest")) {
      throw new IllegalArgumentException("--startOffset must be earliest or latest, got " + offset);
    }
    return new ReadEnvelopesFromKafka(
        bootstrapServers, topics, consumerGroup, offset, maxRecords, maxReadTimeSeconds, outOfOrderness, maxRecordBytes, lateAfter);
  }

  /** Stops after this many records (0: unbounded). */
  public ReadEnvelopesFromKafka withMaxRecords(long records) {
    return new ReadEnvelopesFromKafka(
        bootstrapServers, topics, consumerGroup, startOffset, records, maxReadTimeSeconds, outOfOrderness, maxRecordBytes, lateAfter);
  }

  /** Stops after reading this long (0: unbounded). */
  public ReadEnvelopesFromKafka withMaxReadTimeSeconds(long seconds) {
    return new ReadEnvelopesFromKafka(
        bootstrapServers, topics, consumerGroup, startOffset, maxRecords, seconds, outOfOrderness, maxRecordBytes, lateAfter);
  }

  public ReadEnvelopesFromKafka withOutOfOrderness(Duration delay) {
    return new ReadEnvelopesFromKafka(
        bootstrapServers, topics, consumerGroup, startOffset, maxRecords, maxReadTimeSeconds, delay, maxRecordBytes, lateAfter);
  }

  public ReadEnvelopesFromKafka withMaxRecordBytes(int bytes) {
    return new ReadEnvelopesFromKafka(
        bootstrapServers, topics, consumerGroup, startOffset, maxRecords, maxReadTimeSeconds, outOfOrderness, bytes, lateAfter);
  }

  /**
   * Stamps records already past {@code deadline} when read with the watermark instead of their
   * event time, which marks them as late for {@link io.beamline.transforms.RouteLateData}.
   */
  public ReadEnvelopesFromKafka withLateDataPast(EventTimeDeadline deadline) {
    return new ReadEnvelopesFromKafka(
        bootstrapServers, topics, consumerGroup, startOffset, maxRecords, maxReadTimeSeconds, outOfOrderness, maxRecordBytes, deadline);
  }

  /** Whether the read ends by itself, making the rest of the pipeline bounded too. */
  public boolean isBounded() {
    return maxRecords > 0 || maxReadTimeSeconds > 0;
  }

  @Override
  public WithFailures.Result<PCollection<String>, DeadLetter> expand(PBegin begin) {
    Duration delay = outOfOrderness;
    EventTimeDeadline deadline = lateAfter;
    KafkaIO.Read<byte[], byte[]> read =
        KafkaIO.<byte[], byte[]>read()
            .withBootstrapServers(bootstrapServers)
            .withTopics(topics)
            .withKeyDeserializer(ByteArrayDeserializer.class)
            .withValueDeserializer(ByteArrayDeserializer.class)
            .withConsumerConfigUpdates(
                Map.of(
                    ConsumerConfig.GROUP_ID_CONFIG, consumerGroup,
                    ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, startOffset,
                    ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"))
            .withTimestampPolicyFactory(
                (partition, previousWatermark) -> new EventTimePolicy(delay, deadline, previousWatermark))
            .commitOffsetsInFinalize();
    if (maxRecords > 0) {
      read = read.withMaxNumRecords(maxRecords);
    }
    if (maxReadTimeSeconds > 0) {
      read = read.withMaxReadTime(Duration.standardSeconds(maxReadTimeSeconds));
    }
    PCollectionTuple out =
        begin
            .apply("ReadKafka", read)
            .apply(
                "DecodeValues",
                ParDo.of(new DecodeValueFn(maxRecordBytes))
                    .withOutputTags(VALUES, TupleTagList.of(DeadLetters.TAG)));
    return WithFailures.Result.of(out.get(VALUES), out.get(DeadLetters.TAG));
  }

  /**
   * The envelope's event_time, read from the value without building a tree; null when the value
   * has none that parses (such records are rejected later anyway).
   */
  static Instant eventTimeOf(KafkaRecord<byte[], byte[]> record) {
    byte[] value = record.getKV().getValue();
    if (value != null) {
      try (JsonParser p = Json.MAPPER.getFactory().createParser(value)) {
        if (p.nextToken() == JsonToken.START_OBJECT) {
          while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken token = p.nextToken();
            if (name.equals("event_time") && token == JsonToken.VALUE_STRING) {
              return new Instant(
                  OffsetDateTime.parse(p.getText(), DateTimeFormatter.ISO_OFFSET_DATE_TIME)
                      .toInstant()
                      .toEpochMilli());
            }
            p.skipChildren();
          }
        }
      } catch (IOException | RuntimeException unreadable) {
        // Falls back to the Kafka timestamp below.
      }
    }
    return null;
  }

  static final class DecodeValueFn extends DoFn<KafkaRecord<byte[], byte[]>, String> {
    private final int maxRecordBytes;
    private final Counter recordsIn = Metrics.counter(DeadLetters.METRICS_NAMESPACE, "records_in");
    private transient RecordDecoder decoder;

    DecodeValueFn(int maxRecordBytes) {
      this.maxRecordBytes = maxRecordBytes;
    }

    @Setup
    public void setup() {
      decoder = new RecordDecoder(STAGE, maxRecordBytes);
    }

    @ProcessElement
    public void process(ProcessContext c) {
      KafkaRecord<byte[], byte[]> record = c.element();
      byte[] value = record.getKV().getValue() == null ? new byte[0] : record.getKV().getValue();
      recordsIn.inc();
      decoder.decode(
          c,
          value,
          value.length,
          value.length,
          "message " + record.getTopic() + "/" + record.getPartition() + "@" + record.getOffset());
    }
  }
}
