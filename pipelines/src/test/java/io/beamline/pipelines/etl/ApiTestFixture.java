package io.beamline.pipelines.etl;

import static io.beamline.pipelines.etl.EtlTestSupport.duckdb;
import static io.beamline.pipelines.etl.EtlTestSupport.etlGlob;
import static io.beamline.pipelines.etl.EtlTestSupport.query;
import static io.beamline.pipelines.etl.EtlTestSupport.sql;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.beamline.io.testing.LocalApiServer;
import io.beamline.io.testing.LocalApiServer.Reply;
import io.beamline.options.IngestApiOptions;
import io.beamline.transforms.Json;
import io.beamline.transforms.testing.TestKeyrings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/**
 * The API the {@code ingest-api} tests read: three pages of shop {@code orders} records served by a
 * {@link LocalApiServer}, some of them invalid, and what a correct run makes of them.
 *
 * <ul>
 *   <li>page 1: O-1001 (2 items), O-1002 (event time with an offset), O-1003 (total -1:
 *       SCHEMA_VIOLATION);
 *   <li>page 2 (cursor {@link #CURSOR_2}): O-1004 (1 item), a record without order_id
 *       (MISSING_ENVELOPE_FIELD), O-1005 with created_at "yesterday" (INVALID_ENVELOPE_FIELD);
 *   <li>page 3 (cursor {@link #CURSOR_3}, the last): O-1006, and O-1001 again (a duplicate).
 * </ul>
 */
public final class ApiTestFixture {
  public static final String CURSOR_PARAM = "after";
  /** Cursors with characters that must be escaped in a query. */
  public static final String CURSOR_2 = "c:2/=";

  public static final String CURSOR_3 = "c:3+&";

  /** The variable the build sets for the tests (see the pom); holds the API's bearer token. */
  public static final String TOKEN_ENV = "BEAMLINE_TEST_API_TOKEN";

  private ApiTestFixture() {}

  static ObjectNode order(String id, String customer, String total, String status, String createdAt, String... items) {
    ObjectNode o = Json.MAPPER.createObjectNode();
    if (id != null) {
      o.put("order_id", id);
    }
    o.put("customer_id", customer);
    o.set("total", Json.MAPPER.getNodeFactory().numberNode(new java.math.BigDecimal(total)));
    o.put("currency", "EUR");
    o.put("status", status);
    o.put("created_at", createdAt);
    o.putObject("customer").putObject("address").put("city", "Berlin").put("country", "DE");
    if (items.length > 0) {
      ArrayNode a = o.putArray("items");
      int line = 0;
      for (String item : items) {
        String[] f = item.split(",");
        a.addObject()
            .put("line_no", ++line)
            .put("sku", f[0])
            .put("category", f[1])
            .put("quantity", Integer.parseInt(f[2]))
            .set("unit_price", Json.MAPPER.getNodeFactory().numberNode(new java.math.BigDecimal(f[3])));
      }
    }
    return o;
  }

  public static List<ObjectNode> page1() {
    return List.of(
        order("O-1001", "C-1", "30.00", "PAID", "2026-11-20T10:15:00Z", "SKU-00001,books,1,10.00", "SKU-00002,toys,2,10.00"),
        order("O-1002", "C-2", "12.5", "NEW", "2026-11-20T12:20:00+01:00"),
        order("O-1003", "C-3", "-1", "NEW", "2026-11-20T12:00:00Z"));
  }

  public static List<ObjectNode> page2() {
    return List.of(
        order("O-1004", "C-4", "99.99", "SHIPPED", "2026-11-20T13:05:00Z", "SKU-00003,garden,3,33.33"),
        order(null, "C-9", "1.00", "NEW", "2026-11-20T13:10:00Z"),
        order("O-1005", "C-5", "2.00", "NEW", "yesterday"));
  }

