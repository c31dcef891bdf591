package io.beamline.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.beamline.transforms.Json;
import io.beamline.transforms.model.EtlRow;
import io.beamline.transforms.schema.TableSchemas;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PDone;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;

/**
 * Writes etl rows to a Kafka topic, one message per row, keyed by the UTF-8 bytes of {@code
 * event_id} (so one event's rows share a partition), with headers {@code beamline.source}, {@code
 * beamline.table}, {@code beamline.tenant} and, for Avro, {@code beamline.schema_fingerprint}.
 *
 * <p>The value is either JSON (an object of {@code event_id}, {@code tenant}, {@code source},
 * {@code table}, {@code event_time} and {@code _ingested_at} as ISO-8601 UTC, then the row's
 * columns exactly as validated: decimals as strings, timestamps as epoch microseconds, dates as
 * epoch days) or Avro single-object encoding of the table's etl schema ({@link EtlAvroSchemas},
 * the schema of the etl Parquet files), which a consumer holding the schema decodes with {@code
 * BinaryMessageDecoder}.
 *
 * <p>Writes at least once, with an idempotent producer; {@link #withExactlyOnce} writes in Kafka
 * transactions instead ({@link TransactionalKafkaWrite}), headers included.
 */
public final class WriteEtlRowsToKafka extends PTransform<PCollection<EtlRow>, PDone> {
  /** The value format of the messages. */
  public enum Format {
    JSON,
    AVRO;

    /** Parses the value of {@code --etlFormat}: {@code json} or {@code avro}. */
    public static Format parse(String option) {
      if (option != null) {
        for (Format f : values()) {
          if (f.name().equalsIgnoreCase(option.trim())) {
            return f;
          }
        }
      }
      throw new IllegalArgumentException("--etlFormat must be json or avro, got " + option);
    }
  }

  private final String bootstrapServers;
  private final String topic;
  private final Format format;
  private final TableSchemas schemas;
  private final Instant ingestedAt;
  private final int exactlyOnceShards;
  private final String sinkGroupId;

  private WriteEtlRowsToKafka(
      String bootstrapServers,
      String topic,
      Format format,
      TableSchemas schemas,
      Instant ingestedAt,
      int exactlyOnceShards,
      String sinkGroupId) {
    this.bootstrapServers = bootstrapServers;
    this.topic = topic;
    this.format = format;
    this.schemas = schemas;
    this.ingestedAt = ingestedAt;
    this.exactlyOnceShards = exactlyOnceShards;
    this.sinkGroupId = sinkGroupId;
  }

  public static WriteEtlRowsToKafka to(String bootstrapServers, String topic) {
    KafkaSinks.requireNonEmpty(bootstrapServers, "--bootstrapServers");
    KafkaSinks.requireNonEmpty(topic, "--etlTopic");
    return new WriteEtlRowsToKafka(bootstrapServers, topic, Format.JSON, null, Instant.now(), 0, null);
  }

  public WriteEtlRowsToKafka withFormat(Format value) {
    return new WriteEtlRowsToKafka(
        bootstrapServers, topic, value, schemas, ingestedAt, exactlyOnceShards, sinkGroupId);
  }

  /** The table schemas; required for {@link Format#AVRO}. */
  public WriteEtlRowsToKafka withSchemas(TableSchemas value) {
    return new WriteEtlRowsToKafka(
        bootstrapServers, topic, format, value, ingestedAt, exactlyOnceShards, sinkGroupId);
  }

  /** The {@code _ingested_at} value of every row: the run's start, as in the etl zone. */
  public WriteEtlRowsToKafka withIngestedAt(Instant time) {
    return new WriteEtlRowsToKafka(
        bootstrapServers, topic, format, schemas, time, exactlyOnceShards, sinkGroupId);
  }

  /**
   * Writes in Kafka transactions ({@link TransactionalKafkaWrite}): {@code numShards}
   * transactional producers, whose progress is kept under {@code sinkGroupId} in Kafka and in the
   * runner's state. The group id must stay the same when a job is restored from the runner's
   * checkpoint or savepoint; a job started afresh on a used group starts its own progress. {@code
   * numShards} must not exceed the topic's partitions (checked when the transform is applied, which
   * needs the broker then). Consumers must read with {@code isolation.level=read_committed}.
   */
  public WriteEtlRowsToKafka withExactlyOnce(int numShards, String sinkGroupId) {
    if (numShards < 1) {
      throw new IllegalArgumentException("--kafkaSinkShards must be at least 1, got " + numShards);
    }
    KafkaSinks.requireNonEmpty(sinkGroupId, "the exactly-once sink group id");
    return new WriteEtlRowsToKafka(
        bootstrapServers, topic, format, schemas, ingestedAt, numShards, sinkGroupId);
  }

