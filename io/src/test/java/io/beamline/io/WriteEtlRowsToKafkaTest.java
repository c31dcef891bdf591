package io.beamline.io;

import static io.beamline.io.kafka.testing.KafkaTopicRecords.headers;
import static io.beamline.io.kafka.testing.KafkaTopicRecords.text;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasEntry;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.beamline.io.kafka.testing.KafkaBrokerExtension;
import io.beamline.io.kafka.testing.KafkaTopicRecords;
import io.beamline.transforms.model.EtlRow;
import io.beamline.transforms.schema.TableSchemas;
import io.beamline.transforms.testing.TestPipelineExtension;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Etl rows written to a real Kafka broker, read back with a plain consumer. */
@ExtendWith(TestPipelineExtension.class)
class WriteEtlRowsToKafkaTest {
  @RegisterExtension static KafkaBrokerExtension kafka = new KafkaBrokerExtension();

  private static final TableSchemas SCHEMAS = TableSchemas.load(Path.of("../schemas"));
  private static final Instant INGESTED = Instant.parse("2026-11-22T08:00:00.123456Z");
  private static final long INGESTED_MICROS = ChronoUnit.MICROS.between(Instant.EPOCH, INGESTED);
  private static final long T10 = Instant.parse("2026-11-20T10:15:00Z").toEpochMilli();
  private static final Duration TIMEOUT = Duration.ofSeconds(20);

  private static EtlRow item(String eventId, int line, String price, String discount) {
    return new EtlRow(
        "shop",
        "order_items",
        "acme",
        eventId,
        T10,
        "{\"order_id\":\"O-1\",\"line_no\":" + line + ",\"sku\":\"SKU-00001\",\"category\":\"books\","
            + "\"quantity\":2,\"unit_price\":\"" + price + "\",\"discount\":" + discount
            + ",\"_extra\":null}");
  }

  private static void write(TestPipeline p, WriteEtlRowsToKafka sink, EtlRow... rows) {
    p.apply(Create.of(Arrays.asList(rows))).apply(sink.withIngestedAt(INGESTED));
    p.run().waitUntilFinish();
  }

  private static List<ConsumerRecord<byte[], byte[]>> read(String topic, boolean readCommitted) {
    return KafkaTopicRecords.readAll(kafka.bootstrapServers(), topic, readCommitted, TIMEOUT);
  }

  private static WriteEtlRowsToKafka avroTo(String topic) {
    return WriteEtlRowsToKafka.to(kafka.bootstrapServers(), topic)
        .withFormat(WriteEtlRowsToKafka.Format.AVRO)
        .withSchemas(SCHEMAS);
  }

  private static Schema orderItemsSchema() {
    return new EtlAvroSchemas(SCHEMAS).of("shop", "order_items");
  }

  @Test
  void jsonValueHoldsMetadataThenColumnsWithNumbersDigitForDigit(TestPipeline p) {
    kafka.createTopic("json-value", 1);

    write(
        p,
        WriteEtlRowsToKafka.to(kafka.bootstrapServers(), "json-value"),
        item("e1", 1, "12345678901234567.89", "0.10"));

    assertThat(
        text(read("json-value", false).get(0).value()),
        is(
            "{\"event_id\":\"e1\",\"tenant\":\"acme\",\"source\":\"shop\",\"table\":\"order_items\","
                + "\"event_time\":\"2026-11-20T10:15:00.000Z\","
                + "\"_ingested_at\":\"2026-11-22T08:00:00.123456Z\","
                + "\"order_id\":\"O-1\",\"line_no\":1,\"sku\":\"SKU-00001\",\"category\":\"books\","
                + "\"quantity\":2,\"unit_price\":\"12345678901234567.89\",\"discount\":0.10,"
                + "\"_extra\":null}"));
  }

  @Test
  void keyIsTheEventIdSoAnEventsRowsShareAPartition(TestPipeline p) {
    kafka.createTopic("json-keys", 4);

    write(
        p,
        WriteEtlRowsToKafka.to(kafka.bootstrapServers(), "json-keys"),
        item("e1", 1, "1.00", "0"), item("e1", 2, "2.00", "0"), item("e1", 3, "3.00", "0"),
        item("e2", 1, "4.00", "0"));

    List<ConsumerRecord<byte[], byte[]>> records = read("json-keys", false);
    assertThat(
        records.stream().map(r -> text(r.key())).collect(Collectors.toList()),
        containsInAnyOrder("e1", "e1", "e1", "e2"));
    assertThat(
        records.stream()
            .filter(r -> text(r.key()).equals("e1"))
            .map(ConsumerRecord::partition)
            .distinct()
            .count(),
        is(1L));
  }

  @Test
  void jsonHeadersNameSourceTableAndTenant(TestPipeline p) {
    kafka.createTopic("json-headers", 1);

    write(p, WriteEtlRowsToKafka.to(kafka.bootstrapServers(), "json-headers"), item("e1", 1, "1.00", "0"));

    assertThat(
        headers(read("json-headers", false).get(0)),
        is(Map.of("beamline.source", "shop", "beamline.table", "order_items", "beamline.tenant", "acme")));
  }

