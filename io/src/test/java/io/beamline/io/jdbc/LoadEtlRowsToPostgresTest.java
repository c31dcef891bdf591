package io.beamline.io.jdbc;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.is;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.beamline.io.jdbc.testing.PostgresExtension;
import io.beamline.transforms.ProcessEnvelopes;
import io.beamline.transforms.model.DeadLetter;
import io.beamline.transforms.model.EtlRow;
import io.beamline.transforms.testing.Envelopes;
import io.beamline.transforms.testing.TestKeyrings;
import io.beamline.transforms.testing.TestPipelineExtension;
import io.beamline.transforms.testing.TestSchemas;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

@ExtendWith(TestPipelineExtension.class)
class LoadEtlRowsToPostgresTest {
  @RegisterExtension static PostgresExtension postgres = new PostgresExtension();

  private static final String ORDERS = "etl.\"shop__orders\"";
  private static final String ITEMS = "etl.\"shop__order_items\"";

  @BeforeAll
  static void migrate() {
    postgres.migrate(TestSchemas.shop());
  }

  @BeforeEach
  void truncate() throws SQLException {
    try (Connection c = postgres.connect();
        Statement s = c.createStatement()) {
      s.execute("TRUNCATE " + ORDERS + ", " + ITEMS);
      s.execute("ALTER TABLE " + ORDERS + " DROP CONSTRAINT IF EXISTS total_below_100");
    }
  }

  private static String order(String eventId, String orderId, String total, int items) {
    ObjectNode order = TestSchemas.order(orderId).put("total", total);
    ObjectNode[] lines = new ObjectNode[items];
    for (int i = 0; i < items; i++) {
      lines[i] = TestSchemas.item(i + 1, "SKU-" + i, 1 + i, "2.50");
    }
    return Envelopes.envelope().eventId(eventId).payload(TestSchemas.withItems(order, lines)).line();
  }

  private static PCollection<EtlRow> rows(TestPipeline p, String... lines) {
    return p.apply(Create.of(List.of(lines)).withCoder(StringUtf8Coder.of()))
        .apply(ProcessEnvelopes.with(TestKeyrings.keyring(), TestSchemas.shop()))
        .rows();
  }

