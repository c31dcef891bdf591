package io.beamline.transforms.quality;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.beamline.transforms.schema.TableSchemas;
import io.beamline.transforms.testing.TestSchemas;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QualitySuitesTest {
  @TempDir Path dir;

  private Path schemaDirWithSuite(String suite) throws IOException {
    Files.createDirectories(dir.resolve("shop"));
    Files.writeString(dir.resolve("shop/orders.json"), TestSchemas.ORDERS_JSON);
    Files.writeString(dir.resolve("shop/order_items.json"), TestSchemas.ORDER_ITEMS_JSON);
    if (suite != null) {
      Files.writeString(dir.resolve("shop/orders.quality.json"), suite);
    }
    return dir;
  }

  private String failureOf(String rules) throws IOException {
    Path d = schemaDirWithSuite("{\"source\": \"shop\", \"table\": \"orders\", \"rules\": " + rules + "}");
    TableSchemas schemas = TableSchemas.load(d);
    return assertThrows(InvalidQualitySuiteException.class, () -> QualitySuites.load(d, schemas)).getMessage();
  }

  @Test
  void theShippedSuitesLoadBesideTheShippedSchemas() {
    QualitySuites suites = QualitySuites.load(TestSchemas.shippedSchemaDir(), TestSchemas.shipped());
    assertThat(
        suites.all().stream().map(QualitySuite::table).sorted().collect(Collectors.toList()),
        contains("customers", "order_items", "orders", "payments"));
  }

  @Test
  void aTableWithoutSuiteFileHasNoRules() throws IOException {
    Path d = schemaDirWithSuite(null);
    QualitySuites suites = QualitySuites.load(d, TableSchemas.load(d));
    assertThat(suites.isEmpty(), is(true));
    assertThat(suites.get("shop", "orders"), nullValue());
  }

  @Test
  void anUnknownColumnNamesFileAndRule() throws IOException {
    assertThat(
        failureOf("[{\"name\": \"r1\", \"type\": \"not_null\", \"column\": \"nope\", \"severity\": \"critical\"}]"),
        is("shop/orders.quality.json: rule 'r1': column 'nope' is not a column of the table"));
  }

  @Test
  void anUnknownTypeIsRefused() throws IOException {
    assertThat(
        failureOf("[{\"name\": \"r2\", \"type\": \"not_empty\", \"column\": \"order_id\", \"severity\": \"warn\"}]"),
        is("shop/orders.quality.json: rule 'r2': 'type' must be one of not_null, unique, between, matches,"
            + " in_set, completeness, row_count, freshness, expression"));
  }

  @Test
  void aMissingSeverityIsRefused() throws IOException {
    assertThat(
        failureOf("[{\"name\": \"r3\", \"type\": \"not_null\", \"column\": \"order_id\"}]"),
        is("shop/orders.quality.json: rule 'r3': 'severity' must be warn or critical"));
  }

  @Test
  void aBrokenRegexIsRefused() throws IOException {
    assertThat(
        failureOf("[{\"name\": \"r4\", \"type\": \"matches\", \"column\": \"order_id\", \"severity\": \"warn\","
            + " \"params\": {\"pattern\": \"^O-[0-9\"}}]"),
        is("shop/orders.quality.json: rule 'r4': 'pattern' is not a valid regular expression"));
  }

  @Test
  void aBadExpressionNamesFileRuleAndPosition() throws IOException {
    assertThat(
        failureOf("[{\"name\": \"r5\", \"type\": \"expression\", \"severity\": \"warn\","
            + " \"params\": {\"expression\": \"total >= 'zero'\"}}]"),
        is("shop/orders.quality.json: rule 'r5': expression 'total >= 'zero'': cannot compare NUMBER with"
            + " STRING (>=) at position 16"));
  }

  @Test
  void aThresholdOutsideZeroToOneIsRefused() throws IOException {
    assertThat(
        failureOf("[{\"name\": \"r6\", \"type\": \"not_null\", \"column\": \"order_id\", \"severity\": \"warn\","
            + " \"threshold\": 1.5}]"),
        is("shop/orders.quality.json: rule 'r6': 'threshold' (the fraction of failing rows tolerated) must be a"
            + " number from 0 to 1"));
  }

  @Test
  void aRuleNameTwiceIsRefused() throws IOException {
    String rule = "{\"name\": \"r7\", \"type\": \"not_null\", \"column\": \"order_id\", \"severity\": \"warn\"}";
    assertThat(failureOf("[" + rule + ", " + rule + "]"), is("shop/orders.quality.json: rule 'r7' is declared twice"));
  }

  @Test
  void aSuiteForATableWithoutSchemaIsRefused() throws IOException {
    Path d = schemaDirWithSuite(null);
    Files.writeString(d.resolve("shop/refunds.quality.json"), "{\"source\": \"shop\", \"table\": \"refunds\", \"rules\": []}");
    TableSchemas schemas = TableSchemas.load(d);
    assertThat(
        assertThrows(InvalidQualitySuiteException.class, () -> QualitySuites.load(d, schemas)).getMessage(),
        is("shop/refunds.quality.json: table 'shop/refunds' has no schema file"));
  }

  @Test
  void notJsonIsRefused() throws IOException {
    Path d = schemaDirWithSuite("{\"source\": ");
    TableSchemas schemas = TableSchemas.load(d);
    assertThat(
        assertThrows(InvalidQualitySuiteException.class, () -> QualitySuites.load(d, schemas)).getMessage(),
        is("shop/orders.quality.json: not valid JSON"));
  }
}
