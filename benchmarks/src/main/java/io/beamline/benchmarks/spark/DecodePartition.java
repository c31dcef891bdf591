package io.beamline.benchmarks.spark;

import io.beamline.benchmarks.baseline.RecordDecoder;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.avro.Schema;
import org.apache.hadoop.io.LongWritable;
import org.apache.hadoop.io.Text;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.LongAccumulator;
import scala.Tuple2;

/**
 * The per-record work of one Spark partition: each input line (raw bytes, so that a line that is
 * not UTF-8 is rejected as the baseline rejects it instead of being "repaired" with U+FFFD) goes
 * through the baseline's {@link RecordDecoder}, one instance per partition, and becomes one row of
 * {@link #schema}: a dead letter (reason, detail, line or line_base64) or an event (tenant,
 * event_id, its partition dt and hr, and its rows of each table as an array of structs). Only the
 * paths of the schema directory and keyring travel with the closure; each task loads them.
 */
final class DecodePartition implements FlatMapFunction<Iterator<Tuple2<LongWritable, Text>>, Row> {
  private static final long serialVersionUID = 1L;
  private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("uuuu-MM-dd").withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter HOUR = DateTimeFormatter.ofPattern("HH").withZone(ZoneOffset.UTC);

  static final String REASON = "reason";
  static final String DETAIL = "detail";
  static final String LINE = "line";
  static final String LINE_BASE64 = "line_base64";
  static final String TENANT = "tenant";
  static final String EVENT_ID = "event_id";
  static final String DT = "dt";
  static final String HR = "hr";
  /** Fixed columns before the per-table row arrays. */
  private static final int FIXED = 8;

  private final String schemaDir;
  private final String keyringPath;
  private final long ingestedAtMicros;
  private final LongAccumulator inputBytes;

  DecodePartition(Path schemaDir, Path keyringPath, long ingestedAtMicros, LongAccumulator inputBytes) {
    this.schemaDir = schemaDir.toString();
    this.keyringPath = keyringPath.toString();
    this.ingestedAtMicros = ingestedAtMicros;
    this.inputBytes = inputBytes;
  }

  /** The column of a table's row array. */
  static String rowsColumn(RecordDecoder.Table t) {
    return "rows_" + t.index();
  }

  /** The decoded dataset's schema for these tables. */
  static StructType schema(List<RecordDecoder.Table> tables) {
    List<StructField> f = new ArrayList<>();
    for (String name : new String[] {REASON, DETAIL, LINE, LINE_BASE64, TENANT, EVENT_ID, DT, HR}) {
      f.add(DataTypes.createStructField(name, DataTypes.StringType, true));
    }
    for (RecordDecoder.Table t : tables) {
      f.add(DataTypes.createStructField(
          rowsColumn(t), DataTypes.createArrayType(EtlStructTypes.structOf(t.avroSchema()), false), true));
    }
    return DataTypes.createStructType(f);
  }

  @Override
  public Iterator<Row> call(Iterator<Tuple2<LongWritable, Text>> lines) throws GeneralSecurityException {
    RecordDecoder decoder = new RecordDecoder(Path.of(schemaDir), Path.of(keyringPath), ingestedAtMicros);
    List<RecordDecoder.Table> tables = decoder.tables();
    Schema[] avro = tables.stream().map(RecordDecoder.Table::avroSchema).toArray(Schema[]::new);
    return new Iterator<>() {
      private Row next;
      private long bytes;
      private long lastHour = Long.MIN_VALUE;
      private String dt;
      private String hr;

      @Override
      public boolean hasNext() {
        while (next == null && lines.hasNext()) {
          Text text = lines.next()._2();
          int length = text.getLength();
          bytes += length + 1;
          // Text is reused by the reader: the decoder copies what it keeps.
          if (!RecordDecoder.isBlank(text.getBytes(), length)) {
            next = row(decoder.decode(text.getBytes(), length));
          }
        }
        if (next == null && bytes > 0) {
          inputBytes.add(bytes);
          bytes = 0;
        }
        return next != null;
      }

      @Override
      public Row next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        Row r = next;
        next = null;
        return r;
      }

      private Row row(RecordDecoder.Decoded d) {
        Object[] v = new Object[FIXED + avro.length];
        if (d.reason != null) {
          v[0] = d.reason.name();
          v[1] = d.detail;
          v[2] = d.line;
          v[3] = d.lineBase64;
          return RowFactory.create(v);
        }
        long hour = Math.floorDiv(d.eventTimeMillis, 3_600_000L);
        if (hour != lastHour) {
          lastHour = hour;
          Instant at = Instant.ofEpochMilli(d.eventTimeMillis);
          dt = DATE.format(at);
          hr = HOUR.format(at);
        }
        v[4] = d.tenant;
        v[5] = d.eventId;
        v[6] = dt;
        v[7] = hr;
        for (int t = 0; t < avro.length; t++) {
          List<Object[]> rows = d.rows.get(t);
          Row[] structs = new Row[rows.size()];
          for (int i = 0; i < structs.length; i++) {
            structs[i] = RowFactory.create(EtlStructTypes.toSpark(avro[t], rows.get(i)));
          }
          v[FIXED + t] = structs;
        }
        return RowFactory.create(v);
      }
    };
  }
}