  private static List<String> query(String sql) throws SQLException {
    List<String> out = new ArrayList<>();
    try (Connection c = postgres.connect();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      int n = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        StringBuilder row = new StringBuilder();
        for (int i = 1; i <= n; i++) {
          row.append(i > 1 ? "|" : "").append(rs.getString(i));
        }
        out.add(row.toString());
      }
    }
    return out;
  }

  private static List<String> orders() throws SQLException {
    return query(
        "SELECT event_id, tenant, event_date, row_index, order_id, total, status, customer_address_city,"
            + " item_count FROM " + ORDERS + " ORDER BY event_id");
  }

  private static List<String> items() throws SQLException {
    return query(
        "SELECT event_id, row_index, order_id, line_no, sku, quantity, unit_price FROM " + ITEMS
            + " ORDER BY event_id, row_index");
  }

  @Test
  void batchLoadWritesEveryRowWithItsIdentityAndTypedValues(TestPipeline p) throws SQLException {
    rows(p, order("e1", "O-1", "25.50", 2), order("e2", "O-2", "7.00", 0))
        .apply(LoadEtlRowsToPostgres.to(postgres.connection(), TestSchemas.shop()));
    p.run().waitUntilFinish();

    assertThat(
        orders(),
        contains(
            "e1|acme|2026-11-20|0|O-1|25.50|NEW|Berlin|2",
            "e2|acme|2026-11-20|0|O-2|7.00|NEW|Berlin|0"));
    assertThat(items(), contains("e1|0|O-1|1|SKU-0|1|2.50", "e1|1|O-1|2|SKU-1|2|2.50"));
  }

  @Test
  void rerunningABatchLoadLeavesTheSameRows(TestPipeline p) throws SQLException {
    String[] lines = {order("e1", "O-1", "25.50", 2), order("e2", "O-2", "7.00", 1)};
    rows(p, lines).apply(LoadEtlRowsToPostgres.to(postgres.connection(), TestSchemas.shop()));
    p.run().waitUntilFinish();
    List<String> once = orders();
    List<String> onceItems = items();

    TestPipeline again = TestPipeline.create().enableAbandonedNodeEnforcement(false);
    rows(again, lines).apply(LoadEtlRowsToPostgres.to(postgres.connection(), TestSchemas.shop()));
    again.run().waitUntilFinish();

    assertThat(orders(), contains(once.toArray(new String[0])));
    assertThat(items(), contains(onceItems.toArray(new String[0])));
    assertThat(once.size() + onceItems.size(), is(2 + 3));
  }

  @Test
  void batchLoadReplacesTheTenantsDayItWrites(TestPipeline p) throws SQLException {
    rows(p, order("e1", "O-1", "25.50", 0), order("e2", "O-2", "7.00", 0))
        .apply(LoadEtlRowsToPostgres.to(postgres.connection(), TestSchemas.shop()));
    p.run().waitUntilFinish();

    TestPipeline rerun = TestPipeline.create().enableAbandonedNodeEnforcement(false);
    rows(rerun, order("e2", "O-2", "8.00", 0))
        .apply(LoadEtlRowsToPostgres.to(postgres.connection(), TestSchemas.shop()));
    rerun.run().waitUntilFinish();

    assertThat(orders(), contains("e2|acme|2026-11-20|0|O-2|8.00|NEW|Berlin|0"));
  }

  @Test
  void streamingUpsertKeepsOneRowPerKeyWithTheLatestValues(TestPipeline p) throws SQLException {
    LoadEtlRowsToPostgres upsert =
        LoadEtlRowsToPostgres.to(postgres.connection(), TestSchemas.shop())
            .upsertingInBatches(2, org.joda.time.Duration.standardSeconds(1));
    rows(p, order("e1", "O-1", "25.50", 2), order("e2", "O-2", "7.00", 0)).apply(upsert);
    p.run().waitUntilFinish();

    TestPipeline replay = TestPipeline.create().enableAbandonedNodeEnforcement(false);
    rows(replay, order("e1", "O-1", "30.00", 2)).apply(upsert);
    replay.run().waitUntilFinish();

    assertThat(
        orders(),
        contains(
            "e1|acme|2026-11-20|0|O-1|30.00|NEW|Berlin|2",
            "e2|acme|2026-11-20|0|O-2|7.00|NEW|Berlin|0"));
    assertThat(items(), contains("e1|0|O-1|1|SKU-0|1|2.50", "e1|1|O-1|2|SKU-1|2|2.50"));
  }

  @Test
  void rowsTheDatabaseRefusesBecomeLoadFailedDeadLettersAndTheRestIsWritten(TestPipeline p)
      throws SQLException {
    try (Connection c = postgres.connect();
        Statement s = c.createStatement()) {
      s.execute("ALTER TABLE " + ORDERS + " ADD CONSTRAINT total_below_100 CHECK (total < 100)");
    }
    PCollection<DeadLetter> refused =
        rows(p, order("e1", "O-1", "25.50", 0), order("big", "O-2", "150.00", 0), order("e3", "O-3", "1.00", 0))
            .apply(LoadEtlRowsToPostgres.to(postgres.connection(), TestSchemas.shop()));
    PAssert.that(
            refused.apply(
                MapElements.into(TypeDescriptors.strings())
                    .via((DeadLetter d) -> d.stage() + "|" + d.reason() + "|" + d.eventId() + "|" + d.detail().startsWith("SQLSTATE 23514"))))
        .containsInAnyOrder("load|LOAD_FAILED|big|true");
    p.run().waitUntilFinish();

    assertThat(
        orders(),
        contains(
            "e1|acme|2026-11-20|0|O-1|25.50|NEW|Berlin|0",
            "e3|acme|2026-11-20|0|O-3|1.00|NEW|Berlin|0"));
  }

  @Test
  void loadRidesOutAPostgresRestartWithoutLossOrDuplicates(TestPipeline p) throws Exception {
    rows(p, order("e1", "O-1", "25.50", 2), order("e2", "O-2", "7.00", 1), order("e3", "O-3", "3.00", 0))
        .apply(LoadEtlRowsToPostgres.to(postgres.connection(), TestSchemas.shop()).withBatchSize(1));
    postgres.server().stop();
    Thread restart =
        new Thread(
            () -> {
              try {
                Thread.sleep(1_500);
                postgres.server().restart();
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    restart.start();
    p.run().waitUntilFinish();
    restart.join(Duration.ofMinutes(1).toMillis());

    assertThat(
        orders(),
        contains(
            "e1|acme|2026-11-20|0|O-1|25.50|NEW|Berlin|2",
            "e2|acme|2026-11-20|0|O-2|7.00|NEW|Berlin|1",
            "e3|acme|2026-11-20|0|O-3|3.00|NEW|Berlin|0"));
    assertThat(
        items(),
        containsInAnyOrder(
            "e1|0|O-1|1|SKU-0|1|2.50", "e1|1|O-1|2|SKU-1|2|2.50", "e2|0|O-2|1|SKU-0|1|2.50"));
    assertThat(query("SELECT 1 FROM " + ORDERS + " GROUP BY event_id HAVING count(*) > 1"), empty());
  }
}
