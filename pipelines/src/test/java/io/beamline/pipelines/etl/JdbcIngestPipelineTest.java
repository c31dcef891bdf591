package io.beamline.pipelines.etl;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;

import io.beamline.io.jdbc.testing.PostgresExtension;
import io.beamline.pipelines.BeamlineCli;
import io.beamline.transforms.testing.TestKeyrings;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ingest-jdbc} against a real PostgreSQL: two runs with new rows in between, then a run
 * with nothing new. Every source row lands once, in the warehouse and in the etl zone.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JdbcIngestPipelineTest {
  @RegisterExtension static PostgresExtension postgres = new PostgresExtension();

  @TempDir static Path work;

  private final List<String> outputs = new ArrayList<>();
  private final List<Integer> exits = new ArrayList<>();

  private static void sql(String... statements) throws SQLException {
    try (Connection c = postgres.connect();
        Statement s = c.createStatement()) {
      for (String statement : statements) {
        s.execute(statement);
      }
    }
  }

  private static List<String> rows(String query) throws SQLException {
    List<String> out = new ArrayList<>();
    try (Connection c = postgres.connect();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(query)) {
      int n = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        List<String> cells = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
          cells.add(rs.getString(i));
        }
        out.add(String.join("|", cells));
      }
    }
    return out;
  }

  private static String insertOrder(int n, String currency) {
    return "INSERT INTO src.orders (id, updated_at, order_id, customer_id, total, currency, status, created_at)"
        + " VALUES ('ord-" + n + "', TIMESTAMPTZ '2026-11-20 10:00:00+00' + interval '" + n + " minutes', 'O-" + n
        + "', 'C-" + n + "', " + n + ".50, '" + currency + "', 'NEW', TIMESTAMPTZ '2026-11-20 09:00:00+00')";
  }

  private void ingest() throws Exception {
    Path password = work.resolve("pg-password");
    Files.writeString(password, postgres.password() + "\n");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit =
        new BeamlineCli()
            .run(
                new String[] {
                  "ingest-jdbc",
                  "--runner=DirectRunner",
                  "--jdbcUrl=" + postgres.jdbcUrl(),
                  "--jdbcUser=" + postgres.user(),
                  "--jdbcPasswordFile=" + password,
                  "--sourceTable=src.orders",
                  "--watermarkColumn=seq",
                  "--idColumn=id",
                  "--eventTimeColumn=updated_at",
                  "--tenant=acme",
                  "--source=shop",
                  "--table=orders",
                  "--outputRoot=" + work.resolve("out"),
                  "--keyringPath=" + work.resolve("keyring.json"),
                  "--schemaDir=" + EtlTestSupport.SCHEMAS
                },
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    exits.add(exit);
    outputs.add(out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8));
  }

  @BeforeAll
  void ingestTwiceWithNewRowsBetweenThenOnceMore() throws Exception {
    Files.writeString(work.resolve("keyring.json"), TestKeyrings.keyring().toFileJson());
    sql(
        "CREATE SCHEMA src",
        "CREATE TABLE src.orders (seq bigserial PRIMARY KEY, id text, updated_at timestamptz, order_id text,"
            + " customer_id text, total numeric(12,2), currency text, status text, created_at timestamptz)",
        insertOrder(1, "EUR"),
        insertOrder(2, "EUR"),
        insertOrder(3, "XXX"),
        insertOrder(4, "USD"),
        insertOrder(5, "GBP"));
    ingest();
    sql(insertOrder(6, "EUR"), insertOrder(7, "EUR"), insertOrder(8, "USD"));
    ingest();
    ingest();
  }

  @Test
  void everyRunEndsConservedAndTheSecondReadsOnlyTheNewRows() {
    assertThat(String.join("\n", outputs), exits, equalTo(List.of(0, 0, 0)));
    assertThat(outputs.get(0), containsString("5 in = 4 etl + 1 dlq + 0 duplicates: conserved"));
    assertThat(outputs.get(1), containsString("3 in = 3 etl + 0 dlq + 0 duplicates: conserved"));
    assertThat(outputs.get(2), containsString("0 in = 0 etl + 0 dlq + 0 duplicates: conserved"));
  }

  @Test
  void everyValidSourceRowIsInTheWarehouseOnce() throws Exception {
    assertThat(
        rows("SELECT event_id, order_id, total, currency FROM etl.\"shop__orders\" ORDER BY event_id"),
        equalTo(
            List.of(
                "ord-1|O-1|1.50|EUR",
                "ord-2|O-2|2.50|EUR",
                "ord-4|O-4|4.50|USD",
                "ord-5|O-5|5.50|GBP",
                "ord-6|O-6|6.50|EUR",
                "ord-7|O-7|7.50|EUR",
                "ord-8|O-8|8.50|USD")));
  }

  @Test
  void everyValidSourceRowIsInTheEtlZoneOnce() throws Exception {
    try (Connection db = EtlTestSupport.duckdb()) {
      List<Map<String, String>> zone =
          EtlTestSupport.query(
              db,
              "SELECT event_id, count(*) AS n FROM " + EtlTestSupport.etlTable(work.resolve("out"), "orders")
                  + " GROUP BY event_id ORDER BY event_id");
      assertThat(zone.size(), is(7));
      assertThat(zone.stream().allMatch(r -> r.get("n").equals("1")), is(true));
    }
  }

  @Test
  void theHighWaterMarkIsTheLastSourceRowRead() throws Exception {
    assertThat(
        rows("SELECT source_name, watermark_column, high_water FROM audit.ingest_watermarks"),
        equalTo(List.of("src.orders|seq|8")));
  }

  @Test
  void theInvalidRowIsADeadLetterWithTheRowAsPayload() throws Exception {
    List<String> dlq = new ArrayList<>();
    for (Path f : EtlTestSupport.filesUnder(work.resolve("out").resolve("dlq"))) {
      dlq.addAll(Files.readAllLines(f));
    }
    assertThat(dlq.size(), is(1));
    assertThat(dlq.get(0), containsString("\"reason\":\"SCHEMA_VIOLATION\""));
    assertThat(dlq.get(0), containsString("ord-3"));
  }
}
