package io.beamline.transforms.schema;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.beamline.transforms.testing.TestSchemas;
import java.math.BigDecimal;
import java.util.List;
import org.junit.jupiter.api.Test;

class TableSchemaTest {
  private static final String ORIGIN = "shop/orders.json";

  // ---- parsed ------------------------------------------------------------------------------

  @Test
  void parsesSourceTableVersionUniqueAndChildren() {
    TableSchema orders = TestSchemas.orders();

    assertThat(orders.source(), is("shop"));
    assertThat(orders.table(), is("orders"));
    assertThat(orders.version(), is(1));
    assertThat(orders.unique(), contains("order_id"));
    assertThat(orders.children().size(), is(1));
    ChildSpec items = orders.children().get(0);
    assertThat(items.path(), is("items"));
    assertThat(items.table(), is("order_items"));
    assertThat(items.parentKey(), contains("order_id"));
    assertThat(orders.childAt("items"), is(items));
    assertThat(orders.childAt("customer"), is(nullValue()));
  }

  @Test
  void keepsFieldsInDeclarationOrder() {
    assertThat(
        List.copyOf(TestSchemas.orders().fields().keySet()),
        contains(
            "order_id", "total", "status", "customer_address_city", "created_at", "item_count"));
  }

  @Test
  void parsesEachFieldsTypeAndRules() {
    TableSchema orders = TestSchemas.orders();

    FieldSpec orderId = orders.fields().get("order_id");
    assertThat(orderId.type(), is(FieldType.STRING));
    assertThat(orderId.required(), is(true));
    assertThat(orderId.patternText(), is("^O-[0-9]+$"));
    assertThat(orderId.pattern().pattern(), is("^O-[0-9]+\\z"));
    FieldSpec total = orders.fields().get("total");
    assertThat(total.type(), is(FieldType.DECIMAL));
    assertThat(total.scale(), is(2));
    assertThat(total.min(), is(BigDecimal.ZERO));
    assertThat(total.max(), is(new BigDecimal("1000000")));
    FieldSpec status = orders.fields().get("status");
    assertThat(status.required(), is(false));
    assertThat(status.enumValues(), contains("NEW", "PAID", "SHIPPED", "CANCELLED"));
    assertThat(orders.fields().get("customer_address_city").defaultJson(), is("\"unknown\""));
    assertThat(orders.fields().get("created_at").type(), is(FieldType.TIMESTAMP));
    assertThat(orders.fields().get("item_count").type(), is(FieldType.INT));
    assertThat(orders.fields().get("item_count").defaultJson(), is(nullValue()));
  }

  @Test
  void defaultsVersionToOneDecimalScaleToTwoAndListsToEmpty() {
    TableSchema schema =
        TableSchema.parse(
            "{\"source\":\"s\",\"table\":\"t\",\"fields\":[{\"name\":\"d\",\"type\":\"decimal\"}]}",
            "s/t.json");

    assertThat(schema.version(), is(1));
    assertThat(schema.fields().get("d").scale(), is(2));
    assertThat(schema.unique(), is(empty()));
    assertThat(schema.children(), is(empty()));
  }

  @Test
  void treatsANullDefaultAsNoDefault() {
    FieldSpec field = TestSchemas.field("{\"name\":\"x\",\"type\":\"int\",\"default\":null}");

    assertThat(field.defaultJson(), is(nullValue()));
  }

  // ---- rejected: the file --------------------------------------------------------------------

  @Test
  void rejectsTextThatIsNotJson() {
    assertRejected("{\"source\": \"shop\",", ORIGIN + ": not valid JSON");
  }

  @Test
  void rejectsJsonThatIsNotAnObject() {
    assertRejected("[]", ORIGIN + ": must be a JSON object");
  }

  @Test
  void rejectsSourceOrTableThatIsNotAName() {
    assertRejected(
        "{\"source\":\"Shop\",\"table\":\"orders\",\"fields\":[{\"name\":\"a\",\"type\":\"int\"}]}",
        ORIGIN + ": 'source' must match [a-z0-9_]{1,64}");
    assertRejected(
        "{\"source\":\"shop\",\"table\":\"../orders\",\"fields\":[{\"name\":\"a\",\"type\":\"int\"}]}",
        ORIGIN + ": 'table' must match [a-z0-9_]{1,64}");
    assertRejected(
        "{\"source\":\"shop\",\"fields\":[{\"name\":\"a\",\"type\":\"int\"}]}",
        ORIGIN + ": 'table' must match [a-z0-9_]{1,64}");
  }

  @Test
  void rejectsMissingOrEmptyFields() {
    assertRejected(
        "{\"source\":\"shop\",\"table\":\"orders\"}", ORIGIN + ": 'fields' must be a non-empty array");
    assertRejected(
        "{\"source\":\"shop\",\"table\":\"orders\",\"fields\":[]}",
        ORIGIN + ": 'fields' must be a non-empty array");
  }

