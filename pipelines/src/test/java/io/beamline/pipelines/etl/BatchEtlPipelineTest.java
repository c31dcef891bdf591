package io.beamline.pipelines.etl;

import static io.beamline.pipelines.etl.EtlTestSupport.columnTypes;
import static io.beamline.pipelines.etl.EtlTestSupport.duckdb;
import static io.beamline.pipelines.etl.EtlTestSupport.envelopeOf;
import static io.beamline.pipelines.etl.EtlTestSupport.etlTable;
import static io.beamline.pipelines.etl.EtlTestSupport.filesUnder;
import static io.beamline.pipelines.etl.EtlTestSupport.inputLines;
import static io.beamline.pipelines.etl.EtlTestSupport.payloadOf;
import static io.beamline.pipelines.etl.EtlTestSupport.query;
import static io.beamline.pipelines.etl.EtlTestSupport.queryLong;
import static io.beamline.pipelines.etl.EtlTestSupport.sql;
import static io.beamline.pipelines.etl.EtlTestSupport.strictUtf8;
import static io.beamline.pipelines.etl.EtlTestSupport.zoneLines;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.anyOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.in;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import io.beamline.options.EtlOptions;
import io.beamline.pipelines.etl.EtlTestSupport.ZoneLine;
import io.beamline.pipelines.generate.GeneratedSample;
import io.beamline.pipelines.generate.SampleEventGenerator;
import io.beamline.transforms.Json;
import io.beamline.transforms.testing.Envelopes;
import io.beamline.transforms.testing.TestKeyrings;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * End-to-end tests of the batch ETL: generated envelope files through {@link
 * BatchEtlPipeline#run} on the Direct runner, the output read back with DuckDB (Parquet) and plain
 * file reading (JSON lines), checked against the contracts of ARCHITECTURE.md.
 */
class BatchEtlPipelineTest {
  /** The dead-letter reasons of the contract: a closed set. */
  static final Set<String> REASONS =
      Set.of(
          "MALFORMED_JSON",
          "MISSING_ENVELOPE_FIELD",
          "INVALID_ENVELOPE_FIELD",
          "UNKNOWN_KEY",
          "DECRYPT_FAILED",
          "UNKNOWN_TABLE",
          "SCHEMA_VIOLATION",
          "OVERSIZED",
          "LATE_DATA",
          "FETCH_FAILED",
          "LOAD_FAILED");

  private static final DateTimeFormatter DATE_HOUR =
      DateTimeFormatter.ofPattern("'dt='uuuu-MM-dd'/hr='HH").withZone(ZoneOffset.UTC);

  /** {@code dt=YYYY-MM-DD/hr=HH} of an instant, UTC. */
  static String dateHour(Instant t) {
    return DATE_HOUR.format(t);
  }

  /** The instant of an ISO-8601 time with offset or Z, or null when it is not one. */
  static Instant isoInstant(String text) {
    try {
      return OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
    } catch (RuntimeException e) {
      return null;
    }
  }

  /**
   * One run over 400 generated lines of one day (10 % bad, 2 % duplicates) plus a hand-written
   * file with an oversized line and a line that is not UTF-8. Every test of this group reads the
   * same output.
   */
  @Nested
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  class OneRunOfGeneratedEvents {
    static final int COUNT = 400;
    static final String RUN_ID = "e2e-one-run";

    Path input;
    Path output;
    GeneratedSample sample;
    EtlRunSummary summary;
    /** Lines of the hand-written file, on top of the sample. */
    long extraLines;
    /** Expected dead letters per reason: the sample's plus the hand-written file's. */
    Map<String, Long> expectedDeadLetters;
    /** Lines the reader rejects before parsing: oversized or not UTF-8. */
    long readRejects;
    Connection db;

    @BeforeAll
    void runOnce(@TempDir Path tmp) throws IOException {
      input = tmp.resolve("in");
      output = tmp.resolve("out");
      sample = EtlTestSupport.generate(input, COUNT, 20261120L);
      if (!sample.badLinesByKind().containsKey("INVALID_UTF8")
          || !sample.badLinesByKind().containsKey("UNPARSEABLE_EVENT_TIME")) {
        throw new IllegalStateException(
            "the sample lacks a kind of bad line the tests look at: " + sample.badLinesByKind());
      }

      // The generator writes OVERSIZED lines only from 1000 events on: one by hand, plus one more
      // line that is not UTF-8, in a file of its own.
      ByteArrayOutputStream extra = new ByteArrayOutputStream();
      extra.write(
          Envelopes.envelope()
              .eventId("oversized-0001")
              .with("note", "x".repeat(SampleEventGenerator.MAX_LINE_BYTES + 10))
              .line()
              .getBytes(StandardCharsets.UTF_8));
      extra.write('\n');
      byte[] notUtf8 =
          Envelopes.envelope()
              .eventId("not-utf8-0001")
              .with("note", "M#ller")
              .line()
              .getBytes(StandardCharsets.UTF_8);
      for (int i = 0; i < notUtf8.length; i++) {
        if (notUtf8[i] == '#') {
          notUtf8[i] = (byte) 0xFF;
        }
      }
      extra.write(notUtf8);
      extra.write('\n');
      Files.write(input.resolve("extra.jsonl"), extra.toByteArray());
      extraLines = 2;
      expectedDeadLetters = new TreeMap<>(sample.expectedDeadLetters());
      expectedDeadLetters.merge("OVERSIZED", 1L, Long::sum);
      expectedDeadLetters.merge("MALFORMED_JSON", 1L, Long::sum);
      readRejects = 1 + 1 + sample.badLinesByKind().get("INVALID_UTF8");

      Path keyring = TestKeyrings.writeKeyringFile(tmp);
      summary = EtlTestSupport.run(input, output, keyring, "--runId=" + RUN_ID);
      db = duckdb();
    }

    @AfterAll
    void closeDb() throws Exception {
      if (db != null) {
        db.close();
      }
    }

    // ------------------------------------------------------------------ counts and conservation

    @Test
    void recordsInAreEveryLineOfTheInputFiles() {
      assertThat(summary.recordsIn(), is(sample.totalLines() + extraLines));
    }

    @Test
    void etlRecordsAreTheDistinctGoodEvents() {
      assertThat(summary.etlRecords(), is(sample.goodEvents()));
    }

    @Test
    void etlRowsPerTableAreTheExpectedRowsChildrenIncluded() {
      assertThat(summary.etlRowsByTable(), is(sample.expectedEtlRows()));
    }

    @Test
    void deadLettersByReasonAreExactlyTheExpectedOnes() {
      assertThat(summary.deadLettersByReason(), is(expectedDeadLetters));
      assertThat(summary.deadLettersByReason().get("OVERSIZED"), is(1L));
    }

    @Test
    void duplicatesDroppedAreTheGeneratedCopies() {
      assertThat(summary.duplicatesDropped(), is(sample.duplicates()));
    }

    @Test
    void countsAreConserved() {
      assertThat(summary.conserved(), is(true));
      assertThat(
          summary.recordsIn(),
          is(summary.etlRecords() + summary.deadLetters() + summary.duplicatesDropped()));
    }

    // ------------------------------------------------------------------ etl zone, read by DuckDB

    @Test
    void parquetRowCountsPerTableEqualTheSummary() {
      Map<String, Long> counted = new TreeMap<>();
      for (String table : EtlTestSupport.TABLES) {
        counted.put(table, queryLong(db, "SELECT count(*) FROM " + etlTable(output, table)));
      }
      assertThat(counted, is(summary.etlRowsByTable()));
    }

    @Test
    void ordersColumnsHaveTheTypesOfTheirSchema() {
      Map<String, String> types = columnTypes(db, output, "orders");

      assertThat(types.get("event_time"), is(anyOf(equalTo("TIMESTAMP WITH TIME ZONE"), equalTo("TIMESTAMP"))));
      assertThat(types.get("created_at"), is(anyOf(equalTo("TIMESTAMP WITH TIME ZONE"), equalTo("TIMESTAMP"))));
      assertThat(types.get("_ingested_at"), is(anyOf(equalTo("TIMESTAMP WITH TIME ZONE"), equalTo("TIMESTAMP"))));
      assertThat(types.get("total"), is("DECIMAL(38,2)"));
      assertThat(types.get("item_count"), is("INTEGER"));
      assertThat(types.get("express"), is("BOOLEAN"));
      assertThat(types.get("delivery_date"), is("DATE"));
      assertThat(types.get("event_id"), is("VARCHAR"));
      assertThat(types.get("order_id"), is("VARCHAR"));
      assertThat(types.get("_extra"), is("VARCHAR"));
    }

    @Test
    void otherTablesColumnsHaveTheTypesOfTheirSchemas() {
      Map<String, String> items = columnTypes(db, output, "order_items");
      Map<String, String> customers = columnTypes(db, output, "customers");
      Map<String, String> payments = columnTypes(db, output, "payments");

      assertThat(items.get("unit_price"), is("DECIMAL(38,2)"));
      assertThat(items.get("line_no"), is("INTEGER"));
      assertThat(items.get("discount"), is("DOUBLE"));
      assertThat(items.get("order_id"), is("VARCHAR"));
      assertThat(customers.get("birth_date"), is("DATE"));
      assertThat(customers.get("loyalty_points"), is("BIGINT"));
      assertThat(customers.get("marketing_opt_in"), is("BOOLEAN"));
      assertThat(customers.get("signed_up_at"), is(anyOf(equalTo("TIMESTAMP WITH TIME ZONE"), equalTo("TIMESTAMP"))));
      assertThat(payments.get("amount"), is("DECIMAL(38,2)"));
      assertThat(payments.get("fee_rate"), is("DOUBLE"));
      assertThat(payments.get("captured"), is("BOOLEAN"));
    }

    @Test
    void everyEtlRowSitsInTheHivePartitionOfItsUtcEventDateAndHour() {
      for (String table : EtlTestSupport.TABLES) {
        List<Map<String, String>> misplaced =
            query(
                db,
                "SELECT event_id, event_time, dt, hr, filename FROM " + etlTable(output, table)
                    + " WHERE CAST(dt AS VARCHAR) <> strftime(event_time, '%Y-%m-%d')"
                    + " OR hr <> strftime(event_time, '%H') OR dt IS NULL OR hr IS NULL LIMIT 5");
        assertThat(table + " rows outside their event hour", misplaced, is(empty()));
      }
    }

    @Test
    void everyEtlRowSitsInThePartitionOfItsOwnTenantColumn() {
      for (String table : EtlTestSupport.TABLES) {
        // hive_partitioning off: tenant is the column stored in the file, not the directory name.
        String root = sql(output.toAbsolutePath().toString());
        List<Map<String, String>> misplaced =
            query(
                db,
                "SELECT event_id, tenant, event_time, filename FROM " + etlTable(output, table, false)
                    + " WHERE tenant IS NULL OR NOT starts_with(filename, '" + root + "/etl/shop/"
                    + table + "/tenant=' || tenant || '/dt=' || strftime(event_time, '%Y-%m-%d')"
                    + " || '/hr=' || strftime(event_time, '%H') || '/') LIMIT 5");
        assertThat(table + " rows outside their tenant's partition", misplaced, is(empty()));
      }
    }

    @Test
    void everyEtlRowCarriesEventIdTenantEventTimeAndOneIngestedAt() {
      Set<String> ingestedAt = new java.util.HashSet<>();
      for (String table : EtlTestSupport.TABLES) {
        long incomplete =
            queryLong(
                db,
                "SELECT count(*) FROM " + etlTable(output, table)
                    + " WHERE event_id IS NULL OR event_id = '' OR tenant IS NULL"
                    + " OR event_time IS NULL OR _ingested_at IS NULL");
        assertThat(table + " rows without event_id, tenant, event_time or _ingested_at", incomplete, is(0L));
        query(db, "SELECT DISTINCT CAST(_ingested_at AS VARCHAR) AS t FROM " + etlTable(output, table))
            .forEach(r -> ingestedAt.add(r.get("t")));
      }
      assertThat("one run, one _ingested_at", ingestedAt, hasSize(1));
    }

    @Test
    void parentTablesHoldOneRowPerEventId() {
      for (String table : List.of("orders", "customers", "payments")) {
        long rows = queryLong(db, "SELECT count(*) FROM " + etlTable(output, table));
        long distinct = queryLong(db, "SELECT count(DISTINCT event_id) FROM " + etlTable(output, table));
        assertThat(table + " event ids", distinct, is(rows));
      }
    }

    @Test
    void orderItemsCarryTheirOrdersKeyEventIdTenantAndEventTime() {
      List<Map<String, String>> mismatched =
          query(
              db,
              "SELECT i.event_id, i.order_id, o.order_id AS parent_order_id, i.tenant,"
                  + " o.tenant AS parent_tenant, i.event_time, o.event_time AS parent_event_time"
                  + " FROM " + etlTable(output, "order_items", false) + " i JOIN "
                  + etlTable(output, "orders", false) + " o ON i.event_id = o.event_id"
                  + " WHERE i.order_id IS DISTINCT FROM o.order_id OR i.tenant <> o.tenant"
                  + " OR i.event_time <> o.event_time LIMIT 5");
      assertThat(mismatched, is(empty()));
      long joined =
          queryLong(
              db,
              "SELECT count(*) FROM " + etlTable(output, "order_items") + " i JOIN "
                  + etlTable(output, "orders") + " o ON i.event_id = o.event_id");
      assertThat(joined, is(sample.expectedEtlRows("order_items")));
    }

    @Test
    void everyOrderItemHasAParentOrderInTheSamePartition() {
      List<Map<String, String>> orphans =
          query(
              db,
              "SELECT i.event_id, i.order_id, i.filename FROM " + etlTable(output, "order_items") + " i"
                  + " WHERE NOT EXISTS (SELECT 1 FROM " + etlTable(output, "orders") + " o"
                  + " WHERE o.event_id = i.event_id AND o.tenant = i.tenant AND o.dt = i.dt"
                  + " AND o.hr = i.hr) LIMIT 5");
      assertThat(orphans, is(empty()));
    }

    @Test
    void orderValuesReadBackEqualTheirDecryptedPayloads() throws IOException {
      Map<String, JsonNode> envelopes = goodEnvelopesById("orders");
      List<String> mismatches = new ArrayList<>();
      List<Map<String, String>> rows =
          query(
              db,
              "SELECT event_id, tenant, epoch_ms(event_time) AS event_ms, order_id, customer_id,"
                  + " customer_address_city, customer_address_country, CAST(total AS VARCHAR) AS total,"
                  + " currency, status, item_count, express, epoch_ms(created_at) AS created_ms,"
                  + " CAST(delivery_date AS VARCHAR) AS delivery_date, tags"
                  + " FROM " + etlTable(output, "orders", false));
      for (Map<String, String> row : rows) {
        JsonNode env = envelopes.get(row.get("event_id"));
        if (env == null) {
          mismatches.add("no input envelope for row " + row);
          continue;
        }
        JsonNode p = payloadOf(env);
        JsonNode address = p.path("customer").path("address");
        Map<String, String> expected = new TreeMap<>();
        expected.put("tenant", env.get("tenant").asText());
        expected.put("event_ms", millis(env.get("event_time").asText()));
        expected.put("order_id", p.get("order_id").asText());
        expected.put("customer_id", p.path("customer").path("id").asText());
        expected.put("customer_address_city", address.has("city") ? address.get("city").asText() : "unknown");
        expected.put("customer_address_country", address.has("country") ? address.get("country").asText() : null);
        expected.put("total", new BigDecimal(p.get("total").asText()).setScale(2).toPlainString());
        expected.put("currency", p.get("currency").asText());
        expected.put("status", p.get("status").asText());
        expected.put("item_count", p.has("item_count") ? p.get("item_count").asText() : null);
        expected.put("express", Boolean.toString(p.path("express").asBoolean(false)));
        expected.put("created_ms", millis(p.get("created_at").asText()));
        expected.put("delivery_date", p.has("delivery_date") ? p.get("delivery_date").asText() : null);
        Map<String, String> actual = new TreeMap<>(row);
        actual.remove("event_id");
        String tags = actual.remove("tags");
        if (!Objects.equals(actual, expected)) {
          mismatches.add(row.get("event_id") + ": expected " + expected + " but read " + actual);
        }
        JsonNode expectedTags = p.get("tags");
        JsonNode actualTags = tags == null ? null : Json.MAPPER.readTree(tags);
        if (!Objects.equals(expectedTags, actualTags)) {
          mismatches.add(row.get("event_id") + ": tags " + expectedTags + " read as " + tags);
        }
      }
      assertThat(rows, hasSize((int) sample.expectedEtlRows("orders")));
      assertThat(mismatches.stream().limit(5).collect(Collectors.toList()), is(empty()));
    }

    @Test
    void orderItemValuesReadBackEqualTheirDecryptedItems() {
      Map<String, JsonNode> envelopes = goodEnvelopesById("orders");
      List<String> mismatches = new ArrayList<>();
      List<Map<String, String>> rows =
          query(
              db,
              "SELECT event_id, order_id, line_no, sku, category, quantity,"
                  + " CAST(unit_price AS VARCHAR) AS unit_price, discount, _extra"
                  + " FROM " + etlTable(output, "order_items", false));
      for (Map<String, String> row : rows) {
        JsonNode env = envelopes.get(row.get("event_id"));
        JsonNode items = env == null ? null : payloadOf(env).get("items");
        int lineNo = Integer.parseInt(row.get("line_no"));
        JsonNode item = items == null ? null : items.get(lineNo - 1);
        if (item == null || item.get("line_no").asInt() != lineNo) {
          mismatches.add("no input item for row " + row);
          continue;
        }
        Map<String, String> expected = new TreeMap<>();
        expected.put("order_id", payloadOf(env).get("order_id").asText());
        expected.put("sku", item.get("sku").asText());
        expected.put("category", item.get("category").asText());
        expected.put("quantity", item.get("quantity").asText());
        expected.put("unit_price", new BigDecimal(item.get("unit_price").asText()).setScale(2).toPlainString());
        expected.put("discount", Double.toString(item.path("discount").asDouble(0.0)));
        Map<String, String> actual = new TreeMap<>(row);
        actual.remove("event_id");
        actual.remove("line_no");
        String extra = actual.remove("_extra");
        actual.put("discount", Double.toString(Double.parseDouble(actual.get("discount"))));
        if (!actual.equals(expected)) {
          mismatches.add(row.get("event_id") + "#" + lineNo + ": expected " + expected + " but read " + actual);
        } else if (extra == null
            || !item.get("title").equals(
                EtlTestSupport.unchecked(() -> Json.MAPPER.readTree(extra)).get("title"))) {
          mismatches.add(row.get("event_id") + "#" + lineNo + ": _extra " + extra + " lost the title");
        }
      }
      assertThat(rows, hasSize((int) sample.expectedEtlRows("order_items")));
      assertThat(mismatches.stream().limit(5).collect(Collectors.toList()), is(empty()));
    }

    /** Input envelopes of a table that are valid UTF-8 JSON, by event_id. */
    private Map<String, JsonNode> goodEnvelopesById(String table) {
      Map<String, JsonNode> byId = new HashMap<>();
      for (byte[] line : EtlTestSupport.unchecked(() -> inputLines(input))) {
        String text = line.length > SampleEventGenerator.MAX_LINE_BYTES ? null : strictUtf8(line);
        JsonNode env = text == null ? null : envelopeOf(text);
        if (env != null && table.equals(env.path("table").asText()) && env.path("event_id").isTextual()) {
          byId.put(env.get("event_id").asText(), env);
        }
      }
      return byId;
    }

    private String millis(String isoTime) {
      Instant t = isoInstant(isoTime);
      return t == null ? "unparseable " + isoTime : Long.toString(t.toEpochMilli());
    }

    // ------------------------------------------------------------------ dlq zone

    @Test
    void everyDeadLetterLineIsAJsonObjectWithTheContractFields() throws IOException {
      List<ZoneLine> lines = zoneLines(output, "dlq");
      assertThat(lines, is(not(empty())));
      for (ZoneLine l : lines) {
        JsonNode d = Json.MAPPER.readTree(l.text());
        assertThat(l.text(), d.isObject(), is(true));
        assertThat(l.text(), d.path("stage").asText(), is(not("")));
        assertThat(l.text(), d.path("reason").asText(), is(in(REASONS)));
        assertThat(l.text(), d.path("detail").asText(), is(not("")));
        assertThat(l.text(), isoInstant(d.path("rejected_at").asText()), is(notNullValue()));
        boolean raw = d.path("raw").isTextual();
        boolean rawBase64 = d.path("raw_base64").isTextual();
        assertThat(l.text() + " has raw or raw_base64", raw || rawBase64, is(true));
      }
    }

    @Test
    void deadLettersOfRecordsThatWereParsedCarryEventIdTenantAndEventTime() throws IOException {
      int checked = 0;
      for (ZoneLine l : zoneLines(output, "dlq")) {
        JsonNode d = Json.MAPPER.readTree(l.text());
        if (!Set.of("read", "parse").contains(d.get("stage").asText())) {
          checked++;
          JsonNode env = envelopeOf(d.get("raw").asText());
          assertThat(l.text(), d.get("event_id").asText(), is(env.get("event_id").asText()));
          assertThat(l.text(), d.get("tenant").asText(), is(env.get("tenant").asText()));
          assertThat(
              l.text(),
              Instant.parse(d.get("event_time").asText()),
              is(isoInstant(env.get("event_time").asText())));
        }
      }
      assertThat(checked, is(greaterThan(0)));
    }

    @Test
    void dlqLinesAreOnePerDeadLetterWithTheSummarysReasons() throws IOException {
      List<ZoneLine> lines = zoneLines(output, "dlq");
      Map<String, Long> byReason = new TreeMap<>();
      for (ZoneLine l : lines) {
        byReason.merge(Json.MAPPER.readTree(l.text()).path("reason").asText(), 1L, Long::sum);
      }
      assertThat((long) lines.size(), is(summary.deadLetters()));
      assertThat(byReason, is(summary.deadLettersByReason()));
    }

    @Test
    void deadLettersOfUnparseableEventTimeSitUnderDtUnknown() throws IOException {
      int found = 0;
      for (ZoneLine l : zoneLines(output, "dlq")) {
        JsonNode d = Json.MAPPER.readTree(l.text());
        JsonNode env = d.hasNonNull("raw") ? envelopeOf(d.get("raw").asText()) : null;
        if (env != null && env.path("event_time").isTextual()
            && !env.get("event_time").asText().isEmpty()
            && isoInstant(env.get("event_time").asText()) == null) {
          found++;
          assertThat(l.text(), l.partition(), endsWith("/dt=unknown/hr=unknown"));
          assertThat(l.text(), d.get("event_time").isNull(), is(true));
        }
      }
      assertThat(found, is(greaterThanOrEqualTo(sample.badLinesByKind().get("UNPARSEABLE_EVENT_TIME").intValue())));
    }

    @Test
    void deadLettersSitInThePartitionOfTheirTableTenantAndEventTime() throws IOException {
      List<String> misplaced = new ArrayList<>();
      for (ZoneLine l : zoneLines(output, "dlq")) {
        JsonNode d = Json.MAPPER.readTree(l.text());
        boolean unknownTable = d.get("reason").asText().equals("UNKNOWN_TABLE");
        String expected =
            "dlq/" + (unknownTable ? "_unknown" : orUnknown(d.get("source")))
                + "/" + (unknownTable ? "_unknown" : orUnknown(d.get("table")))
                + "/tenant=" + orUnknown(d.get("tenant")) + "/"
                + (d.get("event_time").isNull()
                    ? "dt=unknown/hr=unknown"
                    : dateHour(Instant.parse(d.get("event_time").asText())));
        if (!l.partition().equals(expected)) {
          misplaced.add(l.partition() + " instead of " + expected + ": " + l.text());
        }
      }
      assertThat(misplaced, is(empty()));
    }

    private String orUnknown(JsonNode name) {
      return name == null || name.isNull() ? "_unknown" : name.asText();
    }

    @Test
    void deadLettersKeepTheRejectedLineAsReceived() throws IOException {
      List<String> inputs =
          inputLines(input).stream()
              .map(b -> new String(b, StandardCharsets.ISO_8859_1))
              .collect(Collectors.toList());
      Set<String> inputSet = Set.copyOf(inputs);
      List<String> notFound = new ArrayList<>();
      for (ZoneLine l : zoneLines(output, "dlq")) {
        JsonNode d = Json.MAPPER.readTree(l.text());
        byte[] raw =
            d.hasNonNull("raw_base64")
                ? Base64.getDecoder().decode(d.get("raw_base64").asText())
                : d.get("raw").asText().getBytes(StandardCharsets.UTF_8);
        String key = new String(raw, StandardCharsets.ISO_8859_1);
        boolean kept =
            d.get("reason").asText().equals("OVERSIZED")
                ? raw.length > 0 && inputs.stream().anyMatch(i -> i.startsWith(key))
                : inputSet.contains(key);
        if (!kept) {
          notFound.add(l.text().substring(0, Math.min(300, l.text().length())));
        }
      }
      assertThat(notFound, is(empty()));
    }

    @Test
    void linesThatAreNotUtf8KeepTheirExactBytesInRawBase64() throws IOException {
      List<String> notUtf8Inputs =
          inputLines(input).stream()
              .filter(b -> b.length <= SampleEventGenerator.MAX_LINE_BYTES && strictUtf8(b) == null)
              .map(b -> Base64.getEncoder().encodeToString(b))
              .sorted()
              .collect(Collectors.toList());
      List<String> rawBase64 = new ArrayList<>();
      for (ZoneLine l : zoneLines(output, "dlq")) {
        JsonNode d = Json.MAPPER.readTree(l.text());
        if (d.hasNonNull("raw_base64") && !d.get("reason").asText().equals("OVERSIZED")) {
          rawBase64.add(d.get("raw_base64").asText());
          assertThat(l.text(), d.get("stage").asText(), is("read"));
          assertThat(l.text(), d.get("reason").asText(), is("MALFORMED_JSON"));
        }
      }
      Collections.sort(rawBase64);
      assertThat(notUtf8Inputs, hasSize((int) (readRejects - 1)));
      assertThat(rawBase64, is(notUtf8Inputs));
    }

    @Test
    void oversizedLineKeepsOnlyItsFirstBytes() throws IOException {
      List<JsonNode> oversized = new ArrayList<>();
      for (ZoneLine l : zoneLines(output, "dlq")) {
        JsonNode d = Json.MAPPER.readTree(l.text());
        if (d.get("reason").asText().equals("OVERSIZED")) {
          oversized.add(d);
        }
      }
      assertThat(oversized, hasSize(1));
      JsonNode d = oversized.get(0);
      int kept =
          d.hasNonNull("raw_base64")
              ? Base64.getDecoder().decode(d.get("raw_base64").asText()).length
              : d.get("raw").asText().getBytes(StandardCharsets.UTF_8).length;
      assertThat(kept, is(both(greaterThan(0), lessThanOrEqualTo(64 * 1024))));
      assertThat(d.get("stage").asText(), is("read"));
    }

    private static <T extends Comparable<T>> org.hamcrest.Matcher<T> both(
        org.hamcrest.Matcher<T> a, org.hamcrest.Matcher<T> b) {
      return org.hamcrest.Matchers.both(a).and(b);
    }

    @Test
    void noDeadLetterContainsKeyBytes() throws IOException {
      for (ZoneLine l : zoneLines(output, "dlq")) {
        for (String key : EtlTestSupport.testKeysBase64()) {
          assertThat(l.text(), not(containsString(key)));
        }
      }
    }

    @Test
    void noOutputFileContainsKeyBytes() throws IOException {
      List<byte[]> needles = new ArrayList<>();
      for (String key : EtlTestSupport.testKeysBase64()) {
        needles.add(key.getBytes(StandardCharsets.US_ASCII));
        needles.add(Base64.getDecoder().decode(key));
      }
      for (Path f : filesUnder(output)) {
        byte[] content = Files.readAllBytes(f);
        for (byte[] needle : needles) {
          assertThat(f + " holds key material", indexOf(content, needle), is(-1));
        }
      }
    }

    private int indexOf(byte[] hay, byte[] needle) {
      outer:
      for (int i = 0; i + needle.length <= hay.length; i++) {
        for (int j = 0; j < needle.length; j++) {
          if (hay[i + j] != needle[j]) {
            continue outer;
          }
        }
        return i;
      }
      return -1;
    }

    // ------------------------------------------------------------------ raw zone

    @Test
    void rawZoneHoldsEveryLineThatWasReadAsText() throws IOException {
      List<String> raw =
          zoneLines(output, "raw").stream().map(ZoneLine::text).sorted().collect(Collectors.toList());
      List<String> readable =
          inputLines(input).stream()
              .filter(b -> b.length <= SampleEventGenerator.MAX_LINE_BYTES)
              .map(EtlTestSupport::strictUtf8)
              .filter(Objects::nonNull)
              .sorted()
              .collect(Collectors.toList());

      assertThat((long) raw.size(), is(summary.recordsIn() - readRejects));
      assertSameLines(raw, readable);
    }

    /** Sorted lists equal; on failure shows a few lines missing and a few unexpected. */
    private void assertSameLines(List<String> actual, List<String> expected) {
      if (!actual.equals(expected)) {
        List<String> missing = new ArrayList<>(expected);
        actual.forEach(missing::remove);
        List<String> unexpected = new ArrayList<>(actual);
        expected.forEach(unexpected::remove);
        assertThat(
            "missing " + missing.stream().limit(3).map(this::shorten).collect(Collectors.toList())
                + ", unexpected " + unexpected.stream().limit(3).map(this::shorten).collect(Collectors.toList()),
            actual,
            is(expected));
      }
    }

    private String shorten(String line) {
      return line.length() <= 200 ? line : line.substring(0, 200) + "...";
    }

    @Test
    void rawLinesWithAParseableEventTimeSitInItsHour() throws IOException {
      List<String> misplaced = new ArrayList<>();
      for (ZoneLine l : zoneLines(output, "raw")) {
        JsonNode env = envelopeOf(l.text());
        Instant t = env == null ? null : isoInstant(env.path("event_time").asText());
        String expected = t == null ? "dt=unknown/hr=unknown" : dateHour(t);
        if (!l.partition().endsWith("/" + expected)) {
          misplaced.add(l.partition() + " instead of " + expected);
        }
      }
      assertThat(misplaced.stream().limit(5).collect(Collectors.toList()), is(empty()));
    }

    // ------------------------------------------------------------------ audit zone and leftovers

    @Test
    void auditRecordHoldsTheSummarysNumbers() throws IOException {
      Path auditDir = output.resolve("audit/runs");
      List<Path> records = filesUnder(auditDir);
      assertThat(records, hasSize(1));
      Path record = records.get(0);
      JsonNode audit = Json.MAPPER.readTree(Files.readString(record));
      String startDate = audit.get("started_at").asText().substring(0, 10);

      assertThat(
          auditDir.relativize(record).toString().replace('\\', '/'),
          is("dt=" + startDate + "/run-" + RUN_ID + ".json"));
      assertThat(Path.of(summary.auditFile()).toAbsolutePath().normalize(), is(record.toAbsolutePath().normalize()));
      assertThat(audit.get("run_id").asText(), is(RUN_ID));
      assertThat(audit.get("records_in").asLong(), is(summary.recordsIn()));
      assertThat(audit.get("etl_records").asLong(), is(summary.etlRecords()));
      assertThat(audit.get("dead_letters").asLong(), is(summary.deadLetters()));
      assertThat(audit.get("duplicates_dropped").asLong(), is(summary.duplicatesDropped()));
      assertThat(audit.get("conserved").asBoolean(), is(true));
      assertThat(longs(audit.get("etl_rows")), is(summary.etlRowsByTable()));
      assertThat(longs(audit.get("dead_letters_by_reason")), is(summary.deadLettersByReason()));
      assertThat(Json.MAPPER.readTree(summary.toJson()), is(audit));
    }

    @Test
    void auditRecordSpansTheEventTimesOfTheAcceptedEvents() throws IOException {
      JsonNode audit = Json.MAPPER.readTree(Files.readString(Path.of(summary.auditFile())));
      Map<String, String> range =
          query(
                  db,
                  "SELECT CAST(epoch_ms(min(event_time)) AS VARCHAR) AS lo,"
                      + " CAST(epoch_ms(max(event_time)) AS VARCHAR) AS hi FROM ("
                      + EtlTestSupport.TABLES.stream()
                          .filter(t -> !t.equals("order_items"))
                          .map(t -> "SELECT event_time FROM " + etlTable(output, t))
                          .collect(Collectors.joining(" UNION ALL "))
                      + ")")
              .get(0);
      assertThat(Instant.parse(audit.get("event_time_min").asText()).toEpochMilli(), is(Long.parseLong(range.get("lo"))));
      assertThat(Instant.parse(audit.get("event_time_max").asText()).toEpochMilli(), is(Long.parseLong(range.get("hi"))));
    }

    private Map<String, Long> longs(JsonNode node) {
      Map<String, Long> out = new TreeMap<>();
      node.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asLong()));
      return out;
    }

    @Test
    void noStagingFileIsLeftInTheAuditZone() throws IOException {
      assertThat(filesUnder(output.resolve("audit/_staging")), is(empty()));
    }

    @Test
    void noTemporaryFileIsLeftInTheZones() throws IOException {
      List<String> leftovers = new ArrayList<>();
      for (String zone : List.of("raw", "etl", "dlq", "audit")) {
        EtlTestSupport.pathsUnder(output.resolve(zone)).stream()
            .filter(
                p -> {
                  String name = Path.of(p).getFileName().toString();
                  return p.contains("temp-beam") || name.startsWith(".") || name.endsWith(".tmp");
                })
            .forEach(p -> leftovers.add(zone + "/" + p));
      }
      assertThat(leftovers, is(empty()));
    }

    @Test
    void noTempBeamDirectoryIsLeftBelowTheOutputRoot() throws IOException {
      List<String> leftovers =
          EtlTestSupport.pathsUnder(output).stream()
              .filter(p -> p.contains(".temp-beam"))
              .collect(Collectors.toList());
      assertThat(leftovers, is(empty()));
    }

    @Test
    void outputRootHoldsTheFourZones() throws IOException {
      try (var entries = Files.list(output)) {
        assertThat(
            entries
                .map(p -> p.getFileName().toString())
                .filter(n -> !n.startsWith("."))
                .sorted()
                .collect(Collectors.toList()),
            is(List.of("audit", "dlq", "etl", "raw")));
      }
    }
  }

  /**
   * The same input run twice into one output root, with a file of an earlier run under another
   * name planted in partitions the rerun writes.
   */
  @Nested
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  class RerunOfTheSameInput {
    Path output;
    EtlRunSummary first;
    EtlRunSummary second;
    Map<String, List<String>> rowsAfterFirst;
    Map<String, List<String>> rowsAfterSecond;
    List<String> dlqAfterFirst;
    List<String> dlqAfterSecond;
    List<String> rawAfterFirst;
    List<String> rawAfterSecond;
    List<String> filesAfterFirst;
    List<String> filesAfterSecond;
    List<Path> planted = new ArrayList<>();

    @BeforeAll
    void runTwice(@TempDir Path tmp) throws IOException {
      Path input = tmp.resolve("in");
      output = tmp.resolve("out");
      EtlTestSupport.generate(input, 120, 7L);
      Path keyring = TestKeyrings.writeKeyringFile(tmp);

      first = EtlTestSupport.run(input, output, keyring, "--runId=rerun-1");
      rowsAfterFirst = rows();
      dlqAfterFirst = linesWithoutRejectionTime("dlq");
      rawAfterFirst = lines("raw");
      filesAfterFirst = zoneFiles();

      // What a run with two files per partition would have left: another name, same rows.
      for (String zone : List.of("etl", "dlq", "raw")) {
        Path file = filesUnder(output.resolve(zone)).get(0);
        String ext = file.getFileName().toString().endsWith(".parquet") ? ".parquet" : ".jsonl";
        Path stale = file.resolveSibling("part-00001-of-00002" + ext);
        Files.copy(file, stale, StandardCopyOption.COPY_ATTRIBUTES);
        planted.add(stale);
      }

      second = EtlTestSupport.run(input, output, keyring, "--runId=rerun-2");
      rowsAfterSecond = rows();
      dlqAfterSecond = linesWithoutRejectionTime("dlq");
      rawAfterSecond = lines("raw");
      filesAfterSecond = zoneFiles();
    }

    /** Per table, every row's partition and content except _ingested_at, sorted. */
    private Map<String, List<String>> rows() {
      Map<String, List<String>> out = new TreeMap<>();
      String root = output.toAbsolutePath().toString();
      try (Connection db = duckdb()) {
        for (String table : EtlTestSupport.TABLES) {
          out.put(
              table,
              query(db, "SELECT * EXCLUDE (_ingested_at) FROM " + etlTable(output, table, false)).stream()
                  .map(r -> {
                    Map<String, String> row = new TreeMap<>(r);
                    String file = row.remove("filename");
                    row.put("partition", Path.of(root).relativize(Path.of(file).getParent()).toString());
                    return row.toString();
                  })
                  .sorted()
                  .collect(Collectors.toList()));
        }
      } catch (java.sql.SQLException e) {
        throw new IllegalStateException(e);
      }
      return out;
    }

    private List<String> lines(String zone) throws IOException {
      return zoneLines(output, zone).stream()
          .map(l -> l.partition() + " " + l.text())
          .sorted()
          .collect(Collectors.toList());
    }

    private List<String> linesWithoutRejectionTime(String zone) throws IOException {
      List<String> out = new ArrayList<>();
      for (ZoneLine l : zoneLines(output, zone)) {
        com.fasterxml.jackson.databind.node.ObjectNode d =
            (com.fasterxml.jackson.databind.node.ObjectNode) Json.MAPPER.readTree(l.text());
        d.remove("rejected_at");
        out.add(l.partition() + " " + d);
      }
      Collections.sort(out);
      return out;
    }

    private List<String> zoneFiles() throws IOException {
      List<String> out = new ArrayList<>();
      for (String zone : List.of("etl", "dlq", "raw")) {
        for (Path f : filesUnder(output.resolve(zone))) {
          out.add(output.relativize(f).toString());
        }
      }
      return out;
    }

    @Test
    void rerunLeavesTheRowCountsOfOneRun() {
      Map<String, Long> counts = new TreeMap<>();
      rowsAfterSecond.forEach((t, rows) -> counts.put(t, (long) rows.size()));
      assertThat(counts, is(first.etlRowsByTable()));
      assertThat(second.etlRowsByTable(), is(first.etlRowsByTable()));
    }

    @Test
    void rerunLeavesExactlyTheRowsOfOneRun() {
      for (String table : EtlTestSupport.TABLES) {
        assertThat(table, rowsAfterSecond.get(table).equals(rowsAfterFirst.get(table)), is(true));
      }
    }

    @Test
    void rerunLeavesTheDeadLettersOfOneRun() {
      assertThat((long) dlqAfterSecond.size(), is(first.deadLetters()));
      assertThat(dlqAfterSecond, is(dlqAfterFirst));
    }

    @Test
    void rerunLeavesTheRawLinesOfOneRun() {
      assertThat(rawAfterSecond, hasSize(rawAfterFirst.size()));
      assertThat(rawAfterSecond, is(rawAfterFirst));
    }

    @Test
    void rerunRemovesAFileOfAnEarlierRunWithAnotherName() {
      for (Path stale : planted) {
        assertThat(stale + " is still there", Files.exists(stale), is(false));
      }
    }

    @Test
    void rerunWritesTheSameFileNames() {
      assertThat(filesAfterSecond, is(filesAfterFirst));
    }

    @Test
    void eachRunKeepsItsOwnAuditRecord() throws IOException {
      List<String> records =
          filesUnder(output.resolve("audit/runs")).stream()
              .map(p -> p.getFileName().toString())
              .sorted()
              .collect(Collectors.toList());
      assertThat(records, is(List.of("run-rerun-1.json", "run-rerun-2.json")));
      assertThat(second.conserved(), is(true));
      assertThat(second.recordsIn(), is(first.recordsIn()));
    }
  }

  /**
   * A run with two files per partition, then a rerun of the same input with the default one: the
   * rerun's file names differ from the first run's, which must all go.
   */
  @Nested
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  class RerunWithFewerShardsPerPartition {
    Path output;
    EtlRunSummary first;
    List<String> filesAfterFirst;
    Map<String, Long> rowsAfterFirst = new TreeMap<>();
    List<String> filesAfterSecond;
    Map<String, Long> rowsAfterSecond = new TreeMap<>();

    @BeforeAll
    void runTwice(@TempDir Path tmp) throws Exception {
      Path input = tmp.resolve("in");
      output = tmp.resolve("out");
      EtlTestSupport.generate(input, 60, 13L);
      Path keyring = TestKeyrings.writeKeyringFile(tmp);

      first = EtlTestSupport.run(input, output, keyring, "--shardsPerPartition=2");
      filesAfterFirst = zoneFileNames();
      countRows(rowsAfterFirst);
      EtlTestSupport.run(input, output, keyring);
      filesAfterSecond = zoneFileNames();
      countRows(rowsAfterSecond);
    }

    private List<String> zoneFileNames() throws IOException {
      List<String> names = new ArrayList<>();
      for (String zone : List.of("etl", "dlq", "raw")) {
        filesUnder(output.resolve(zone)).forEach(f -> names.add(f.getFileName().toString()));
      }
      return names;
    }

    private void countRows(Map<String, Long> into) throws Exception {
      try (Connection db = duckdb()) {
        for (String table : EtlTestSupport.TABLES) {
          into.put(table, queryLong(db, "SELECT count(*) FROM " + etlTable(output, table)));
        }
      }
    }

    @Test
    void twoShardsPerPartitionWriteFilesOfTwoShardsOnly() {
      assertThat(filesAfterFirst, is(not(empty())));
      for (String name : filesAfterFirst) {
        assertThat(name, org.hamcrest.Matchers.matchesPattern("part-0000[01]-of-00002\\.(parquet|jsonl)"));
      }
      assertThat(rowsAfterFirst, is(first.etlRowsByTable()));
    }

    @Test
    void rerunWithOneShardLeavesOnlyItsOwnFiles() {
      assertThat(filesAfterSecond, is(not(empty())));
      for (String name : filesAfterSecond) {
        assertThat(name, org.hamcrest.Matchers.matchesPattern("part-00000-of-00001\\.(parquet|jsonl)"));
      }
    }

    @Test
    void rerunWithOneShardLeavesTheRowsOfOneRun() {
      assertThat(rowsAfterSecond, is(first.etlRowsByTable()));
    }
  }

  /**
   * One file gzip-compressed, the other with CRLF line ends and blank lines between the records,
   * and the raw zone switched off: the same records as plain files make.
   */
  @Nested
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  class CompressedCrlfAndBlankLineInput {
    GeneratedSample sample;
    EtlRunSummary summary;
    Path output;

    @BeforeAll
    void runOnce(@TempDir Path tmp) throws IOException {
      Path input = tmp.resolve("in");
      output = tmp.resolve("out");
      sample = EtlTestSupport.generate(input, 40, 11L);
      Path plain = sample.files().get(0);
      try (java.io.OutputStream gz =
          new java.util.zip.GZIPOutputStream(
              Files.newOutputStream(plain.resolveSibling(plain.getFileName() + ".gz")))) {
        gz.write(Files.readAllBytes(plain));
      }
      Files.delete(plain);
      Path crlf = sample.files().get(1);
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      b.write("\r\n \t \n".getBytes(StandardCharsets.US_ASCII));
      int line = 0;
      for (byte c : Files.readAllBytes(crlf)) {
        if (c == '\n') {
          b.write('\r');
          b.write('\n');
          if (++line % 3 == 0) {
            b.write("\r\n".getBytes(StandardCharsets.US_ASCII));
          }
        } else {
          b.write(c);
        }
      }
      Files.write(crlf, b.toByteArray());
      summary =
          EtlTestSupport.run(input, output, TestKeyrings.writeKeyringFile(tmp), "--writeRaw=false");
    }

    @Test
    void blankLinesAreNotRecords() {
      assertThat(summary.recordsIn(), is(sample.totalLines()));
    }

    @Test
    void gzipAndCrlfFilesYieldTheExpectedRecords() {
      assertThat(summary.etlRecords(), is(sample.goodEvents()));
      assertThat(summary.etlRowsByTable(), is(sample.expectedEtlRows()));
      assertThat(summary.deadLettersByReason(), is(sample.expectedDeadLetters()));
      assertThat(summary.duplicatesDropped(), is(sample.duplicates()));
      assertThat(summary.conserved(), is(true));
    }

    @Test
    void deadLettersKeepTheLineWithoutItsCarriageReturn() throws IOException {
      List<ZoneLine> lines = zoneLines(output, "dlq");
      assertThat(lines, is(not(empty())));
      for (ZoneLine l : lines) {
        JsonNode d = Json.MAPPER.readTree(l.text());
        byte[] raw =
            d.hasNonNull("raw_base64")
                ? Base64.getDecoder().decode(d.get("raw_base64").asText())
                : d.get("raw").asText().getBytes(StandardCharsets.UTF_8);
        assertThat(l.text(), raw.length, is(greaterThan(0)));
        assertThat(l.text(), raw[raw.length - 1] == '\r', is(false));
      }
    }

    @Test
    void noRawZoneIsWrittenWhenWriteRawIsFalse() {
      assertThat(Files.exists(output.resolve("raw")), is(false));
      assertThat(Files.isDirectory(output.resolve("etl")), is(true));
    }
  }

  /** {@code --writeEtl=false}: the whole run but the etl zone's files, for measuring the write. */
  @Nested
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  class WithoutEtlWrite {
    GeneratedSample sample;
    EtlRunSummary summary;
    Path output;

    @BeforeAll
    void runOnce(@TempDir Path tmp) throws IOException {
      Path input = tmp.resolve("in");
      output = tmp.resolve("out");
      sample = EtlTestSupport.generate(input, 60, 12L);
      summary = EtlTestSupport.run(input, output, TestKeyrings.writeKeyringFile(tmp), "--writeEtl=false");
    }

    @Test
    void rowsAreStillMadeAndCounted() {
      assertThat(summary.etlRowsByTable(), is(sample.expectedEtlRows()));
      assertThat(summary.deadLettersByReason(), is(sample.expectedDeadLetters()));
      assertThat(summary.conserved(), is(true));
    }

    @Test
    void noEtlFileIsWrittenButTheOtherZonesAre() {
      assertThat(Files.exists(output.resolve("etl")), is(false));
      assertThat(Files.isDirectory(output.resolve("dlq")), is(true));
      assertThat(Files.isDirectory(output.resolve("raw")), is(true));
    }
  }

  /** Option and configuration problems end the run before anything is written. */
  @Nested
  class FailFast {
    @TempDir Path tmp;
    Path input;
    Path output;
    Path keyring;

    @org.junit.jupiter.api.BeforeEach
    void smallInput() throws IOException {
      input = tmp.resolve("in");
      Files.createDirectories(input);
      Files.writeString(input.resolve("events.jsonl"), Envelopes.envelope().line() + "\n");
      output = tmp.resolve("out");
      keyring = TestKeyrings.writeKeyringFile(tmp);
    }

    private String[] argsWith(String... replacements) {
      Map<String, String> args = new java.util.LinkedHashMap<>();
      for (String a : EtlTestSupport.etlArgs(input, output, keyring)) {
        args.put(a.substring(0, a.indexOf('=')), a);
      }
      for (String r : replacements) {
        int eq = r.indexOf('=');
        if (eq < 0) {
          args.remove(r);
        } else {
          args.put(r.substring(0, eq), r);
        }
      }
      return args.values().toArray(new String[0]);
    }

    private void assertFailsNaming(String option, String... replacements) {
      RuntimeException e =
          assertThrows(
              RuntimeException.class,
              () -> BatchEtlPipeline.run(EtlTestSupport.options(argsWith(replacements))));
      assertThat(e.getMessage(), containsString(option));
      assertThat("output root written", Files.exists(output), is(false));
    }

    @Test
    void missingKeyringPathIsRejectedNamingTheOption() {
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () -> BatchEtlPipeline.run(EtlTestSupport.options(argsWith("--keyringPath"))));
      assertThat(e.getMessage(), containsString("--keyringPath"));
      assertThat(Files.exists(output), is(false));
    }

    @Test
    void missingKeyringPathInUnvalidatedOptionsIsRejectedNamingTheOption() {
      EtlOptions options =
          PipelineOptionsFactory.fromArgs(argsWith("--keyringPath")).as(EtlOptions.class);
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> BatchEtlPipeline.run(options));
      assertThat(String.valueOf(e.getMessage()), containsString("--keyringPath"));
      assertThat(Files.exists(output), is(false));
    }

    @Test
    void keyringPathThatDoesNotExistIsRejectedNamingTheOption() {
      assertFailsNaming("--keyringPath", "--keyringPath=" + tmp.resolve("no-such-keyring.json"));
    }

    @Test
    void keyringWithABadKeyIsRejectedNamingTheOptionButNotTheKey() throws IOException {
      // 16 bytes, not 32: the message names the key id, never its bytes.
      String shortKey = Base64.getEncoder().encodeToString(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16});
      Path bad = TestKeyrings.writeKeyringFile(tmp.resolve("bad-keyring.json"), "{\"k1\": \"" + shortKey + "\"}");
      RuntimeException e =
          assertThrows(
              RuntimeException.class,
              () -> BatchEtlPipeline.run(EtlTestSupport.options(argsWith("--keyringPath=" + bad))));
      assertThat(e.getMessage(), containsString("--keyringPath"));
      assertThat(e.getMessage(), not(containsString(shortKey)));
      assertThat(Files.exists(output), is(false));
    }

    @Test
    void schemaDirThatDoesNotExistIsRejectedNamingTheOption() {
      assertFailsNaming("--schemaDir", "--schemaDir=" + tmp.resolve("no-such-schemas"));
    }

    @Test
    void inputPathMatchingNoFileIsRejectedNamingTheOption() {
      assertFailsNaming("--inputPath", "--inputPath=" + input.resolve("*.nothing"));
    }

    @Test
    void inputDirectoryWithoutFilesIsRejectedNamingTheOption() throws IOException {
      Path empty = Files.createDirectories(tmp.resolve("empty"));
      assertFailsNaming("--inputPath", "--inputPath=" + empty);
    }

    @Test
    void zeroShardsPerPartitionIsRejectedNamingTheOption() {
      assertFailsNaming("--shardsPerPartition", "--shardsPerPartition=0");
    }

    @Test
    void zeroMaxRecordBytesIsRejectedNamingTheOption() {
      assertFailsNaming("--maxRecordBytes", "--maxRecordBytes=0");
    }

    @Test
    void zeroMaxNestingDepthIsRejectedNamingTheOption() {
      assertFailsNaming("--maxNestingDepth", "--maxNestingDepth=0");
    }

    @Test
    void maxNestingDepthOverJacksonsBoundIsRejectedNamingTheOption() {
      assertFailsNaming("--maxNestingDepth", "--maxNestingDepth=1001");
    }

    @Test
    void negativeMaxFieldCountIsRejectedNamingTheOption() {
      assertFailsNaming("--maxFieldCount", "--maxFieldCount=-1");
    }

    @Test
    void zeroMaxStringLengthIsRejectedNamingTheOption() {
      assertFailsNaming("--maxStringLength", "--maxStringLength=0");
    }

    @Test
    void zeroMaxNumberLengthIsRejectedNamingTheOption() {
      assertFailsNaming("--maxNumberLength", "--maxNumberLength=0");
    }

    @Test
    void runIdThatIsNoSafeFileNameIsRejectedNamingTheOption() {
      assertFailsNaming("--runId", "--runId=../escape");
    }
  }

  /** How a run is planned before its pipeline is built. */
  @Nested
  class Planning {
    @TempDir Path tmp;

    @Test
    void aRunOnTheDirectRunnerDeduplicatesInOneBucketPerCoreWhateverTheInputSize() throws IOException {
      Path input = tmp.resolve("in");
      Files.createDirectories(input);
      Files.writeString(input.resolve("events.jsonl"), Envelopes.envelope().line() + "\n");
      EtlOptions options =
          EtlTestSupport.options(
              EtlTestSupport.etlArgs(input, tmp.resolve("out"), TestKeyrings.writeKeyringFile(tmp)));
      options.setRunner(org.apache.beam.runners.direct.DirectRunner.class);

      int expected = Math.max(4, Runtime.getRuntime().availableProcessors());
      assertThat(BatchEtlPipeline.prepare(options).dedupBuckets(), is(expected));
      assertThat(BatchEtlPipeline.dedupBuckets(org.apache.beam.runners.direct.DirectRunner.class, 4096), is(expected));
    }

    @Test
    void countsALocalInputAsEtlReadsIt() throws IOException {
      Path dir = tmp.resolve("sized");
      Files.createDirectories(dir);
      Files.write(dir.resolve("a.jsonl"), new byte[100]);
      Files.write(dir.resolve("b.jsonl"), new byte[20]);
      Files.write(dir.resolve("notes.txt"), new byte[3]);

      assertThat(BatchEtlPipeline.localInputBytes(dir.toString()), is(123L));
      assertThat(BatchEtlPipeline.localInputBytes(dir + "/*.jsonl"), is(120L));
      assertThat(BatchEtlPipeline.localInputBytes(dir.resolve("b.jsonl").toUri().toString()), is(20L));
      assertThat(BatchEtlPipeline.localInputBytes("s3://bucket/events/"), is(0L));
    }

    @Test
    void aRunOnAnotherRunnerDeduplicatesInBucketsSizedToItsInput() {
      assertThat(BatchEtlPipeline.dedupBuckets(org.apache.beam.sdk.testing.CrashingRunner.class, 4096), is(4096));
    }
  }
}
