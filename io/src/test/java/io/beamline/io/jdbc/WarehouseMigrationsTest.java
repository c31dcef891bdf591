package io.beamline.io.jdbc;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.beamline.io.jdbc.testing.PostgresExtension;
import io.beamline.transforms.schema.TableSchema;
import io.beamline.transforms.schema.TableSchemas;
import io.beamline.transforms.testing.TestSchemas;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Flyway migrations and etl partitions on a real PostgreSQL, one database per test. */
class WarehouseMigrationsTest {
  @RegisterExtension static PostgresExtension postgres = new PostgresExtension();

  private static final String ORDERS_V2 =
      TestSchemas.ORDERS_JSON.replace(
          "{\"name\": \"item_count\", \"type\": \"int\"}",
          "{\"name\": \"item_count\", \"type\": \"int\"}, {\"name\": \"coupon\", \"type\": \"string\", \"required\": true}");

  private static final String ORDERS_RETYPED =
      TestSchemas.ORDERS_JSON.replace(
          "{\"name\": \"total\", \"type\": \"decimal\", \"scale\": 2,",
          "{\"name\": \"total\", \"type\": \"double\",");

  private static TableSchemas shopWithOrders(String ordersJson) {
    return TableSchemas.of(
        List.of(TableSchema.parse(ordersJson, TestSchemas.ORDERS_ORIGIN), TestSchemas.orderItems()));
  }

  /** A fresh database named after the test. */
  private static JdbcConnection database(TestInfo test) throws SQLException {
    String name = test.getTestMethod().orElseThrow().getName().toLowerCase();
    return postgres.createDatabase(name.length() > 60 ? name.substring(0, 60) : name);
  }

  private static List<String> strings(JdbcConnection db, String sql, Object... params)
      throws SQLException {
    try (Connection c = db.open();
        PreparedStatement s = c.prepareStatement(sql)) {
      for (int i = 0; i < params.length; i++) {
        s.setObject(i + 1, params[i]);
      }
      List<String> out = new ArrayList<>();
      try (ResultSet r = s.executeQuery()) {
        int n = r.getMetaData().getColumnCount();
        while (r.next()) {
          StringBuilder row = new StringBuilder();
          for (int i = 1; i <= n; i++) {
            row.append(i > 1 ? " " : "").append(r.getString(i));
          }
          out.add(row.toString());
        }
      }
      return out;
    }
  }

  private static void execute(JdbcConnection db, String... sql) throws SQLException {
    try (Connection c = db.open();
        Statement s = c.createStatement()) {
      for (String q : sql) {
        s.execute(q);
      }
    }
  }

  /** name type nullable, in column order. */
  private static List<String> columns(JdbcConnection db, String schema, String table)
      throws SQLException {
    return strings(
        db,
        "SELECT column_name, data_type, is_nullable FROM information_schema.columns"
            + " WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position",
        schema,
        table);
  }

  /** Every column of the warehouse's schemas and Flyway's history: what a migration changes. */
  private static List<String> snapshot(JdbcConnection db) throws SQLException {
    List<String> out =
        strings(
            db,
            "SELECT table_schema, table_name, column_name, data_type, is_nullable"
                + " FROM information_schema.columns WHERE table_schema IN ('raw', 'etl', 'audit')"
                + " ORDER BY table_schema, table_name, ordinal_position");
    out.addAll(
        strings(
            db,
            "SELECT installed_rank, version, description, checksum, success"
                + " FROM audit.flyway_schema_history ORDER BY installed_rank"));
    return out;
  }

  private static final String ORDER_ROW =
      "INSERT INTO etl.shop__orders (event_id, tenant, event_time, event_date, row_index,"
          + " _ingested_at, order_id, total) VALUES ('e1', 'acme', '2026-11-20T13:45:12Z',"
          + " DATE '2026-11-20', 0, now(), 'O-1', 25.50)";

