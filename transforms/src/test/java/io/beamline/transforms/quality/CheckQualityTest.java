package io.beamline.transforms.quality;

import com.fasterxml.jackson.databind.JsonNode;
import io.beamline.transforms.Json;
import io.beamline.transforms.model.EtlRow;
import io.beamline.transforms.schema.TableSchemas;
import io.beamline.transforms.testing.TestPipelineExtension;
import io.beamline.transforms.testing.TestSchemas;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.FlatMapElements;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.windowing.AfterProcessingTime;
import org.apache.beam.sdk.transforms.windowing.AfterWatermark;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TimestampedValue;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Each rule type judged by the real combiners on four rows with known values, passing and
 * failing with exact observed values; scores, routing and windows.
 */
@ExtendWith(TestPipelineExtension.class)
class CheckQualityTest {
  static final TableSchemas SCHEMAS =
      TableSchemas.of(
          List.of(
              TestSchemas.parse(
                  "{\"source\": \"shop\", \"table\": \"t\", \"fields\": ["
                      + "{\"name\": \"id\", \"type\": \"string\"},"
                      + "{\"name\": \"n\", \"type\": \"int\"},"
                      + "{\"name\": \"amount\", \"type\": \"decimal\", \"scale\": 2},"
                      + "{\"name\": \"code\", \"type\": \"string\"},"
                      + "{\"name\": \"flag\", \"type\": \"boolean\"}]}"),
              TestSchemas.parse(
                  "{\"source\": \"shop\", \"table\": \"u\", \"fields\": [{\"name\": \"id\", \"type\": \"string\"}]}")));

  /** 2026-11-20T10:00:00Z; row i has event time BASE + i minutes. */
  static final long BASE = Instant.parse("2026-11-20T10:00:00Z").toEpochMilli();

  /** The four rows: r3 has no id, a code "bad" and n 10; r4 repeats id a and has no n. */
  static final List<EtlRow> FOUR =
      List.of(
          t(1, "{\"id\":\"a\",\"n\":1,\"amount\":\"1.50\",\"code\":\"X1\",\"flag\":true}"),
          t(2, "{\"id\":\"b\",\"n\":5,\"amount\":\"20.00\",\"code\":\"X2\",\"flag\":false}"),
          t(3, "{\"id\":null,\"n\":10,\"amount\":\"3.00\",\"code\":\"bad\",\"flag\":null}"),
          t(4, "{\"id\":\"a\",\"n\":null,\"amount\":\"0.00\",\"code\":\"X4\",\"flag\":true}"));

  static EtlRow t(int i, String values) {
    return new EtlRow("shop", "t", "acme", "e" + i, BASE + i * 60_000L, values);
  }

  static EtlRow u(int i, String id) {
    return new EtlRow("shop", "u", "acme", "u" + i, BASE + i * 60_000L, "{\"id\":\"" + id + "\"}");
  }

  static QualitySuites suite(String table, String rules) {
    return QualitySuites.of(List.of(QualitySuite.of("shop", table, rules, SCHEMAS)));
  }

  /** Each rule's result as "name observed threshold passed failingRows". */
  private static PCollection<String> ruleResults(TestPipeline p, String rules, Instant reference) {
    return p.apply(Create.of(FOUR).withCoder(EtlRow.EtlRowCoder.of()))
        .apply(CheckQuality.with(suite("t", rules)).withReferenceTime(reference))
        .verdicts()
        .apply(
            FlatMapElements.into(TypeDescriptors.strings())
                .via(
                    (String v) -> {
                      List<String> out = new ArrayList<>();
                      for (JsonNode r : parse(v).path("rules")) {
                        out.add(r.path("name").asText() + " " + r.path("observed").asText() + " "
                            + r.path("threshold").asText() + " " + r.path("passed").asText() + " "
                            + r.path("failingRows").asText());
                      }
                      return out;
                    }));
  }

  private static PCollection<String> ruleResults(TestPipeline p, String rules) {
    return ruleResults(p, rules, Instant.parse("2026-11-20T10:10:00Z"));
  }

