package io.beamline.transforms.testing;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.beamline.transforms.Json;
import io.beamline.transforms.schema.FieldSpec;
import io.beamline.transforms.schema.TableSchema;
import io.beamline.transforms.schema.TableSchemas;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;

/**
 * A small, fixed {@code shop} source for tests (tables {@code orders} and {@code order_items}),
 * sample payloads that pass it, and access to the schemas the project ships in {@code schemas/}.
 *
 * <p>Columns of {@code orders}, in order: order_id, total, status, customer_address_city,
 * created_at, item_count. Columns of {@code order_items}: line_no, sku, quantity, unit_price, and
 * the carried parent key order_id.
 */
public final class TestSchemas {
  public static final String SOURCE = "shop";
  public static final String ORDERS = "orders";
  public static final String ORDER_ITEMS = "order_items";

  /** Origin names used in error messages of {@link #orders()} and {@link #orderItems()}. */
  public static final String ORDERS_ORIGIN = "shop/orders.json";

  public static final String ORDER_ITEMS_ORIGIN = "shop/order_items.json";

  /** The test {@code shop/orders} schema file. */
  public static final String ORDERS_JSON =
      """
      {"source": "shop", "table": "orders", "version": 1,
       "fields": [
         {"name": "order_id", "type": "string", "required": true, "pattern": "^O-[0-9]+$"},
         {"name": "total", "type": "decimal", "scale": 2, "required": true, "min": 0, "max": 1000000},
         {"name": "status", "type": "string", "enum": ["NEW", "PAID", "SHIPPED", "CANCELLED"]},
         {"name": "customer_address_city", "type": "string", "default": "unknown"},
         {"name": "created_at", "type": "timestamp"},
         {"name": "item_count", "type": "int"}],
       "unique": ["order_id"],
       "children": [{"path": "items", "table": "order_items", "parent_key": ["order_id"]}]}
      """;

  /** The test {@code shop/order_items} schema file; it does not list order_id, it carries it. */
  public static final String ORDER_ITEMS_JSON =
      """
      {"source": "shop", "table": "order_items", "version": 1,
       "fields": [
         {"name": "line_no", "type": "int", "required": true, "min": 1},
         {"name": "sku", "type": "string", "required": true},
         {"name": "quantity", "type": "int", "required": true, "min": 1},
         {"name": "unit_price", "type": "decimal", "scale": 2}]}
      """;

  /** A valid order's event time, also used as its created_at. */
  public static final String CREATED_AT = "2026-11-20T13:45:12.345Z";

  private TestSchemas() {}

  public static TableSchema orders() {
    return TableSchema.parse(ORDERS_JSON, ORDERS_ORIGIN);
  }

  public static TableSchema orderItems() {
    return TableSchema.parse(ORDER_ITEMS_JSON, ORDER_ITEMS_ORIGIN);
  }

  /** The test {@code shop} source: {@code orders} with its child table {@code order_items}. */
  public static TableSchemas shop() {
    return TableSchemas.of(List.of(orders(), orderItems()));
  }

  /** Parses any schema text, named {@code test.json} in error messages. */
  public static TableSchema parse(String schemaJson) {
    return TableSchema.parse(schemaJson, "test.json");
  }

  /**
   * One field spec, from the JSON of one entry of a schema's {@code fields} array, for example
   * {@code {"name": "total", "type": "decimal", "scale": 2}}.
   */
  public static FieldSpec field(String fieldJson) {
    String name;
    try {
      name = Json.MAPPER.readTree(fieldJson).path("name").asText();
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException("not JSON: " + fieldJson, e);
    }
    TableSchema schema =
        TableSchema.parse(
            "{\"source\": \"test\", \"table\": \"fields\", \"fields\": [" + fieldJson + "]}",
            "test/fields.json");
    return schema.fields().get(name);
  }

  /**
   * The schema folder the project ships ({@code <repo>/schemas}), found relative to the module
   * under test ({@code ../schemas}); works from every module's tests, which all run in their own
   * module folder.
   */
  public static Path shippedSchemaDir() {
    String moduleDir = System.getProperty("basedir", System.getProperty("user.dir"));
    return Paths.get(moduleDir).resolve("../schemas").toAbsolutePath().normalize();
  }

  /** The schemas the project ships, loaded as {@code --schemaDir} would load them. */
  public static TableSchemas shipped() {
    return TableSchemas.load(shippedSchemaDir());
  }

  /**
   * A valid {@code orders} payload of the test schema: a nested customer address, no items. Add
   * items with {@link #withItems}.
   */
  public static ObjectNode order(String orderId) {
    ObjectNode order = Json.MAPPER.createObjectNode();
    order.put("order_id", orderId);
    order.put("total", "25.50");
    order.put("status", "NEW");
    order.putObject("customer").putObject("address").put("city", "Berlin");
    order.put("created_at", CREATED_AT);
    order.put("item_count", 0);
    return order;
  }

  /** A valid {@code order_items} element of the test schema. */
  public static ObjectNode item(int lineNo, String sku, int quantity, String unitPrice) {
    ObjectNode item = Json.MAPPER.createObjectNode();
    item.put("line_no", lineNo);
    item.put("sku", sku);
    item.put("quantity", quantity);
    item.put("unit_price", unitPrice);
    return item;
  }

  /** A copy of {@code order} with its {@code items} array set and item_count updated. */
  public static ObjectNode withItems(ObjectNode order, ObjectNode... items) {
    ObjectNode copy = order.deepCopy();
    ArrayNode array = copy.putArray("items");
    for (ObjectNode item : items) {
      array.add(item);
    }
    copy.put("item_count", items.length);
    return copy;
  }
}