  @Test
  void rejectsFieldDeclaredTwice() {
    assertRejected(
        schema("{\"name\":\"total\",\"type\":\"int\"},{\"name\":\"total\",\"type\":\"long\"}"),
        ORIGIN + ": field 'total' is declared twice");
  }

  @Test
  void rejectsUniqueColumnThatIsNoField() {
    assertRejected(
        "{\"source\":\"shop\",\"table\":\"orders\",\"fields\":[{\"name\":\"a\",\"type\":\"int\"}],"
            + "\"unique\":[\"id\"]}",
        ORIGIN + ": unique column 'id' is no field");
  }

  @Test
  void rejectsChildWithoutPathOrWithInvalidTable() {
    String rule = ORIGIN + ": each child needs a unique 'path' and a 'table' matching [a-z0-9_]{1,64}";
    assertRejected(withChildren("[{\"table\":\"order_items\",\"parent_key\":[\"a\"]}]"), rule);
    assertRejected(withChildren("[{\"path\":\"items\",\"table\":\"Items\"}]"), rule);
    assertRejected(
        withChildren("[{\"path\":\"items\",\"table\":\"a\"},{\"path\":\"items\",\"table\":\"b\"}]"),
        rule);
  }

  @Test
  void rejectsParentKeyThatIsNoField() {
    assertRejected(
        withChildren("[{\"path\":\"items\",\"table\":\"order_items\",\"parent_key\":[\"id\"]}]"),
        ORIGIN + ": parent_key column 'id' is no field of orders");
  }

  // ---- rejected: a field, named with the file ---------------------------------------------

  @Test
  void rejectsFieldNameThatIsInvalid() {
    assertRejected(
        schema("{\"name\":\"order-id\",\"type\":\"string\"}"),
        ORIGIN + ": field name 'order-id' is invalid or reserved " + TableSchema.RESERVED_COLUMNS);
    assertRejected(
        schema("{\"type\":\"string\"}"),
        ORIGIN + ": field name '' is invalid or reserved " + TableSchema.RESERVED_COLUMNS);
  }

  @Test
  void rejectsFieldNameThatIsReserved() {
    for (String reserved : List.of("event_id", "tenant", "event_time", "_extra", "_ingested_at")) {
      assertRejected(
          schema("{\"name\":\"" + reserved + "\",\"type\":\"string\"}"),
          ORIGIN + ": field name '" + reserved + "' is invalid or reserved "
              + TableSchema.RESERVED_COLUMNS);
    }
  }

  @Test
  void rejectsUnknownFieldKeyword() {
    assertRejected(
        schema("{\"name\":\"total\",\"type\":\"int\",\"requird\":true}"),
        ORIGIN + ": field 'total': unknown keyword 'requird'");
  }

  @Test
  void rejectsUnknownOrMissingType() {
    assertRejected(
        schema("{\"name\":\"total\",\"type\":\"money\"}"),
        ORIGIN + ": field 'total': unknown type 'money'");
    assertRejected(schema("{\"name\":\"total\"}"), ORIGIN + ": field 'total': unknown type ''");
  }

  @Test
  void rejectsDecimalScaleOutside0To18() {
    assertRejected(
        schema("{\"name\":\"total\",\"type\":\"decimal\",\"scale\":19}"),
        ORIGIN + ": field 'total': scale must be between 0 and 18");
    assertRejected(
        schema("{\"name\":\"total\",\"type\":\"decimal\",\"scale\":-1}"),
        ORIGIN + ": field 'total': scale must be between 0 and 18");
  }

  @Test
  void rejectsMinOrMaxOnNonNumericTypeOrWithNonNumericValue() {
    assertRejected(
        schema("{\"name\":\"order_id\",\"type\":\"string\",\"min\":1}"),
        ORIGIN + ": field 'order_id': 'min' needs a numeric type and value");
    assertRejected(
        schema("{\"name\":\"total\",\"type\":\"int\",\"max\":\"10\"}"),
        ORIGIN + ": field 'total': 'max' needs a numeric type and value");
  }

  @Test
  void rejectsPatternOnNonStringType() {
    assertRejected(
        schema("{\"name\":\"total\",\"type\":\"int\",\"pattern\":\"^[0-9]+$\"}"),
        ORIGIN + ": field 'total': 'pattern' applies to strings only");
  }

  @Test
  void rejectsPatternThatIsNotARegularExpression() {
    assertRejected(
        schema("{\"name\":\"order_id\",\"type\":\"string\",\"pattern\":\"O-[0-9\"}"),
        ORIGIN + ": field 'order_id': 'pattern' is not a valid regular expression");
  }

