package io.beamline.transforms.schema;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.beamline.transforms.testing.TestSchemas;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TableSchemasTest {
  @TempDir Path dir;

  @Test
  void loadsEverySchemaTheProjectShips() {
    TableSchemas shipped = TestSchemas.shipped();

    assertThat(
        shipped.all().stream().map(s -> s.source() + "/" + s.table()).collect(Collectors.toList()),
        containsInAnyOrder("shop/customers", "shop/order_items", "shop/orders", "shop/payments"));
    assertThat(shipped.get("shop", "orders").childAt("items").table(), is("order_items"));
  }

  @Test
  void keepsTheChildsOwnDeclarationOfAParentKeyColumn() {
    assertThat(
        names(TestSchemas.shipped().columnsOf("shop", "order_items")),
        contains("order_id", "line_no", "sku", "category", "quantity", "unit_price", "discount"));
  }

  @Test
  void appendsCarriedParentKeyColumnsAfterTheChildsOwnFields() {
    List<FieldSpec> columns = TestSchemas.shop().columnsOf("shop", "order_items");

    assertThat(names(columns), contains("line_no", "sku", "quantity", "unit_price", "order_id"));
    FieldSpec carried = columns.get(4);
    assertThat(carried.type(), is(FieldType.STRING));
    assertThat(carried.required(), is(false));
    assertThat(carried.pattern(), is(nullValue()));
  }

  @Test
  void knowsNoTableItWasNotGiven() {
    TableSchemas shop = TestSchemas.shop();

    assertThat(shop.get("shop", "refunds"), is(nullValue()));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> shop.columnsOf("shop", "refunds"));
    assertThat(e.getMessage(), is("unknown table shop/refunds"));
  }

  @Test
  void rejectsChildTableWithoutSchema() {
    InvalidSchemaException e =
        assertThrows(
            InvalidSchemaException.class, () -> TableSchemas.of(List.of(TestSchemas.orders())));

    assertThat(e.getMessage(), is("shop/orders: child table 'order_items' has no schema file"));
  }

  @Test
  void rejectsChildDeclaringTheParentKeyWithAnotherType() {
    TableSchema items =
        TableSchema.parse(
            "{\"source\":\"shop\",\"table\":\"order_items\",\"fields\":["
                + "{\"name\":\"order_id\",\"type\":\"long\"},{\"name\":\"sku\",\"type\":\"string\"}]}",
            "shop/order_items.json");

    InvalidSchemaException e =
        assertThrows(
            InvalidSchemaException.class,
            () -> TableSchemas.of(List.of(TestSchemas.orders(), items)));

    assertThat(
        e.getMessage(),
        is("shop/order_items: column 'order_id' has another type than in parent orders"));
  }

  @Test
  void rejectsTableDeclaredTwice() {
    InvalidSchemaException e =
        assertThrows(
            InvalidSchemaException.class,
            () -> TableSchemas.of(
                List.of(TestSchemas.orderItems(), TestSchemas.orderItems())));

    assertThat(e.getMessage(), is("table shop/order_items is declared twice"));
  }

  @Test
  void loadsSchemasFromSourceFoldersOnly() throws IOException {
    write("shop/orders.json", TestSchemas.ORDERS_JSON);
    write("shop/order_items.json", TestSchemas.ORDER_ITEMS_JSON);
    write("shop/orders.quality.json", "not a schema");
    write("shop/notes.txt", "not a schema");
    write("top.json", "not a schema");
    write("shop/deeper/x.json", "not a schema");

    TableSchemas loaded = TableSchemas.load(dir);

    assertThat(
        loaded.all().stream().map(TableSchema::table).collect(Collectors.toList()),
        containsInAnyOrder("orders", "order_items"));
  }

  @Test
  void rejectsSchemaDirThatIsNotADirectory() {
    Path missing = dir.resolve("missing");

    InvalidSchemaException e =
        assertThrows(InvalidSchemaException.class, () -> TableSchemas.load(missing));

    assertThat(e.getMessage(), is("--schemaDir " + missing + " is not a directory"));
  }

  @Test
  void rejectsSchemaDirWithoutSchemaFiles() throws IOException {
    write("shop/readme.txt", "nothing here");

    InvalidSchemaException e =
        assertThrows(InvalidSchemaException.class, () -> TableSchemas.load(dir));

    assertThat(e.getMessage(), is("--schemaDir " + dir + " holds no <source>/<table>.json file"));
  }

  @Test
  void rejectsSchemaFileAtAPathThatDoesNotMatchItsSourceAndTable() throws IOException {
    write("shop/order_items.json", TestSchemas.ORDER_ITEMS_JSON);
    write("shop/purchases.json", TestSchemas.ORDERS_JSON);

    InvalidSchemaException e =
        assertThrows(InvalidSchemaException.class, () -> TableSchemas.load(dir));

    assertThat(
        e.getMessage(),
        is("shop/purchases.json: declares shop/orders, so it must be at shop/orders.json"));
  }

  @Test
  void namesTheFileAndFieldOfAnInvalidSchema() throws IOException {
    write("shop/order_items.json", TestSchemas.ORDER_ITEMS_JSON);
    write("shop/orders.json", TestSchemas.ORDERS_JSON.replace("\"timestamp\"", "\"datetime\""));

    InvalidSchemaException e =
        assertThrows(InvalidSchemaException.class, () -> TableSchemas.load(dir));

    assertThat(e.getMessage(), is("shop/orders.json: field 'created_at': unknown type 'datetime'"));
  }

  // ---- helpers -----------------------------------------------------------------------------

  private void write(String relative, String text) throws IOException {
    Path file = dir.resolve(relative);
    Files.createDirectories(file.getParent());
    Files.writeString(file, text);
  }

  private static List<String> names(List<FieldSpec> columns) {
    return columns.stream().map(FieldSpec::name).collect(Collectors.toList());
  }
}
