package io.beamline.io.jdbc;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.beamline.transforms.schema.InvalidSchemaException;
import io.beamline.transforms.schema.TableSchema;
import io.beamline.transforms.schema.TableSchemas;
import io.beamline.transforms.testing.TestSchemas;
import java.time.LocalDate;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The SQL of etl tables, from table schemas, without a server. */
class EtlTableDdlTest {
  private static TableSchema schema(String fieldsJson) {
    return TableSchema.parse(
        "{\"source\": \"src\", \"table\": \"tbl\", \"fields\": [" + fieldsJson + "]}",
        "src/tbl.json");
  }

  private static List<String> columnDdl(EtlTableDdl t) {
    return t.columns().stream().map(EtlTableDdl.Column::ddl).collect(Collectors.toList());
  }

  @Test
  void createsAPartitionedTableWithMetadataColumnsFieldsExtraAndItsDefaultPartition() {
    EtlTableDdl orders = EtlTableDdl.of(TestSchemas.orders());

    assertThat(
        orders.createStatements(),
        contains(
            "CREATE TABLE IF NOT EXISTS etl.\"shop__orders\" (\n"
                + "  \"event_id\" text NOT NULL,\n"
                + "  \"tenant\" text NOT NULL,\n"
                + "  \"event_time\" timestamp with time zone NOT NULL,\n"
                + "  \"event_date\" date NOT NULL,\n"
                + "  \"row_index\" integer NOT NULL,\n"
                + "  \"_ingested_at\" timestamp with time zone NOT NULL,\n"
                + "  \"order_id\" text NOT NULL,\n"
                + "  \"total\" numeric(38,2) NOT NULL,\n"
                + "  \"status\" text,\n"
                + "  \"customer_address_city\" text,\n"
                + "  \"created_at\" timestamp with time zone,\n"
                + "  \"item_count\" integer,\n"
                + "  \"_extra\" text,\n"
                + "  PRIMARY KEY (\"tenant\", \"event_id\", \"row_index\", \"event_date\")\n"
                + ") PARTITION BY RANGE (\"event_date\")",
            "CREATE TABLE IF NOT EXISTS etl.\"shop__orders_default\" PARTITION OF"
                + " etl.\"shop__orders\" DEFAULT"));
  }

  @Test
  void mapsEveryFieldTypeToItsPostgresType() {
    EtlTableDdl t =
        EtlTableDdl.of(
            schema(
                "{\"name\": \"s\", \"type\": \"string\"}, {\"name\": \"i\", \"type\": \"int\"},"
                    + " {\"name\": \"l\", \"type\": \"long\"}, {\"name\": \"d\", \"type\": \"double\"},"
                    + " {\"name\": \"m\", \"type\": \"decimal\", \"scale\": 4},"
                    + " {\"name\": \"b\", \"type\": \"boolean\", \"required\": true},"
                    + " {\"name\": \"ts\", \"type\": \"timestamp\"}, {\"name\": \"dt\", \"type\": \"date\"}"));

    assertThat(
        columnDdl(t).subList(6, 14),
        contains(
            "\"s\" text",
            "\"i\" integer",
            "\"l\" bigint",
            "\"d\" double precision",
            "\"m\" numeric(38,4)",
            "\"b\" boolean NOT NULL",
            "\"ts\" timestamp with time zone",
            "\"dt\" date"));
  }

  @Test
  void aChildTableCarriesItsParentKeyColumnsBeforeExtra() {
    TableSchemas shop = TestSchemas.shop();
    EtlTableDdl items = EtlTableDdl.of(shop, shop.get("shop", "order_items"));

    assertThat(
        columnDdl(items).subList(6, columnDdl(items).size()),
        contains(
            "\"line_no\" integer NOT NULL",
            "\"sku\" text NOT NULL",
            "\"quantity\" integer NOT NULL",
            "\"unit_price\" numeric(38,2)",
            "\"order_id\" text",
            "\"_extra\" text"));
  }

  @Test
  void aFieldNameThatIsNoLowercaseIdentifierIsRejectedNamingFileAndField() {
    InvalidSchemaException e =
        assertThrows(
            InvalidSchemaException.class,
            () -> EtlTableDdl.of(schema("{\"name\": \"Total\", \"type\": \"double\"}")));

    assertThat(e.getMessage(), containsString("src/tbl.json: field 'Total'"));
    assertThat(e.getMessage(), containsString("[a-z0-9_]{1,64}"));
  }

  @Test
  void aFieldNamedLikeAMetadataColumnIsRejected() {
    for (String name : List.of("event_date", "row_index")) {
      InvalidSchemaException e =
          assertThrows(
              InvalidSchemaException.class,
              () -> EtlTableDdl.of(schema("{\"name\": \"" + name + "\", \"type\": \"date\"}")),
              name);
      assertThat(e.getMessage(), containsString("src/tbl.json: field '" + name + "'"));
      assertThat(e.getMessage(), containsString("metadata column"));
    }
  }

  @Test
  void namesPostgresWouldTruncateAreRejected() {
    String longName = "x".repeat(64);
    InvalidSchemaException field =
        assertThrows(
            InvalidSchemaException.class,
            () -> EtlTableDdl.of(schema("{\"name\": \"" + longName + "\", \"type\": \"int\"}")));
    assertThat(field.getMessage(), containsString("63 bytes"));

    String table = "t".repeat(50);
    InvalidSchemaException tableName =
        assertThrows(
            InvalidSchemaException.class,
            () ->
                EtlTableDdl.of(
                    TableSchema.parse(
                        "{\"source\": \"src\", \"table\": \"" + table
                            + "\", \"fields\": [{\"name\": \"a\", \"type\": \"int\"}]}",
                        "src/" + table + ".json")));
    assertThat(tableName.getMessage(), containsString("src/" + table + ".json"));
  }

  @Test
  void aDailyPartitionCoversOneDay() {
    assertThat(
        EtlTableDdl.createPartition("shop", "orders", LocalDate.of(2026, 12, 31)),
        is(
            "CREATE TABLE IF NOT EXISTS etl.\"shop__orders_p20261231\" PARTITION OF"
                + " etl.\"shop__orders\" FOR VALUES FROM ('2026-12-31') TO ('2027-01-01')"));
  }

  @Test
  void theMigrationChecksumFollowsColumnsButNotValidationRules() {
    String base = "{\"name\": \"a\", \"type\": \"int\", \"min\": 1}";
    int original = new EtlTablesMigration(TableSchemas.of(List.of(schema(base)))).getChecksum();

    int sameColumns =
        new EtlTablesMigration(
                TableSchemas.of(List.of(schema("{\"name\": \"a\", \"type\": \"int\", \"min\": 5}"))))
            .getChecksum();
    int addedField =
        new EtlTablesMigration(
                TableSchemas.of(
                    List.of(schema(base + ", {\"name\": \"b\", \"type\": \"string\"}"))))
            .getChecksum();

    assertThat(sameColumns, is(original));
    assertThat(addedField, not(is(original)));
  }
}
