package io.beamline.io;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;

import io.beamline.transforms.model.EtlRow;
import io.beamline.transforms.schema.TableSchemas;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.testing.CoderProperties;
import org.apache.beam.sdk.util.CoderUtils;
import org.junit.jupiter.api.Test;

class AvroEncodedRowTest {
  private static final EtlAvroSchemas AVRO = new EtlAvroSchemas(TableSchemas.load(Path.of("../schemas")));
  private static final EtlRow ITEM =
      new EtlRow(
          "shop", "order_items", "acme", "evt-1", 1_763_633_700_000L,
          "{\"order_id\":\"O-1\",\"line_no\":3,\"sku\":\"SKU-ü\",\"category\":\"books\","
              + "\"quantity\":2,\"unit_price\":\"12.50\",\"discount\":null,\"_extra\":\"{\\\"x\\\":1}\"}");

  @Test
  void aRecordEncodedAndDecodedEqualsTheRecordBuiltFromTheRow() {
    GenericRecord built = AVRO.toRecord(ITEM, 42L);

    GenericRecord back = AVRO.decode("shop", "order_items", AVRO.encode(built));

    // Avro reads strings back as Utf8: compare field by field through GenericData's own equality.
    assertThat(GenericData.get().compare(back, built, built.getSchema()), is(0));
    assertThat(back.get("sku").toString(), is("SKU-ü"));
    assertThat(back.get("_extra").toString(), is("{\"x\":1}"));
    assertThat(back.get("discount"), is((Object) null));
  }

  @Test
  void anEncodedRowIsSmallerThanItsJsonText() {
    byte[] record = AVRO.encode(AVRO.toRecord(ITEM, 42L));

    assertThat(record.length, lessThan(ITEM.valuesJson().getBytes(StandardCharsets.UTF_8).length));
  }

  @Test
  void theCoderRoundTripsAndSharesOneInstancePerPartition() throws Exception {
    AvroEncodedRow row = new AvroEncodedRow(PartitionPath.of(PartitionPath.ETL, ITEM), new byte[] {1, 2, 3});
    AvroEncodedRow.AvroEncodedRowCoder coder = AvroEncodedRow.AvroEncodedRowCoder.of();

    CoderProperties.coderDecodeEncodeEqual(coder, row);
    AvroEncodedRow first = CoderUtils.clone(coder, row);
    AvroEncodedRow second = CoderUtils.clone(coder, row);
    assertThat(first, equalTo(row));
    assertThat(first.partition() == second.partition(), is(true));
  }
}
