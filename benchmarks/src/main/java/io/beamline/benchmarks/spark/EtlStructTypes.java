package io.beamline.benchmarks.spark;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The Spark side of the etl zone's Avro schemas (io's EtlAvroSchemas): the StructType of a table's
 * rows and the conversion of a row's Avro-typed values into Spark's external types. Timestamps
 * become TimestampType (written as Parquet INT64 TIMESTAMP_MICROS, UTC, as Beamline's
 * timestamp-micros; values as {@link Instant}, with spark.sql.datetime.java8API.enabled), dates
 * DateType ({@link LocalDate}), decimals DecimalType(38, scale) ({@link BigDecimal}).
 */
final class EtlStructTypes {
  private EtlStructTypes() {}

  /** The StructType of an Avro record schema; every field nullable, as Beamline's optional columns. */
  static StructType structOf(Schema record) {
    List<StructField> fields = new ArrayList<>();
    for (Schema.Field f : record.getFields()) {
      Schema s = nonNull(f.schema());
      fields.add(DataTypes.createStructField(f.name(), typeOf(s), true));
    }
    return DataTypes.createStructType(fields);
  }

  /** Converts a row's values (Avro's Java types by field position) in place into Spark's. */
  static Object[] toSpark(Schema record, Object[] values) {
    List<Schema.Field> fields = record.getFields();
    for (int i = 0; i < values.length; i++) {
      Object v = values[i];
      if (v == null) {
        continue;
      }
      Schema s = nonNull(fields.get(i).schema());
      LogicalType logical = s.getLogicalType();
      if (logical instanceof LogicalTypes.TimestampMicros) {
        long micros = (Long) v;
        values[i] = Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000L);
      } else if (logical instanceof LogicalTypes.Date) {
        values[i] = LocalDate.ofEpochDay((Integer) v);
      } else if (logical instanceof LogicalTypes.Decimal d) {
        ByteBuffer b = ((ByteBuffer) v).duplicate();
        byte[] unscaled = new byte[b.remaining()];
        b.get(unscaled);
        values[i] = new BigDecimal(new BigInteger(unscaled), d.getScale());
      } else if (v instanceof CharSequence c && !(v instanceof String)) {
        values[i] = c.toString();
      }
    }
    return values;
  }

  private static DataType typeOf(Schema s) {
    LogicalType logical = s.getLogicalType();
    if (logical instanceof LogicalTypes.TimestampMicros) {
      return DataTypes.TimestampType;
    }
    if (logical instanceof LogicalTypes.Date) {
      return DataTypes.DateType;
    }
    if (logical instanceof LogicalTypes.Decimal d) {
      return DataTypes.createDecimalType(d.getPrecision(), d.getScale());
    }
    return switch (s.getType()) {
      case STRING -> DataTypes.StringType;
      case INT -> DataTypes.IntegerType;
      case LONG -> DataTypes.LongType;
      case DOUBLE -> DataTypes.DoubleType;
      case FLOAT -> DataTypes.FloatType;
      case BOOLEAN -> DataTypes.BooleanType;
      case BYTES -> DataTypes.BinaryType;
      default -> throw new IllegalArgumentException("no Spark type for Avro " + s);
    };
  }

  private static Schema nonNull(Schema s) {
    if (s.getType() != Schema.Type.UNION) {
      return s;
    }
    for (Schema branch : s.getTypes()) {
      if (branch.getType() != Schema.Type.NULL) {
        return branch;
      }
    }
    throw new IllegalArgumentException("a union of only null: " + s);
  }
}