  public static List<ObjectNode> page3() {
    return List.of(
        order("O-1006", "C-6", "5", "CANCELLED", "2026-11-21T00:30:00Z"), page1().get(0));
  }

  /** A page's body: {"data": [...], "next_cursor": next}. */
  public static String pageBody(List<ObjectNode> records, String next) {
    ObjectNode page = Json.MAPPER.createObjectNode();
    page.putArray("data").addAll(records);
    if (next == null) {
      page.putNull("next_cursor");
    } else {
      page.put("next_cursor", next);
    }
    return page.toString();
  }

  /** Serves the three pages. */
  public static LocalApiServer serveThreePages(LocalApiServer server) {
    return server
        .page(null, Reply.json(pageBody(page1(), CURSOR_2)))
        .page(CURSOR_2, Reply.json(pageBody(page2(), CURSOR_3)))
        .page(CURSOR_3, Reply.json(pageBody(page3(), null)));
  }

  /** Page 2, answered only after 2.5 s: past a request timeout of 1 s. */
  public static Reply timeoutReply() {
    return Reply.json(pageBody(page2(), CURSOR_3)).delayedBy(2500);
  }

  /** The token of {@link #TOKEN_ENV}, which the build sets for the tests. */
  public static String token() {
    String token = System.getenv(TOKEN_ENV);
    if (token == null || token.isEmpty()) {
      throw new IllegalStateException(TOKEN_ENV + " is not set: run the tests with Maven (see pipelines/pom.xml)");
    }
    return token;
  }

  // ------------------------------------------------------------------------------ expected

  /** The etl rows of orders after all three pages: order_id|event_id|tenant|customer|total|status|partition. */
  public static final List<String> ALL_ORDERS =
      List.of(
          "O-1001|O-1001|acme|C-1|30.00|PAID|tenant=acme/dt=2026-11-20/hr=10",
          "O-1002|O-1002|acme|C-2|12.50|NEW|tenant=acme/dt=2026-11-20/hr=11",
          "O-1004|O-1004|acme|C-4|99.99|SHIPPED|tenant=acme/dt=2026-11-20/hr=13",
          "O-1006|O-1006|acme|C-6|5.00|CANCELLED|tenant=acme/dt=2026-11-21/hr=00");

  /** The etl rows of order_items: order_id|line_no|sku|quantity|unit_price|event_id. */
  public static final List<String> ALL_ITEMS =
      List.of(
          "O-1001|1|SKU-00001|1|10.00|O-1001",
          "O-1001|2|SKU-00002|2|10.00|O-1001",
          "O-1004|1|SKU-00003|3|33.33|O-1004");

  /** Dead letters of the three pages: stage|reason|event_id|partition. */
  public static final List<String> ALL_DEAD_LETTERS =
      List.of(
          "parse|INVALID_ENVELOPE_FIELD|O-1005|dlq/shop/orders/tenant=acme/dt=unknown/hr=unknown",
          "parse|MISSING_ENVELOPE_FIELD|null|dlq/shop/orders/tenant=acme/dt=2026-11-20/hr=13",
          "validate|SCHEMA_VIOLATION|O-1003|dlq/shop/orders/tenant=acme/dt=2026-11-20/hr=12");

  public static final Map<String, Long> ALL_ROWS = Map.of("orders", 4L, "order_items", 3L);

  public static final Map<String, Long> ALL_REASONS =
      Map.of("INVALID_ENVELOPE_FIELD", 1L, "MISSING_ENVELOPE_FIELD", 1L, "SCHEMA_VIOLATION", 1L);

  // ------------------------------------------------------------------------------ running

