package io.beamline.io;

import io.beamline.transforms.model.DeadLetter;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PDone;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;

/**
 * Writes dead letters to a Kafka topic, one message per dead letter: the value is the dlq zone's
 * JSON line ({@link DeadLetterJson}) in UTF-8, the key the UTF-8 bytes of {@code event_id} where
 * known (else none), and the headers {@code beamline.reason} (the reason's name), {@code
 * beamline.stage}, and {@code beamline.tenant}, {@code beamline.source} and {@code beamline.table}
 * where known. Written at least once, with an idempotent producer.
 */
public final class WriteDeadLettersToKafka extends PTransform<PCollection<DeadLetter>, PDone> {
  private final String bootstrapServers;
  private final String topic;

  private WriteDeadLettersToKafka(String bootstrapServers, String topic) {
    this.bootstrapServers = bootstrapServers;
    this.topic = topic;
  }

  public static WriteDeadLettersToKafka to(String bootstrapServers, String topic) {
    KafkaSinks.requireNonEmpty(bootstrapServers, "--bootstrapServers");
    KafkaSinks.requireNonEmpty(topic, "--deadLetterTopic");
    return new WriteDeadLettersToKafka(bootstrapServers, topic);
  }

  @Override
  public PDone expand(PCollection<DeadLetter> deadLetters) {
    return deadLetters
        .apply("ToProducerRecords", ParDo.of(new ToRecordFn(topic)))
        .setCoder(KafkaSinks.coder())
        .apply("WriteKafka", KafkaSinks.writer(bootstrapServers, topic));
  }

  static final class ToRecordFn extends DoFn<DeadLetter, ProducerRecord<byte[], byte[]>> {
    private final String topic;

    ToRecordFn(String topic) {
      this.topic = topic;
    }

    @ProcessElement
    public void process(@Element DeadLetter d, OutputReceiver<ProducerRecord<byte[], byte[]>> out) {
      List<Header> headers = new ArrayList<>(5);
      headers.add(KafkaSinks.header(KafkaSinks.REASON, d.reason().name()));
      headers.add(KafkaSinks.header(KafkaSinks.STAGE, d.stage()));
      addIfKnown(headers, KafkaSinks.TENANT, d.tenant());
      addIfKnown(headers, KafkaSinks.SOURCE, d.source());
      addIfKnown(headers, KafkaSinks.TABLE, d.table());
      out.output(
          KafkaSinks.record(
              topic, KafkaSinks.utf8(d.eventId()), KafkaSinks.utf8(DeadLetterJson.format(d)), headers));
    }

    private static void addIfKnown(List<Header> headers, String name, String value) {
      if (value != null) {
        headers.add(KafkaSinks.header(name, value));
      }
    }
  }
}