  @Test
  void migrationsCreateSchemasAuditTablesAndPartitionedEtlTables(TestInfo test)
      throws SQLException {
    JdbcConnection db = database(test);

    assertThat(WarehouseMigrations.migrate(db, TestSchemas.shop()), is(3));

    assertThat(
        strings(db, "SELECT schema_name FROM information_schema.schemata ORDER BY 1"),
        hasItems("audit", "etl", "raw"));
    assertThat(
        strings(
            db,
            "SELECT table_schema || '.' || table_name FROM information_schema.tables"
                + " WHERE table_schema IN ('raw', 'etl', 'audit') ORDER BY 1"),
        contains(
            "audit.flyway_schema_history",
            "audit.ingest_watermarks",
            "audit.quality",
            "audit.runs",
            "audit.windows",
            "etl.hourly_category_sales",
            "etl.shop__order_items",
            "etl.shop__order_items_default",
            "etl.shop__orders",
            "etl.shop__orders_default"));
    assertThat(
        columns(db, "etl", "shop__orders"),
        contains(
            "event_id text NO",
            "tenant text NO",
            "event_time timestamp with time zone NO",
            "event_date date NO",
            "row_index integer NO",
            "_ingested_at timestamp with time zone NO",
            "order_id text NO",
            "total numeric NO",
            "status text YES",
            "customer_address_city text YES",
            "created_at timestamp with time zone YES",
            "item_count integer YES",
            "_extra text YES"));
    assertThat(
        strings(
            db,
            "SELECT numeric_precision, numeric_scale FROM information_schema.columns"
                + " WHERE table_schema = 'etl' AND table_name = 'shop__orders'"
                + " AND column_name = 'total'"),
        contains("38 2"));
    assertThat(
        strings(
            db,
            "SELECT kcu.column_name FROM information_schema.table_constraints tc"
                + " JOIN information_schema.key_column_usage kcu"
                + " ON kcu.constraint_name = tc.constraint_name"
                + " AND kcu.table_schema = tc.table_schema AND kcu.table_name = tc.table_name"
                + " WHERE tc.table_schema = 'etl' AND tc.table_name = 'shop__orders'"
                + " AND tc.constraint_type = 'PRIMARY KEY' ORDER BY kcu.ordinal_position"),
        contains("tenant", "event_id", "row_index", "event_date"));
    assertThat(
        strings(
            db,
            "SELECT c.relname, p.partstrat, a.attname FROM pg_partitioned_table p"
                + " JOIN pg_class c ON c.oid = p.partrelid"
                + " JOIN pg_namespace n ON n.oid = c.relnamespace"
                + " JOIN pg_attribute a ON a.attrelid = p.partrelid AND a.attnum = p.partattrs[0]"
                + " WHERE n.nspname = 'etl' ORDER BY 1"),
        contains("shop__order_items r event_date", "shop__orders r event_date"));
    assertThat(
        strings(
            db,
            "SELECT pg_get_expr(c.relpartbound, c.oid) FROM pg_inherits i"
                + " JOIN pg_class c ON c.oid = i.inhrelid"
                + " WHERE i.inhparent = 'etl.shop__orders'::regclass"),
        contains("DEFAULT"));
    assertThat(
        columns(db, "audit", "runs"),
        contains(
            "run_id text NO",
            "command text NO",
            "runner text YES",
            "started_at timestamp with time zone YES",
            "finished_at timestamp with time zone YES",
            "records_in bigint NO",
            "etl_records bigint NO",
            "dead_letters bigint NO",
            "duplicates_dropped bigint NO",
            "conserved boolean NO",
            "summary jsonb NO"));
  }

  @Test
  void migratingTwiceChangesNothing(TestInfo test) throws SQLException {
    JdbcConnection db = database(test);
    WarehouseMigrations.migrate(db, TestSchemas.shop());
    List<String> before = snapshot(db);

    assertThat(WarehouseMigrations.migrate(db, TestSchemas.shop()), is(0));

    assertThat(snapshot(db), is(before));
  }

