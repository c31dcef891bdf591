package io.beamline.io;

import static io.beamline.io.kafka.testing.KafkaTopicRecords.headers;
import static io.beamline.io.kafka.testing.KafkaTopicRecords.text;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.nullValue;

import com.fasterxml.jackson.databind.JsonNode;
import io.beamline.io.kafka.testing.KafkaBrokerExtension;
import io.beamline.io.kafka.testing.KafkaTopicRecords;
import io.beamline.transforms.Json;
import io.beamline.transforms.model.DeadLetter;
import io.beamline.transforms.model.DeadLetterReason;
import io.beamline.transforms.testing.TestPipelineExtension;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Dead letters written to a real Kafka broker, read back with a plain consumer. */
@ExtendWith(TestPipelineExtension.class)
class WriteDeadLettersToKafkaTest {
  @RegisterExtension static KafkaBrokerExtension kafka = new KafkaBrokerExtension();

  private static final Duration TIMEOUT = Duration.ofSeconds(20);
  private static final long REJECTED_AT = Instant.parse("2026-11-22T08:00:00Z").toEpochMilli();

  /** Rejected before anything of the envelope was known. */
  private static final DeadLetter MALFORMED =
      DeadLetter.builder("parse", DeadLetterReason.MALFORMED_JSON, "not valid JSON at line 1, column 2")
          .raw("{not json")
          .build()
          .withRejectedAtMillis(REJECTED_AT);

  /** Rejected after the envelope was read: its identity is known. */
  private static final DeadLetter VIOLATION =
      DeadLetter.builder("validate", DeadLetterReason.SCHEMA_VIOLATION, "quantity: below min 1")
          .raw("{\"event_id\":\"e7\"}")
          .eventId("e7")
          .tenant("acme")
          .source("shop")
          .table("order_items")
          .eventTimeMillis(Instant.parse("2026-11-20T10:15:00Z").toEpochMilli())
          .build()
          .withRejectedAtMillis(REJECTED_AT);

  private static List<ConsumerRecord<byte[], byte[]>> writeAndRead(TestPipeline p, String topic) {
    kafka.createTopic(topic, 1);
    p.apply(Create.of(List.of(MALFORMED, VIOLATION)))
        .apply(WriteDeadLettersToKafka.to(kafka.bootstrapServers(), topic));
    p.run().waitUntilFinish();
    return KafkaTopicRecords.readAll(kafka.bootstrapServers(), topic, false, TIMEOUT);
  }

  private static ConsumerRecord<byte[], byte[]> withReason(
      List<ConsumerRecord<byte[], byte[]>> records, DeadLetterReason reason) {
    return records.stream()
        .filter(r -> reason.name().equals(headers(r).get("beamline.reason")))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no message with reason header " + reason));
  }

  @Test
  void eachDeadLetterArrivesWithItsReasonInHeaderAndValue(TestPipeline p) throws IOException {
    List<ConsumerRecord<byte[], byte[]>> records = writeAndRead(p, "dlq-reasons");

    assertThat(
        records.stream().map(r -> headers(r).get("beamline.reason")).collect(Collectors.toList()),
        containsInAnyOrder("MALFORMED_JSON", "SCHEMA_VIOLATION"));
    for (ConsumerRecord<byte[], byte[]> r : records) {
      JsonNode value = Json.MAPPER.readTree(r.value());
      assertThat(value.get("reason").textValue(), is(headers(r).get("beamline.reason")));
    }
  }

  @Test
  void valueIsTheDlqZoneJsonLine(TestPipeline p) {
    List<ConsumerRecord<byte[], byte[]>> records = writeAndRead(p, "dlq-values");

    assertThat(
        records.stream().map(r -> text(r.value())).collect(Collectors.toList()),
        containsInAnyOrder(DeadLetterJson.format(MALFORMED), DeadLetterJson.format(VIOLATION)));
  }

  @Test
  void knownEnvelopeFieldsGiveKeyAndHeaders(TestPipeline p) {
    ConsumerRecord<byte[], byte[]> r =
        withReason(writeAndRead(p, "dlq-known"), DeadLetterReason.SCHEMA_VIOLATION);

    assertThat(text(r.key()), is("e7"));
    assertThat(
        headers(r),
        is(
            Map.of(
                "beamline.reason", "SCHEMA_VIOLATION",
                "beamline.stage", "validate",
                "beamline.tenant", "acme",
                "beamline.source", "shop",
                "beamline.table", "order_items")));
  }

  @Test
  void unknownEnvelopeFieldsLeaveNoKeyAndOnlyReasonAndStageHeaders(TestPipeline p) {
    ConsumerRecord<byte[], byte[]> r =
        withReason(writeAndRead(p, "dlq-unknown"), DeadLetterReason.MALFORMED_JSON);

    assertThat(r.key(), is(nullValue()));
    assertThat(headers(r), is(Map.of("beamline.reason", "MALFORMED_JSON", "beamline.stage", "parse")));
  }
}
