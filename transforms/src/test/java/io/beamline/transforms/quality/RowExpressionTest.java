package io.beamline.transforms.quality;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigDecimal;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RowExpressionTest {
  private static final Map<String, RowExpression.Type> COLUMNS =
      Map.of(
          "qty", RowExpression.Type.NUMBER,
          "price", RowExpression.Type.NUMBER,
          "status", RowExpression.Type.STRING,
          "express", RowExpression.Type.BOOLEAN);

  private static Boolean eval(String expression, Object... namesAndValues) {
    Map<String, Object> row = new HashMap<>();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      Object v = namesAndValues[i + 1];
      row.put((String) namesAndValues[i], v instanceof Integer ? BigDecimal.valueOf((Integer) v) : v);
    }
    return RowExpression.parse(expression, COLUMNS).test(row::get);
  }

  @Test
  void arithmeticFollowsPrecedence() {
    assertThat(eval("qty * price + 1 = 7", "qty", 2, "price", 3), is(true));
    assertThat(eval("qty * (price + 1) = 8", "qty", 2, "price", 3), is(true));
    assertThat(eval("-qty + 10 % 4 = 0", "qty", 2), is(true));
    assertThat(eval("price / 4 = 0.75", "price", 3), is(true));
  }

  @Test
  void comparisonsOfStringsAndBooleans() {
    assertThat(eval("status = 'PAID' AND express = TRUE", "status", "PAID", "express", true), is(true));
    assertThat(eval("status <> 'PAID'", "status", "PAID"), is(false));
    assertThat(eval("status = 'it''s'", "status", "it's"), is(true));
    assertThat(eval("status IN ('NEW', 'PAID')", "status", "NEW"), is(true));
    assertThat(eval("status NOT IN ('NEW', 'PAID')", "status", "NEW"), is(false));
  }

  @Test
  void nullMakesComparisonsUnknownAsInSql() {
    assertThat(eval("qty > 1", "qty", null), nullValue());
    assertThat(eval("NOT qty > 1", "qty", null), nullValue());
    assertThat(eval("qty > 1 OR TRUE", "qty", null), is(true));
    assertThat(eval("qty > 1 AND FALSE", "qty", null), is(false));
    assertThat(eval("qty IS NULL", "qty", null), is(true));
    assertThat(eval("qty IS NOT NULL OR status = 'x'", "qty", null, "status", "y"), is(false));
    assertThat(eval("qty / 0 = 1", "qty", 2), nullValue());
  }

  @Test
  void unknownColumnFailsAtParseNamingIt() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> RowExpression.parse("qtty > 1", COLUMNS));
    assertThat(e.getMessage(), is("expression 'qtty > 1': unknown column 'qtty' at position 1"));
  }

  @Test
  void typeMismatchFailsAtParse() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> RowExpression.parse("status > 1", COLUMNS));
    assertThat(e.getMessage(), containsString("cannot compare STRING with NUMBER"));
  }

  @Test
  void anExpressionThatIsNoConditionIsRefused() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> RowExpression.parse("qty + 1", COLUMNS));
    assertThat(e.getMessage(), containsString("is not a condition"));
  }

  @Test
  void trailingTokensAreRefused() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> RowExpression.parse("qty > 1 2", COLUMNS));
    assertThat(e.getMessage(), is("expression 'qty > 1 2': unexpected '2' at position 9"));
  }
}