  @Test
  void addingAFieldAddsANullableColumnOnTheNextMigrateAndKeepsTheRows(TestInfo test)
      throws SQLException {
    JdbcConnection db = database(test);
    WarehouseMigrations.migrate(db, TestSchemas.shop());
    execute(db, ORDER_ROW);

    assertThat(WarehouseMigrations.migrate(db, shopWithOrders(ORDERS_V2)), is(1));

    List<String> cols = columns(db, "etl", "shop__orders");
    assertThat(cols.get(cols.size() - 1), is("coupon text YES"));
    assertThat(strings(db, "SELECT order_id, coupon FROM etl.shop__orders"), contains("O-1 null"));
    assertThat(WarehouseMigrations.migrate(db, shopWithOrders(ORDERS_V2)), is(0));
  }

  @Test
  void changingAFieldTypeFailsNamingTableAndColumnAndChangesNothing(TestInfo test)
      throws SQLException {
    JdbcConnection db = database(test);
    WarehouseMigrations.migrate(db, TestSchemas.shop());
    List<String> before = columns(db, "etl", "shop__orders");

    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () -> WarehouseMigrations.migrate(db, shopWithOrders(ORDERS_RETYPED)));

    assertThat(e.getMessage(), containsString("etl.\"shop__orders\".total"));
    assertThat(e.getMessage(), containsString("numeric(38,2) in the database"));
    assertThat(e.getMessage(), containsString("double precision in the schema"));
    assertThat(columns(db, "etl", "shop__orders"), is(before));
  }

  @Test
  void ensureDailyPartitionIsIdempotentAndSafeWhenWritersRace(TestInfo test) throws Exception {
    JdbcConnection db = database(test);
    WarehouseMigrations.migrate(db, TestSchemas.shop());
    LocalDate day = LocalDate.of(2026, 11, 20);

    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      CyclicBarrier start = new CyclicBarrier(4); // all connected, then all at once
      List<Callable<Void>> racers = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        racers.add(
            () -> {
              try (Connection c = db.open()) {
                start.await();
                EtlTableDdl.ensureDailyPartition(c, "shop", "orders", day);
              }
              return null;
            });
      }
      for (Future<Void> f : pool.invokeAll(racers)) {
        f.get();
      }
    } finally {
      pool.shutdown();
    }
    try (Connection c = db.open()) {
      EtlTableDdl.ensureDailyPartition(c, "shop", "orders", day);
      assertThat(c.getAutoCommit(), is(true));
    }

    assertThat(
        strings(
            db,
            "SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) FROM pg_inherits i"
                + " JOIN pg_class c ON c.oid = i.inhrelid"
                + " WHERE i.inhparent = 'etl.shop__orders'::regclass ORDER BY 1"),
        contains(
            "shop__orders_default DEFAULT",
            "shop__orders_p20261120 FOR VALUES FROM ('2026-11-20') TO ('2026-11-21')"));
  }

  @Test
  void ensureDailyPartitionMovesThatDaysRowsOutOfTheDefaultPartition(TestInfo test)
      throws SQLException {
    JdbcConnection db = database(test);
    WarehouseMigrations.migrate(db, TestSchemas.shop());
    execute(
        db,
        ORDER_ROW,
        ORDER_ROW.replace("'e1'", "'e2'").replace("2026-11-20", "2026-11-21"));
    assertThat(strings(db, "SELECT count(*) FROM etl.shop__orders_default"), contains("2"));

    try (Connection c = db.open()) {
      EtlTableDdl.ensureDailyPartition(c, "shop", "orders", LocalDate.of(2026, 11, 20));
    }

    assertThat(strings(db, "SELECT event_id FROM etl.shop__orders_p20261120"), contains("e1"));
    assertThat(strings(db, "SELECT event_id FROM etl.shop__orders_default"), contains("e2"));
    assertThat(
        strings(db, "SELECT event_id, order_id, total FROM etl.shop__orders ORDER BY 1"),
        contains("e1 O-1 25.50", "e2 O-1 25.50"));
    assertThat(
        strings(db, "SELECT relname FROM pg_class WHERE relname = 'beamline_moving'"), empty());
  }

  @Test
  void theFixtureMigratesTheServersPostgresDatabase() throws SQLException {
    assertThat(postgres.migrate(TestSchemas.shop()), is(3));

    assertThat(
        strings(postgres.connection(), "SELECT to_regclass('etl.shop__orders') IS NOT NULL"),
        contains("t"));
  }
}