  @Override
  public PDone expand(PCollection<EtlRow> rows) {
    if (format == Format.AVRO && schemas == null) {
      throw new IllegalArgumentException(
          "--etlFormat=avro needs the table schemas (--schemaDir): call withSchemas");
    }
    long ingestedAtMicros = ChronoUnit.MICROS.between(Instant.EPOCH, ingestedAt);
    PTransform<PCollection<ProducerRecord<byte[], byte[]>>, PDone> write =
        exactlyOnceShards > 0
            ? TransactionalKafkaWrite.to(bootstrapServers, topic, exactlyOnceShards, sinkGroupId)
            : KafkaSinks.writer(bootstrapServers, topic);
    return rows.apply(
            "ToProducerRecords",
            ParDo.of(
                new ToRecordFn(
                    topic, format, format == Format.AVRO ? new EtlAvroSchemas(schemas) : null, ingestedAtMicros)))
        .setCoder(KafkaSinks.coder())
        .apply("WriteKafka", write);
  }

  static final class ToRecordFn extends DoFn<EtlRow, ProducerRecord<byte[], byte[]>> {
    private static final DateTimeFormatter EVENT_TIME =
        DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter INGESTED_AT =
        DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

    private final String topic;
    private final Format format;
    private final EtlAvroSchemas avro;
    private final long ingestedAtMicros;
    private transient String ingestedAtText;
    private transient Map<String, AvroWriter> avroWriters;

    ToRecordFn(String topic, Format format, EtlAvroSchemas avro, long ingestedAtMicros) {
      this.topic = topic;
      this.format = format;
      this.avro = avro;
      this.ingestedAtMicros = ingestedAtMicros;
    }

    @Setup
    public void setup() {
      ingestedAtText = INGESTED_AT.format(Instant.EPOCH.plus(ingestedAtMicros, ChronoUnit.MICROS));
      avroWriters = new HashMap<>();
    }

    @ProcessElement
    public void process(@Element EtlRow row, OutputReceiver<ProducerRecord<byte[], byte[]>> out)
        throws IOException {
      List<Header> headers = new ArrayList<>(4);
      headers.add(KafkaSinks.header(KafkaSinks.SOURCE, row.source()));
      headers.add(KafkaSinks.header(KafkaSinks.TABLE, row.table()));
      headers.add(KafkaSinks.header(KafkaSinks.TENANT, row.tenant()));
      byte[] value;
      if (format == Format.AVRO) {
        AvroWriter writer =
            avroWriters.computeIfAbsent(
                row.source() + "/" + row.table(), k -> new AvroWriter(avro.of(row.source(), row.table())));
        value = writer.encode(avro.toRecord(row, ingestedAtMicros));
        headers.add(KafkaSinks.header(KafkaSinks.SCHEMA_FINGERPRINT, writer.fingerprintHex));
      } else {
        value = json(row);
      }
      out.output(KafkaSinks.record(topic, KafkaSinks.utf8(row.eventId()), value, headers));
    }

    /**
     * The metadata fields, then the columns. A column named {@code source} or {@code table}
     * (names not reserved by table schemas) takes the field's place; the headers still carry both.
     */
    private byte[] json(EtlRow row) throws IOException {
      ObjectNode o = Json.MAPPER.createObjectNode();
      o.put("event_id", row.eventId());
      o.put("tenant", row.tenant());
      o.put("source", row.source());
      o.put("table", row.table());
      o.put("event_time", EVENT_TIME.format(Instant.ofEpochMilli(row.eventTimeMillis())));
      o.put(EtlAvroSchemas.INGESTED_AT, ingestedAtText);
      // Json.MAPPER reads numbers as exact BigDecimals, so they are written back digit for digit.
      JsonNode values = Json.MAPPER.readTree(row.valuesJson());
      if (values == null || !values.isObject()) {
        throw new IllegalStateException("validated row of " + row.table() + " is not a JSON object");
      }
      o.setAll((ObjectNode) values);
      return Json.MAPPER.writeValueAsBytes(o);
    }
  }

  /** One table's single-object encoder and its schema fingerprint. */
  private static final class AvroWriter {
    final BinaryMessageEncoder<GenericRecord> encoder;
    final String fingerprintHex;
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(512);

    AvroWriter(Schema schema) {
      this.encoder = new BinaryMessageEncoder<>(GenericData.get(), schema);
      this.fingerprintHex = String.format("%016x", SchemaNormalization.parsingFingerprint64(schema));
    }

    byte[] encode(GenericRecord record) {
      buffer.reset();
      try {
        encoder.encode(record, buffer);
      } catch (IOException e) {
        throw new UncheckedIOException("Avro encoding failed", e);
      }
      return buffer.toByteArray();
    }
  }
}
