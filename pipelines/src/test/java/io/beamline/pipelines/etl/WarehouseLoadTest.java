package io.beamline.pipelines.etl;

import static io.beamline.pipelines.etl.EtlTestSupport.duckdb;
import static io.beamline.pipelines.etl.EtlTestSupport.etlTable;
import static io.beamline.pipelines.etl.EtlTestSupport.query;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;

import io.beamline.io.jdbc.testing.PostgresExtension;
import io.beamline.pipelines.generate.GeneratedSample;
import io.beamline.pipelines.generate.SampleEventGenerator;
import io.beamline.transforms.testing.TestKeyrings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code etl --jdbcUrl=...}: the warehouse holds exactly the rows of the etl zone, a rerun leaves
 * them unchanged, and the run and the hourly sales are recorded there too.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WarehouseLoadTest {
  @RegisterExtension static PostgresExtension postgres = new PostgresExtension();

  @TempDir static Path work;

  private GeneratedSample sample;
  private EtlRunSummary first;
  private Map<String, List<String>> afterFirst;
  private EtlRunSummary second;

  private String[] warehouseArgs() throws Exception {
    Path password = work.resolve("pg-password");
    Files.writeString(password, postgres.password() + "\n");
    return new String[] {
      "--jdbcUrl=" + postgres.jdbcUrl(),
      "--jdbcUser=" + postgres.user(),
      "--jdbcPasswordFile=" + password,
      "--loadBatchSize=50",
      "--aggregates=true"
    };
  }

  @BeforeAll
  void loadTwice() throws Exception {
    Path keyring = work.resolve("keyring.json");
    Files.writeString(keyring, TestKeyrings.keyring().toFileJson());
    sample = EtlTestSupport.generate(work.resolve("input"), 300, 5L);
    first = EtlTestSupport.run(work.resolve("input"), work.resolve("out"), keyring, warehouseArgs());
    afterFirst = new TreeMap<>();
    for (String table : SampleEventGenerator.ETL_TABLES) {
      afterFirst.put(table, warehouseRows(table));
    }
    second = EtlTestSupport.run(work.resolve("input"), work.resolve("out"), keyring, warehouseArgs());
  }

  /** (tenant, event_id, row_index, event_date) of every row of a warehouse table, sorted. */
  private static List<String> warehouseRows(String table) throws SQLException {
    return sqlRows(
        "SELECT tenant, event_id, row_index, event_date FROM etl.\"shop__" + table + "\" ORDER BY 1, 2, 3");
  }

  private static List<String> sqlRows(String sql) throws SQLException {
    List<String> out = new ArrayList<>();
    try (Connection c = postgres.connect();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
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

  @Test
  void warehouseHoldsExactlyTheRowsOfTheEtlZone() throws Exception {
    try (Connection db = duckdb()) {
      for (String table : SampleEventGenerator.ETL_TABLES) {
        List<String> zone =
            query(
                    db,
                    "SELECT tenant, event_id, CAST(dt AS VARCHAR) AS d FROM "
                        + etlTable(work.resolve("out"), table) + " ORDER BY tenant, event_id")
                .stream()
                .map(r -> r.get("tenant") + "|" + r.get("event_id") + "|" + r.get("d"))
                .collect(Collectors.toList());
        List<String> warehouse =
            sqlRows("SELECT tenant, event_id, event_date FROM etl.\"shop__" + table + "\" ORDER BY 1, 2");
        assertThat(table, warehouse, equalTo(zone));
        assertThat(table, (long) warehouse.size(), is(sample.expectedEtlRows(table)));
      }
    }
  }

  @Test
  void rerunLeavesTheSameRows() throws Exception {
    for (String table : SampleEventGenerator.ETL_TABLES) {
      assertThat(table, warehouseRows(table), equalTo(afterFirst.get(table)));
    }
  }

  @Test
  void eachRunIsRecordedInTheAuditSchema() throws Exception {
    assertThat(
        sqlRows("SELECT run_id, command, records_in, etl_records, dead_letters, duplicates_dropped, conserved"
            + " FROM audit.runs ORDER BY started_at"),
        equalTo(
            List.of(
                first.runId() + "|etl|" + first.recordsIn() + "|" + first.etlRecords() + "|" + first.deadLetters()
                    + "|" + first.duplicatesDropped() + "|t",
                second.runId() + "|etl|" + second.recordsIn() + "|" + second.etlRecords() + "|"
                    + second.deadLetters() + "|" + second.duplicatesDropped() + "|t")));
  }

  @Test
  void hourlySalesInTheWarehouseEqualTheAggZone() throws Exception {
    Map<String, String> zone = new TreeMap<>();
    for (Path f : EtlTestSupport.filesUnder(work.resolve("out").resolve("agg"))) {
      for (String line : Files.readAllLines(f)) {
        var n = io.beamline.transforms.Json.MAPPER.readTree(line);
        zone.put(
            n.get("tenant").asText() + "/" + n.get("category").asText() + "/" + n.get("window_start").asText(),
            n.get("items").asLong() + "|" + n.get("units").asLong() + "|" + new java.math.BigDecimal(n.get("revenue").asText()));
      }
    }
    Map<String, String> warehouse = new TreeMap<>();
    for (String row :
        sqlRows(
            "SELECT tenant, category, to_char(window_start AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"
                + " items, units, revenue FROM etl.hourly_category_sales")) {
      String[] c = row.split("\\|");
      warehouse.put(c[0] + "/" + c[1] + "/" + c[2], c[3] + "|" + c[4] + "|" + new java.math.BigDecimal(c[5]));
    }
    assertThat(zone.isEmpty(), is(false));
    assertThat(warehouse, equalTo(zone));
  }
}
