package io.beamline.io;

import com.fasterxml.jackson.databind.JsonNode;
import io.beamline.transforms.Json;
import io.beamline.transforms.ValidateAgainstSchema;
import io.beamline.transforms.model.EtlRow;
import io.beamline.transforms.schema.FieldSpec;
import io.beamline.transforms.schema.TableSchemas;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

/**
 * The Avro (and so Parquet) schema of each etl table, derived from its table schema: {@code
 * event_id}, {@code tenant}, {@code event_time}, the table's columns, {@code _extra} and {@code
 * _ingested_at}. Timestamps are UTC microseconds, dates days, decimals decimal(38, scale).
 */
public final class EtlAvroSchemas implements Serializable {
  private static final long serialVersionUID = 1L;
  public static final String INGESTED_AT = "_ingested_at";
  static final int DECIMAL_PRECISION = 38;

  private final TableSchemas schemas;
  private transient Map<String, Schema> cache;
  private transient Map<Schema, GenericDatumWriter<GenericRecord>> writers;
  private transient Map<Schema, GenericDatumReader<GenericRecord>> readers;

  public EtlAvroSchemas(TableSchemas schemas) {
    this.schemas = schemas;
  }

  /** The Avro schema of a table's etl rows. */
  public Schema of(String source, String table) {
    if (cache == null) {
      cache = new ConcurrentHashMap<>();
    }
    return cache.computeIfAbsent(source + "/" + table, k -> build(source, table));
  }

  private Schema build(String source, String table) {
    SchemaBuilder.FieldAssembler<Schema> f =
        SchemaBuilder.record("beamline_" + source + "_" + table).namespace("io.beamline.etl").fields();
    f.name("event_id").type().stringType().noDefault();
    f.name("tenant").type().stringType().noDefault();
    f.name("event_time").type(timestampMicros()).noDefault();
    for (FieldSpec column : schemas.columnsOf(source, table)) {
      Schema type = avroType(column);
      if (column.required()) {
        f.name(column.name()).type(type).noDefault();
      } else {
        f.name(column.name()).type(Schema.createUnion(Schema.create(Schema.Type.NULL), type)).withDefault(null);
      }
    }
    f.name(ValidateAgainstSchema.EXTRA_COLUMN).type().nullable().stringType().noDefault();
    f.name(INGESTED_AT).type(timestampMicros()).noDefault();
    return f.endRecord();
  }

  private static Schema timestampMicros() {
    return LogicalTypes.timestampMicros().addToSchema(Schema.create(Schema.Type.LONG));
  }

  private static Schema avroType(FieldSpec column) {
    switch (column.type()) {
      case STRING:
        return Schema.create(Schema.Type.STRING);
      case INT:
        return Schema.create(Schema.Type.INT);
      case LONG:
        return Schema.create(Schema.Type.LONG);
      case DOUBLE:
        return Schema.create(Schema.Type.DOUBLE);
      case DECIMAL:
        return LogicalTypes.decimal(DECIMAL_PRECISION, column.scale())
            .addToSchema(Schema.create(Schema.Type.BYTES));
      case BOOLEAN:
        return Schema.create(Schema.Type.BOOLEAN);
      case TIMESTAMP:
        return timestampMicros();
      case DATE:
        return LogicalTypes.date().addToSchema(Schema.create(Schema.Type.INT));
      default:
        throw new IllegalStateException("unhandled type " + column.type());
    }
  }

  /** Converts a validated row to a record of its table's schema. */
  public GenericRecord toRecord(EtlRow row, long ingestedAtMicros) {
    Schema schema = of(row.source(), row.table());
    JsonNode values;
    try {
      values = Json.MAPPER.readTree(row.valuesJson());
    } catch (IOException e) {
      throw new UncheckedIOException("validated row is not JSON", e);
    }
    GenericData.Record r = new GenericData.Record(schema);
    r.put("event_id", row.eventId());
    r.put("tenant", row.tenant());
    r.put("event_time", row.eventTimeMillis() * 1000L);
    List<FieldSpec> columns = schemas.columnsOf(row.source(), row.table());
    for (FieldSpec column : columns) {
      JsonNode v = values.get(column.name());
      r.put(column.name(), v == null || v.isNull() ? null : avroValue(column, v));
    }
    JsonNode extra = values.get(ValidateAgainstSchema.EXTRA_COLUMN);
    r.put(ValidateAgainstSchema.EXTRA_COLUMN, extra == null || extra.isNull() ? null : extra.textValue());
    r.put(INGESTED_AT, ingestedAtMicros);
    return r;
  }

  /** A record as Avro binary, to be read back with {@link #decode} and the same schema. */
  byte[] encode(GenericRecord record) {
    if (writers == null) {
      writers = new ConcurrentHashMap<>();
    }
    GenericDatumWriter<GenericRecord> writer =
        writers.computeIfAbsent(record.getSchema(), GenericDatumWriter::new);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
    BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(bytes, null);
    try {
      writer.write(record, encoder);
      encoder.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot encode a row of " + record.getSchema().getFullName(), e);
    }
    return bytes.toByteArray();
  }

  /** A record of table {@code source}.{@code table} from its Avro binary. */
  GenericRecord decode(String source, String table, byte[] record) {
    if (readers == null) {
      readers = new ConcurrentHashMap<>();
    }
    GenericDatumReader<GenericRecord> reader = readers.computeIfAbsent(of(source, table), GenericDatumReader::new);
    try {
      return reader.read(null, DecoderFactory.get().binaryDecoder(record, null));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot decode a row of " + source + "." + table, e);
    }
  }

  private static Object avroValue(FieldSpec column, JsonNode v) {
    switch (column.type()) {
      case STRING:
        return v.textValue();
      case INT:
      case DATE:
        return v.intValue();
      case LONG:
      case TIMESTAMP:
        return v.longValue();
      case DOUBLE:
        return v.doubleValue();
      case DECIMAL:
        return ByteBuffer.wrap(new BigDecimal(v.textValue()).unscaledValue().toByteArray());
      case BOOLEAN:
        return v.booleanValue();
      default:
        throw new IllegalStateException("unhandled type " + column.type());
    }
  }
}
