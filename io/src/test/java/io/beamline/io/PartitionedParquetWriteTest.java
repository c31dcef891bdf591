package io.beamline.io;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.nullValue;

import io.beamline.transforms.model.EtlRow;
import io.beamline.transforms.schema.TableSchemas;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PartitionedParquetWriteTest {
  private static final TableSchemas SCHEMAS = TableSchemas.load(Path.of("../schemas"));
  private static final Instant INGESTED = Instant.parse("2026-11-22T08:00:00Z");
  private static final long T10 = Instant.parse("2026-11-20T10:15:00Z").toEpochMilli();
  private static final long T11 = Instant.parse("2026-11-20T11:45:00Z").toEpochMilli();

  @TempDir Path out;

  private static EtlRow item(String eventId, long time, int line, String price) {
    return new EtlRow(
        "shop",
        "order_items",
        "acme",
        eventId,
        time,
        "{\"order_id\":\"O-1\",\"line_no\":" + line + ",\"sku\":\"SKU-00001\",\"category\":\"books\","
            + "\"quantity\":2,\"unit_price\":\"" + price + "\",\"discount\":0.5,\"_extra\":null}");
  }

  private void write(EtlRow... rows) {
    TestPipeline p = TestPipeline.create().enableAbandonedNodeEnforcement(false);
    p.apply(Create.of(List.of(rows)))
        .apply(PartitionedParquetWrite.to(out.toString(), SCHEMAS).withIngestedAt(INGESTED));
    p.run().waitUntilFinish();
  }

  private List<Path> files() throws IOException {
    try (Stream<Path> s = Files.walk(out)) {
      return s.filter(Files::isRegularFile).sorted().collect(Collectors.toList());
    }
  }

  private static List<GenericRecord> readAll(Path file) throws IOException {
    List<GenericRecord> records = new ArrayList<>();
    try (ParquetReader<GenericRecord> reader =
        AvroParquetReader.<GenericRecord>builder(
                HadoopInputFile.fromPath(new org.apache.hadoop.fs.Path(file.toUri()), new Configuration()))
            .build()) {
      for (GenericRecord r = reader.read(); r != null; r = reader.read()) {
        records.add(r);
      }
    }
    return records;
  }

  @Test
  void writesOneFilePerPartitionNamedDeterministically() throws IOException {
    write(item("e1", T10, 1, "1.50"), item("e1", T10, 2, "2.00"), item("e2", T11, 1, "3.00"));
    assertThat(
        files().stream().map(f -> out.relativize(f).toString()).collect(Collectors.toList()),
        contains(
            "etl/shop/order_items/tenant=acme/dt=2026-11-20/hr=10/part-00000-of-00001.parquet",
            "etl/shop/order_items/tenant=acme/dt=2026-11-20/hr=11/part-00000-of-00001.parquet"));
  }

  @Test
  void writesTypedColumnsWithMetadataColumns() throws IOException {
    write(item("e1", T10, 1, "1.50"));
    GenericRecord r = readAll(files().get(0)).get(0);
    Schema schema = r.getSchema();
    assertThat(r.get("event_id").toString(), is("e1"));
    assertThat(r.get("tenant").toString(), is("acme"));
    assertThat(r.get("event_time"), is(T10 * 1000));
    assertThat(schema.getField("event_time").schema().getLogicalType(), is(LogicalTypes.timestampMicros()));
    assertThat(r.get("_ingested_at"), is(INGESTED.toEpochMilli() * 1000));
    assertThat(r.get("line_no"), is(1));
    assertThat(r.get("discount"), is(0.5));
    assertThat(r.get("_extra"), nullValue());
    Schema price = schema.getField("unit_price").schema();
    assertThat(price.getLogicalType(), is(LogicalTypes.decimal(38, 2)));
    assertThat(new BigDecimal(new java.math.BigInteger(bytes((ByteBuffer) r.get("unit_price"))), 2),
        is(new BigDecimal("1.50")));
  }

  @Test
  void rerunReplacesThePartitionsItWritesAndRemovesStaleFiles() throws IOException {
    write(item("e1", T10, 1, "1.50"), item("e2", T11, 1, "3.00"));
    Path partition = out.resolve("etl/shop/order_items/tenant=acme/dt=2026-11-20/hr=10");
    Files.writeString(partition.resolve("part-00000-of-00002.parquet"), "left by an earlier run");
    Files.writeString(partition.resolve("_SUCCESS"), "");
    write(item("e3", T10, 1, "9.99"));
    assertThat(
        readAll(partition.resolve("part-00000-of-00001.parquet")).stream()
            .map(r -> r.get("event_id").toString())
            .collect(Collectors.toList()),
        contains("e3"));
    assertThat(
        Files.list(partition).map(f -> f.getFileName().toString()).collect(Collectors.toList()),
        containsInAnyOrder("part-00000-of-00001.parquet", "_SUCCESS"));
    assertThat(
        "a partition the rerun did not touch keeps its rows",
        readAll(out.resolve("etl/shop/order_items/tenant=acme/dt=2026-11-20/hr=11/part-00000-of-00001.parquet"))
            .size(),
        is(1));
  }

  private static byte[] bytes(ByteBuffer b) {
    byte[] out = new byte[b.remaining()];
    b.duplicate().get(out);
    return out;
  }
}