  static JsonNode parse(String json) {
    try {
      return Json.MAPPER.readTree(json);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static String rule(String name, String type, String column, String severity, String rest) {
    return "{\"name\": \"" + name + "\", \"type\": \"" + type + "\", "
        + (column == null ? "" : column.startsWith("[") ? "\"columns\": " + column + ", " : "\"column\": \"" + column + "\", ")
        + "\"severity\": \"" + severity + "\"" + rest + "}";
  }

  @Test
  void notNullCountsNullsAgainstNoneTolerated(TestPipeline p) {
    PAssert.that(
            ruleResults(
                p,
                "[" + rule("id-set", "not_null", "id", "critical", "") + ", "
                    + rule("amount-set", "not_null", "amount", "critical", "") + "]"))
        .containsInAnyOrder("id-set 0.75 1.0 false 1", "amount-set 1.0 1.0 true 0");
  }

  @Test
  void uniqueComparesDistinctKeysWithKeyedRowsSkippingNullKeys(TestPipeline p) {
    PAssert.that(
            ruleResults(
                p,
                "[" + rule("id-unique", "unique", "id", "critical", "") + ", "
                    + rule("id-n-unique", "unique", "[\"id\", \"n\"]", "critical", "") + "]"))
        .containsInAnyOrder("id-unique 0.6666666666666666 1.0 false 1", "id-n-unique 1.0 1.0 true 0");
  }

  @Test
  void betweenFailsValuesOutsideTheBoundsButNotNulls(TestPipeline p) {
    PAssert.that(
            ruleResults(
                p,
                "[" + rule("n-small", "between", "n", "warn", ", \"params\": {\"min\": 1, \"max\": 5}") + ", "
                    + rule("amount-range", "between", "amount", "warn", ", \"params\": {\"min\": 0, \"max\": 100}") + "]"))
        .containsInAnyOrder("n-small 0.75 1.0 false 1", "amount-range 1.0 1.0 true 0");
  }

  @Test
  void matchesFailsValuesTheRegexDoesNotFind(TestPipeline p) {
    PAssert.that(
            ruleResults(
                p,
                "[" + rule("code-format", "matches", "code", "critical", ", \"params\": {\"pattern\": \"^X[0-9]$\"}") + ", "
                    + rule("id-format", "matches", "id", "critical", ", \"params\": {\"pattern\": \"^[a-z]$\"}") + "]"))
        .containsInAnyOrder("code-format 0.75 1.0 false 1", "id-format 1.0 1.0 true 0");
  }

  @Test
  void inSetToleratesTheFailingFractionOfItsThreshold(TestPipeline p) {
    PAssert.that(
            ruleResults(
                p,
                "[" + rule("code-known", "in_set", "code", "critical",
                        ", \"threshold\": 0.25, \"params\": {\"values\": [\"X1\", \"X2\", \"X4\"]}") + ", "
                    + rule("flag-true", "in_set", "flag", "warn", ", \"params\": {\"values\": [true]}") + "]"))
        .containsInAnyOrder("code-known 0.75 0.75 true 1", "flag-true 0.75 1.0 false 1");
  }

  @Test
  void completenessComparesTheNonNullFractionWithItsMinimum(TestPipeline p) {
    PAssert.that(
            ruleResults(
                p,
                "[" + rule("id-complete", "completeness", "id", "warn", ", \"params\": {\"min\": 0.7}") + ", "
                    + rule("flag-complete", "completeness", "flag", "warn", ", \"params\": {\"min\": 0.8}") + "]"))
        .containsInAnyOrder("id-complete 0.75 0.7 true 1", "flag-complete 0.75 0.8 false 1");
  }

  @Test
  void rowCountChecksTheRowsAgainstItsBounds(TestPipeline p) {
    PAssert.that(
            ruleResults(
                p,
                "[" + rule("some", "row_count", null, "critical", ", \"params\": {\"min\": 1, \"max\": 10}") + ", "
                    + rule("many", "row_count", null, "critical", ", \"params\": {\"min\": 5}") + "]"))
        .containsInAnyOrder("some 4 1 true 0", "many 4 5 false 0");
  }

  @Test
  void freshnessMeasuresTheNewestEventTimeAgainstTheReference(TestPipeline p) {
    // Newest event 10:04, reference 10:10: 360 s behind.
    PAssert.that(
            ruleResults(
                p,
                "[" + rule("fresh-10m", "freshness", null, "critical", ", \"params\": {\"maxLagSeconds\": 600}") + ", "
                    + rule("fresh-5m", "freshness", null, "critical", ", \"params\": {\"maxLagSeconds\": 300}") + "]"))
        .containsInAnyOrder("fresh-10m 360 600 true 0", "fresh-5m 360 300 false 0");
  }

  @Test
  void expressionFailsRowsWhereItIsFalseNotUnknown(TestPipeline p) {
    PAssert.that(
            ruleResults(
                p,
                "[" + rule("n-vs-amount", "expression", null, "warn",
                        ", \"params\": {\"expression\": \"n * 2 < amount OR n IS NULL\"}") + ", "
                    + rule("amount-positive", "expression", null, "warn",
                        ", \"params\": {\"expression\": \"amount >= 0 AND event_time > 0\"}") + "]"))
        .containsInAnyOrder("n-vs-amount 0.5 1.0 false 2", "amount-positive 1.0 1.0 true 0");
  }

  @Test
  void scoresPerColumnAndTable(TestPipeline p) {
    String rules =
        "[" + rule("a", "not_null", "id", "warn", "") + ", "
            + rule("b", "completeness", "flag", "warn", ", \"params\": {\"min\": 0.5}") + ", "
            + rule("c", "between", "n", "warn", ", \"params\": {\"max\": 5}") + ", "
            + rule("d", "matches", "code", "warn", ", \"params\": {\"pattern\": \"^X\"}") + ", "
            + rule("e", "unique", "id", "warn", "") + ", "
            + rule("f", "expression", null, "warn", ", \"params\": {\"expression\": \"n * 2 < amount OR n IS NULL\"}") + "]";
    PCollection<String> scores =
        p.apply(Create.of(FOUR).withCoder(EtlRow.EtlRowCoder.of()))
            .apply(CheckQuality.with(suite("t", rules)).withReferenceTime(Instant.EPOCH))
            .verdicts()
            .apply(
                MapElements.into(TypeDescriptors.strings())
                    .via((String v) -> parse(v).path("scores") + " " + parse(v).path("columns") + " passed="
                        + parse(v).path("passed") + " quarantined=" + parse(v).path("quarantined")));
    PAssert.that(scores)
        .containsInAnyOrder(
            "{\"completeness\":0.75,\"validity\":0.6666666666666666,\"uniqueness\":0.6666666666666666}"
                + " [{\"column\":\"id\",\"completeness\":0.75,\"validity\":1.0,\"uniqueness\":0.6666666666666666},"
                + "{\"column\":\"n\",\"completeness\":1.0,\"validity\":0.75,\"uniqueness\":1.0},"
                + "{\"column\":\"code\",\"completeness\":1.0,\"validity\":0.75,\"uniqueness\":1.0},"
                + "{\"column\":\"flag\",\"completeness\":0.75,\"validity\":1.0,\"uniqueness\":1.0}]"
                + " passed=false quarantined=false");
  }

  @Test
  void aCriticalFailureQuarantinesItsTableOnlyAndAWarningNothing(TestPipeline p) {
    QualitySuites suites =
        QualitySuites.of(
            List.of(
                QualitySuite.of("shop", "t", "[" + rule("id-set", "not_null", "id", "critical", "") + "]", SCHEMAS),
                QualitySuite.of("shop", "u", "[" + rule("u-format", "matches", "id", "warn", ", \"params\": {\"pattern\": \"^z\"}") + "]", SCHEMAS)));
    List<EtlRow> rows = new ArrayList<>(FOUR);
    rows.add(u(1, "x"));
    rows.add(u(2, "y"));
    QualityChecked checked =
        p.apply(Create.of(rows).withCoder(EtlRow.EtlRowCoder.of()))
            .apply(CheckQuality.with(suites).withReferenceTime(Instant.EPOCH));
    PAssert.that(checked.quarantined()).containsInAnyOrder(FOUR);
    PAssert.that(checked.passed()).containsInAnyOrder(u(1, "x"), u(2, "y"));
  }

  @Test
  void aBatchJudgesATableWithASuiteButNoRows(TestPipeline p) {
    QualitySuites suites =
        QualitySuites.of(
            List.of(
                QualitySuite.of("shop", "t", "[]", SCHEMAS),
                QualitySuite.of("shop", "u", "[" + rule("u-some", "row_count", null, "critical", ", \"params\": {\"min\": 1}") + "]", SCHEMAS)));
    PCollection<String> verdicts =
        p.apply(Create.of(FOUR).withCoder(EtlRow.EtlRowCoder.of()))
            .apply(CheckQuality.with(suites).withReferenceTime(Instant.EPOCH))
            .verdicts()
            .apply(
                MapElements.into(TypeDescriptors.strings())
                    .via((String v) -> parse(v).path("table").asText() + " rows=" + parse(v).path("rows")
                        + " quarantined=" + parse(v).path("quarantined")));
    PAssert.that(verdicts).containsInAnyOrder("t rows=4 quarantined=false", "u rows=0 quarantined=true");
  }

  @Test
  void aStreamQuarantinesOnlyTheFailingTablesWindow(TestPipeline p) {
    // Table t: window 10:00-10:05 holds a row without id (critical not_null); 10:05-10:10 is clean.
    // Table u: clean in 10:00-10:05. Only t's first window goes to quarantine.
    EtlRow tBad = t(1, "{\"id\":null,\"n\":1,\"amount\":\"1.00\",\"code\":\"X1\",\"flag\":true}");
    EtlRow tGood1 = t(2, "{\"id\":\"a\",\"n\":1,\"amount\":\"1.00\",\"code\":\"X1\",\"flag\":true}");
    EtlRow tGood2 = t(6, "{\"id\":\"b\",\"n\":1,\"amount\":\"1.00\",\"code\":\"X1\",\"flag\":true}");
    EtlRow u1 = u(3, "x");
    TestStream<EtlRow> stream =
        TestStream.create(EtlRow.EtlRowCoder.of())
            .advanceWatermarkTo(new org.joda.time.Instant(BASE))
            .addElements(stamped(tBad), stamped(tGood1), stamped(u1), stamped(tGood2))
            .advanceWatermarkToInfinity();
    QualitySuites suites =
        QualitySuites.of(
            List.of(
                QualitySuite.of("shop", "t", "[" + rule("id-set", "not_null", "id", "critical", "") + "]", SCHEMAS),
                QualitySuite.of("shop", "u", "[" + rule("u-set", "not_null", "id", "critical", "") + "]", SCHEMAS)));
    QualityChecked checked =
        p.apply(stream)
            .apply(
                Window.<EtlRow>into(FixedWindows.of(Duration.standardMinutes(5)))
                    .triggering(
                        AfterWatermark.pastEndOfWindow()
                            .withLateFirings(AfterProcessingTime.pastFirstElementInPane().plusDelayOf(Duration.standardSeconds(10))))
                    .withAllowedLateness(Duration.standardMinutes(120))
                    .discardingFiredPanes())
            .apply(CheckQuality.with(suites));
    IntervalWindow first = new IntervalWindow(new org.joda.time.Instant(BASE), Duration.standardMinutes(5));
    IntervalWindow second = new IntervalWindow(first.end(), Duration.standardMinutes(5));
    PAssert.that(checked.quarantined()).inWindow(first).containsInAnyOrder(tBad, tGood1);
    PAssert.that(checked.quarantined()).inWindow(second).empty();
    PAssert.that(checked.passed()).inWindow(first).containsInAnyOrder(u1);
    PAssert.that(checked.passed()).inWindow(second).containsInAnyOrder(tGood2);
    p.run();
  }

  private static TimestampedValue<EtlRow> stamped(EtlRow r) {
    return TimestampedValue.of(r, new org.joda.time.Instant(r.eventTimeMillis()));
  }
}