  @Test
  void avroValueDecodesWithTheTableSchemaToTheSameFieldValues(TestPipeline p) {
    kafka.createTopic("avro-value", 1);
    EtlRow row = item("e1", 7, "12345678901234567.89", "0.25");

    write(p, avroTo("avro-value"), row);

    GenericRecord decoded =
        decode(read("avro-value", false).get(0).value(), orderItemsSchema());
    assertThat(decoded, is(new EtlAvroSchemas(SCHEMAS).toRecord(row, INGESTED_MICROS)));
    assertThat(decoded.get("event_id").toString(), is("e1"));
    assertThat(decoded.get("line_no"), is(7));
    assertThat(
        new BigDecimal(new BigInteger(bytes((ByteBuffer) decoded.get("unit_price"))), 2),
        is(new BigDecimal("12345678901234567.89")));
    assertThat(decoded.get("_ingested_at"), is(INGESTED_MICROS));
  }

  @Test
  void avroMessagesCarryTheSchemaFingerprintInHeaderAndSingleObjectPrefix(TestPipeline p) {
    kafka.createTopic("avro-fingerprint", 1);

    write(p, avroTo("avro-fingerprint"), item("e1", 1, "1.00", "0"));

    ConsumerRecord<byte[], byte[]> record = read("avro-fingerprint", false).get(0);
    long fingerprint = SchemaNormalization.parsingFingerprint64(orderItemsSchema());
    assertThat(headers(record), hasEntry("beamline.schema_fingerprint", String.format("%016x", fingerprint)));
    byte[] littleEndian = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(fingerprint).array();
    assertThat(
        HexFormat.of().formatHex(Arrays.copyOf(record.value(), 10)),
        is("c301" + HexFormat.of().formatHex(littleEndian)));
  }

  @Test
  void avroWithoutSchemasFailsNamingEtlFormat() {
    WriteEtlRowsToKafka sink =
        WriteEtlRowsToKafka.to(kafka.bootstrapServers(), "never-written")
            .withFormat(WriteEtlRowsToKafka.Format.AVRO);
    // A plain pipeline, never run: one whose expansion failed cannot be run or validated.
    Pipeline p = Pipeline.create(PipelineOptionsFactory.create());

    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> p.apply(Create.of(List.of(item("e1", 1, "1.00", "0")))).apply(sink));

    assertThat(e.getMessage(), containsString("--etlFormat"));
  }

  @Test
  void formatOptionOtherThanJsonOrAvroFailsNamingEtlFormat() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> WriteEtlRowsToKafka.Format.parse("csv"));

    assertThat(e.getMessage(), containsString("--etlFormat"));
  }

  @Test
  void exactlyOnceWritesEveryRowOnceForReadCommittedConsumers(TestPipeline p) {
    kafka.createTopic("eos-rows", 2);
    EtlRow[] rows =
        IntStream.range(0, 30).mapToObj(i -> item("e" + i, 1, "1.00", "0")).toArray(EtlRow[]::new);

    write(p, WriteEtlRowsToKafka.to(kafka.bootstrapServers(), "eos-rows").withExactlyOnce(1, "test-group"), rows);

    assertThat(
        read("eos-rows", true).stream().map(r -> text(r.key())).collect(Collectors.toList()),
        containsInAnyOrder(Arrays.stream(rows).map(EtlRow::eventId).toArray()));
  }

  @Test
  void exactlyOnceWithMoreShardsThanPartitionsFailsNamingKafkaSinkShards() {
    kafka.createTopic("eos-one-partition", 1);
    WriteEtlRowsToKafka sink =
        WriteEtlRowsToKafka.to(kafka.bootstrapServers(), "eos-one-partition")
            .withExactlyOnce(2, "test-group-shards");
    Pipeline p = Pipeline.create(PipelineOptionsFactory.create());

    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> p.apply(Create.of(List.of(item("e1", 1, "1.00", "0")))).apply(sink));

    assertThat(e.getMessage(), containsString("--kafkaSinkShards"));
  }

  @Test
  void exactlyOnceKeepsTheHeaders(TestPipeline p) {
    kafka.createTopic("eos-headers", 1);

    write(p, avroTo("eos-headers").withExactlyOnce(1, "test-group-headers"), item("e1", 1, "1.00", "0"));

    Map<String, String> received = headers(read("eos-headers", true).get(0));
    assertThat(received.get("beamline.table"), is("order_items"));
    assertThat(received.get("beamline.tenant"), is("acme"));
    assertThat(received.get("beamline.schema_fingerprint"), is(notNullValue()));
  }

  private static GenericRecord decode(byte[] value, Schema schema) {
    try {
      return new BinaryMessageDecoder<GenericRecord>(GenericData.get(), schema).decode(value);
    } catch (IOException e) {
      throw new AssertionError("not Avro single-object encoding of " + schema.getFullName(), e);
    }
  }

  private static byte[] bytes(ByteBuffer b) {
    byte[] out = new byte[b.remaining()];
    b.duplicate().get(out);
    return out;
  }
}