  /** The arguments of a run against {@code server}, with tiny backoffs; {@code extra} replaces or adds. */
  public static String[] args(LocalApiServer server, Path tmp, String... extra) {
    List<String> args = new ArrayList<>();
    args.add("--apiUrl=" + server.url());
    args.add("--cursorParam=" + CURSOR_PARAM);
    args.add("--tenant=acme");
    args.add("--source=shop");
    args.add("--table=orders");
    args.add("--idField=order_id");
    args.add("--eventTimeField=created_at");
    args.add("--outputRoot=" + tmp.resolve("out"));
    args.add("--keyringPath=" + TestKeyrings.writeKeyringFile(tmp));
    args.add("--schemaDir=" + EtlTestSupport.SCHEMAS);
    args.add("--maxRequestsPerSecond=1000");
    args.add("--initialBackoffMillis=1");
    args.add("--maxBackoffMillis=20");
    args.add("--requestTimeoutSeconds=10");
    args.add("--runId=api-test");
    for (String e : extra) {
      String name = e.substring(0, e.indexOf('=') + 1);
      args.removeIf(a -> a.startsWith(name));
      args.add(e);
    }
    return args.toArray(new String[0]);
  }

  public static EtlRunSummary run(LocalApiServer server, Path tmp, String... extra) {
    IngestApiOptions options =
        PipelineOptionsFactory.fromArgs(args(server, tmp, extra)).withValidation().as(IngestApiOptions.class);
    return ApiIngestPipeline.run(options);
  }

  // ------------------------------------------------------------------------------ reading back

  /** The orders rows of an output root, as in {@link #ALL_ORDERS}, sorted. */
  public static List<String> orders(Path root) {
    return rows(
        root,
        "orders",
        "SELECT order_id, event_id, tenant, customer_id, CAST(total AS VARCHAR), status,"
            + " regexp_extract(filename, 'tenant=[^/]+/dt=[^/]+/hr=[^/]+') FROM %s ORDER BY order_id");
  }

  /** The order_items rows of an output root, as in {@link #ALL_ITEMS}, sorted. */
  public static List<String> items(Path root) {
    return rows(
        root,
        "order_items",
        "SELECT order_id, line_no, sku, quantity, CAST(unit_price AS VARCHAR), event_id FROM %s"
            + " ORDER BY order_id, line_no");
  }

  private static List<String> rows(Path root, String table, String sqlTemplate) {
    if (EtlTestSupport.unchecked(() -> EtlTestSupport.filesUnder(root.resolve("etl/shop/" + table))).isEmpty()) {
      return List.of();
    }
    String from = "read_parquet('" + sql(etlGlob(root, table)) + "', hive_partitioning = false, filename = true)";
    try (Connection c = duckdb()) {
      return query(c, String.format(sqlTemplate, from)).stream()
          .map(r -> String.join("|", r.values()))
          .collect(Collectors.toList());
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The dead letters of an output root: stage|reason|event_id|partition, sorted. */
  public static List<String> deadLetters(Path root) {
    return deadLetterNodes(root).stream()
        .map(
            d ->
                d.get("stage").asText() + "|" + d.get("reason").asText() + "|"
                    + (d.get("event_id").isNull() ? "null" : d.get("event_id").asText()) + "|"
                    + d.get("_partition").asText())
        .sorted()
        .collect(Collectors.toList());
  }

  /** Each dlq line as JSON, with its partition directory added as {@code _partition}. */
  public static List<ObjectNode> deadLetterNodes(Path root) {
    try {
      List<ObjectNode> out = new ArrayList<>();
      for (EtlTestSupport.ZoneLine l : EtlTestSupport.zoneLines(root, "dlq")) {
        ObjectNode d = (ObjectNode) Json.MAPPER.readTree(l.text());
        d.put("_partition", l.partition());
        out.add(d);
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The one dead letter of a reason; fails when there is not exactly one. */
  public static JsonNode only(Path root, String reason) {
    List<ObjectNode> found =
        deadLetterNodes(root).stream().filter(d -> d.get("reason").asText().equals(reason)).toList();
    if (found.size() != 1) {
      throw new AssertionError("expected one " + reason + " dead letter, got " + found);
    }
    return found.get(0);
  }
}
