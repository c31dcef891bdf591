package io.beamline.benchmarks.baseline;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.beamline.transforms.model.DeadLetterReason;
import io.beamline.transforms.schema.TableSchema;
import io.beamline.transforms.schema.TableSchemas;
import java.math.BigDecimal;
import java.util.List;
import org.junit.jupiter.api.Test;

class SchemaFlattenerTest {
  private static final SchemaPlans PLANS = new SchemaPlans(TableSchemas.of(List.of(
      TableSchema.parse(
          "{\"source\":\"s\",\"table\":\"orders\",\"fields\":["
              + "{\"name\":\"id\",\"type\":\"string\",\"required\":true},"
              + "{\"name\":\"customer_address_city\",\"type\":\"string\"},"
              + "{\"name\":\"tags\",\"type\":\"string\"}],"
              + "\"children\":[{\"path\":\"items\",\"table\":\"items\",\"parent_key\":[\"id\"]}]}",
          "orders"),
      TableSchema.parse(
          "{\"source\":\"s\",\"table\":\"items\",\"fields\":[{\"name\":\"sku\",\"type\":\"string\"}]}",
          "items"))));
  private static final TablePlan ORDERS = PLANS.get("s", "orders");

  private final SchemaFlattener flattener = new SchemaFlattener();
  private final FlatRows rows = new FlatRows();

  private FlatRow flatten(String payload) throws Rejection {
    rows.clear();
    return flattener.flatten(ORDERS, payload, rows);
  }

  @Test
  void nestedKeysAreJoinedWithUnderscores() throws Exception {
    FlatRow top = flatten("{\"id\":\"O-1\",\"customer\":{\"address\":{\"city\":\"Lyon\"}}}");
    assertThat(top.values[ORDERS.positions.get("customer_address_city")], equalTo("Lyon"));
  }

  @Test
  void otherArraysAreKeptAsCompactJsonText() throws Exception {
    FlatRow top = flatten("{\"id\":\"O-1\",\"tags\":[ \"a\" , 1.50, {\"k\": null}, [true] ]}");
    assertThat(top.values[ORDERS.positions.get("tags")], equalTo("[\"a\",1.50,{\"k\":null},[true]]"));
  }

  @Test
  void unknownFieldsAreKeptInOrderAsExtraJson() throws Exception {
    FlatRow top = flatten("{\"zeta\":{\"x\":\"a\\nb\"},\"id\":\"O-1\",\"alpha\":1E+2,\"empty\":{},\"n\":null}");
    new RowValidator().validate(top);
    assertThat(top.extra, equalTo("{\"zeta_x\":\"a\\nb\",\"alpha\":1E+2,\"empty\":\"{}\",\"n\":null}"));
  }

  @Test
  void aRowWithoutUnknownFieldsHasNoExtra() throws Exception {
    FlatRow top = flatten("{\"id\":\"O-1\"}");
    new RowValidator().validate(top);
    assertThat(top.extra, nullValue());
  }

  @Test
  void childElementsBecomeRowsCarryingTheParentKeyEvenWhenItComesLater() throws Exception {
    FlatRow top = flatten("{\"items\":[{\"sku\":\"a\"},{\"sku\":\"b\"}],\"id\":\"O-7\"}");
    rows.order(top, PLANS.all().size(), new int[PLANS.all().size()]);
    TablePlan items = PLANS.get("s", "items");
    assertThat(rows.ordered.size(), equalTo(3));
    assertThat(rows.ordered.get(2).values[items.positions.get("sku")], equalTo("b"));
    assertThat(rows.ordered.get(2).values[items.positions.get("id")], equalTo("O-7"));
    assertThat(rows.ordered.get(2).rowIndex, equalTo(1));
  }

  @Test
  void twoKeysFlatteningToOneNameRejectTheRecord() {
    Rejection r = assertThrows(Rejection.class, () -> flatten("{\"id\":\"O-1\",\"a_b\":1,\"a\":{\"b\":2}}"));
    assertThat(r.reason(), equalTo(DeadLetterReason.SCHEMA_VIOLATION));
    assertThat(r.detail(), equalTo("orders.a_b: column name collision"));
  }

  @Test
  void aChildKeyOtherThanTheParentsRejectsTheRecord() {
    Rejection r = assertThrows(
        Rejection.class, () -> flatten("{\"id\":\"O-1\",\"items\":[{\"sku\":\"a\",\"id\":\"O-2\"}]}"));
    assertThat(r.detail(), equalTo("items.items[0].id: differs from the parent key"));
  }

  @Test
  void malformedJsonAfterASchemaViolationIsStillMalformed() {
    Rejection r = assertThrows(Rejection.class, () -> flatten("{\"id\":\"O-1\",\"items\":7,\"x\":}"));
    assertThat(r.reason(), equalTo(DeadLetterReason.MALFORMED_JSON));
  }

  @Test
  void decimalsKeepTheirScaleAsJacksonsExactDecimalsDo() throws Exception {
    FlatRow top = flatten("{\"id\":\"O-1\",\"price\":2.50}");
    assertThat(top.extraValues, contains(new BigDecimal("2.50")));
  }
}