  @Test
  void rejectsEnumThatIsNotANonEmptyArray() {
    assertRejected(
        schema("{\"name\":\"status\",\"type\":\"string\",\"enum\":[]}"),
        ORIGIN + ": field 'status': 'enum' must be a non-empty array");
    assertRejected(
        schema("{\"name\":\"status\",\"type\":\"string\",\"enum\":\"NEW\"}"),
        ORIGIN + ": field 'status': 'enum' must be a non-empty array");
  }

  @Test
  void rejectsDefaultThatBreaksTheFieldsRules() {
    assertRejected(
        schema("{\"name\":\"status\",\"type\":\"string\",\"enum\":[\"NEW\"],\"default\":\"OLD\"}"),
        ORIGIN + ": field 'status': default value breaks the field's rules: enum [NEW]");
    assertRejected(
        schema("{\"name\":\"item_count\",\"type\":\"int\",\"default\":\"zero\"}"),
        ORIGIN + ": field 'item_count': default value breaks the field's rules:"
            + " type int (got string)");
    assertRejected(
        schema("{\"name\":\"total\",\"type\":\"decimal\",\"min\":0,\"default\":-1}"),
        ORIGIN + ": field 'total': default value breaks the field's rules: min 0");
  }

  // ---- pii -------------------------------------------------------------------------------

  @Test
  void readsEachFieldsPiiProtection() {
    TableSchema t =
        TableSchema.parse(
            schema(
                "{\"name\":\"email\",\"type\":\"string\",\"pii\":\"hash\"},"
                    + "{\"name\":\"name\",\"type\":\"string\",\"pii\":\"encrypt\"},"
                    + "{\"name\":\"city\",\"type\":\"string\"}"),
            ORIGIN);

    assertThat(t.fields().get("email").pii(), is(PiiProtection.HASH));
    assertThat(t.fields().get("name").pii(), is(PiiProtection.ENCRYPT));
    assertThat(t.fields().get("city").pii(), is(nullValue()));
  }

  @Test
  void marksTheShippedCustomersEmailHashedAndNamesEncrypted() {
    TableSchema customers = TestSchemas.shipped().get("shop", "customers");

    assertThat(customers.fields().get("email").pii(), is(PiiProtection.HASH));
    assertThat(customers.fields().get("name_first").pii(), is(PiiProtection.ENCRYPT));
    assertThat(customers.fields().get("name_last").pii(), is(PiiProtection.ENCRYPT));
    assertThat(customers.fields().get("customer_id").pii(), is(nullValue()));
  }

  @Test
  void rejectsPiiOtherThanHashOrEncrypt() {
    assertRejected(
        schema("{\"name\":\"email\",\"type\":\"string\",\"pii\":\"mask\"}"),
        ORIGIN + ": field 'email': 'pii' must be 'hash' or 'encrypt'");
  }

  @Test
  void rejectsPiiOnANonStringType() {
    assertRejected(
        schema("{\"name\":\"birth\",\"type\":\"date\",\"pii\":\"hash\"}"),
        ORIGIN + ": field 'birth': 'pii' applies to strings only");
  }

  @Test
  void rejectsEncryptOnAUniqueOrParentKeyColumnButAllowsHash() {
    assertRejected(
        "{\"source\":\"shop\",\"table\":\"orders\",\"fields\":"
            + "[{\"name\":\"id\",\"type\":\"string\",\"pii\":\"encrypt\"}],\"unique\":[\"id\"]}",
        ORIGIN + ": field 'id' is a unique column: its 'pii' may be 'hash', not 'encrypt'");
    assertRejected(
        "{\"source\":\"shop\",\"table\":\"orders\",\"fields\":"
            + "[{\"name\":\"id\",\"type\":\"string\",\"pii\":\"encrypt\"}],"
            + "\"children\":[{\"path\":\"items\",\"table\":\"order_items\",\"parent_key\":[\"id\"]}]}",
        ORIGIN + ": field 'id' is a parent_key column: its 'pii' may be 'hash', not 'encrypt'");
    TableSchema hashed =
        TableSchema.parse(
            "{\"source\":\"shop\",\"table\":\"orders\",\"fields\":"
                + "[{\"name\":\"id\",\"type\":\"string\",\"pii\":\"hash\"}],\"unique\":[\"id\"]}",
            ORIGIN);
    assertThat(hashed.unique(), contains("id"));
  }

  // ---- helpers -----------------------------------------------------------------------------

  private static String schema(String fields) {
    return "{\"source\":\"shop\",\"table\":\"orders\",\"fields\":[" + fields + "]}";
  }

  private static String withChildren(String children) {
    return "{\"source\":\"shop\",\"table\":\"orders\",\"fields\":[{\"name\":\"a\",\"type\":\"int\"}],"
        + "\"children\":" + children + "}";
  }

  private static void assertRejected(String schemaJson, String message) {
    InvalidSchemaException e =
        assertThrows(InvalidSchemaException.class, () -> TableSchema.parse(schemaJson, ORIGIN));
    assertThat(e.getMessage(), is(message));
  }
}
