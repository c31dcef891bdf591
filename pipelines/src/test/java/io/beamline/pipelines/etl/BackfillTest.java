package io.beamline.pipelines.etl;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.beamline.io.jdbc.testing.PostgresExtension;
import io.beamline.io.kafka.testing.KafkaBrokerExtension;
import io.beamline.options.BackfillOptions;
import io.beamline.options.StreamOptions;
import io.beamline.pipelines.generate.SampleEventGenerator;
import io.beamline.transforms.Json;
import io.beamline.transforms.testing.TestKeyrings;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A stream leaves one record as LATE_DATA; {@code backfill} of that day replays the raw zone and
 * the late record into the etl zone and the warehouse, and a second backfill changes nothing.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BackfillTest {
  @RegisterExtension static KafkaBrokerExtension kafka = new KafkaBrokerExtension();
  @RegisterExtension static PostgresExtension postgres = new PostgresExtension();

  @TempDir static Path work;

  private static final String[] EVENT_TIMES = {
    "2026-11-20T10:00:00Z", "2026-11-20T10:10:00Z", "2026-11-20T10:20:00Z", "2026-11-20T10:40:00Z",
    "2026-11-20T07:00:00Z", // past its deadline when read: LATE_DATA in the stream
    "2026-11-20T10:50:00Z"
  };

  private EtlRunSummary stream;
  private final List<EtlRunSummary> backfills = new ArrayList<>();
  private final List<Map<String, List<String>>> zoneAfter = new ArrayList<>();
  private final List<Map<String, List<String>>> warehouseAfter = new ArrayList<>();

  @BeforeAll
  void streamThenBackfillTwice() throws Exception {
    Path keyring = work.resolve("keyring.json");
    Files.writeString(keyring, TestKeyrings.keyring().toFileJson());
    Path password = work.resolve("pg-password");
    Files.writeString(password, postgres.password());
    SampleEventGenerator.builder()
        .count(EVENT_TIMES.length).badFraction(0).duplicateFraction(0).files(1).days(1)
        .endDate(EtlTestSupport.END_DATE).seed(3L).outputPath(work.resolve("input"))
        .keyring(TestKeyrings.keyring()).build().generate();
    List<byte[]> lines = EtlTestSupport.inputLines(work.resolve("input"));
    List<byte[]> values = new ArrayList<>();
    for (int i = 0; i < EVENT_TIMES.length; i++) {
      ObjectNode envelope = (ObjectNode) Json.MAPPER.readTree(lines.get(i));
      envelope.put("event_time", EVENT_TIMES[i]);
      values.add(Json.MAPPER.writeValueAsString(envelope).getBytes(StandardCharsets.UTF_8));
    }
    kafka.createTopic("events", 1);
    kafka.produce("events", values);
    String[] common = {
      "--outputRoot=" + work.resolve("lake"),
      "--keyringPath=" + keyring,
      "--schemaDir=" + EtlTestSupport.SCHEMAS,
      "--jdbcUrl=" + postgres.jdbcUrl(),
      "--jdbcUser=" + postgres.user(),
      "--jdbcPasswordFile=" + password
    };
    List<String> streamArgs =
        new ArrayList<>(List.of("--bootstrapServers=" + kafka.bootstrapServers(), "--topics=events", "--maxRecords=" + EVENT_TIMES.length));
    streamArgs.addAll(List.of(common));
    stream = StreamingEtlPipeline.run(
        PipelineOptionsFactory.fromArgs(streamArgs.toArray(new String[0])).withValidation().as(StreamOptions.class));
    for (int run = 0; run < 2; run++) {
      List<String> args = new ArrayList<>(List.of("--from=2026-11-20", "--to=2026-11-20"));
      args.addAll(List.of(common));
      backfills.add(
          BackfillPipeline.run(
              PipelineOptionsFactory.fromArgs(args.toArray(new String[0])).withValidation().as(BackfillOptions.class)));
      zoneAfter.add(zoneRows());
      warehouseAfter.add(warehouseRows());
    }
  }

  private Map<String, List<String>> zoneRows() throws Exception {
    Map<String, List<String>> out = new TreeMap<>();
    try (Connection db = EtlTestSupport.duckdb()) {
      for (String table : SampleEventGenerator.ETL_TABLES) {
        if (EtlTestSupport.filesUnder(work.resolve("lake/etl/shop/" + table)).isEmpty()) {
          continue;
        }
        out.put(
            table,
            EtlTestSupport.query(
                    db,
                    "SELECT * EXCLUDE (_ingested_at, filename) FROM "
                        + EtlTestSupport.etlTable(work.resolve("lake"), table) + " ORDER BY ALL")
                .stream()
                .map(Map::toString)
                .collect(Collectors.toList()));
      }
    }
    return out;
  }

  private static Map<String, List<String>> warehouseRows() throws Exception {
    Map<String, List<String>> out = new TreeMap<>();
    try (Connection c = postgres.connect();
        Statement s = c.createStatement()) {
      for (String table : SampleEventGenerator.ETL_TABLES) {
        List<String> rows = new ArrayList<>();
        try (ResultSet rs =
            s.executeQuery("SELECT tenant, event_id, row_index FROM etl.\"shop__" + table + "\" ORDER BY 1, 2, 3")) {
          while (rs.next()) {
            rows.add(rs.getString(1) + "|" + rs.getString(2) + "|" + rs.getInt(3));
          }
        }
        if (!rows.isEmpty()) {
          out.put(table, rows);
        }
      }
    }
    return out;
  }

  private static long events(Map<String, List<String>> rows) {
    return rows.values().stream()
        .flatMap(List::stream)
        .map(r -> r.contains("event_id=") ? r.replaceAll(".*event_id=([^,}]*).*", "$1") : r.split("\\|")[1])
        .distinct()
        .count();
  }

  @Test
  void theStreamLeftOneRecordLate() {
    assertThat(stream.deadLettersByReason(), equalTo(Map.of("LATE_DATA", 1L)));
    assertThat(stream.etlRecords(), is((long) EVENT_TIMES.length - 1));
  }

  @Test
  void backfillBringsTheLateRecordIntoTheZoneAndTheWarehouse() {
    EtlRunSummary first = backfills.get(0);
    assertThat(first.conserved(), is(true));
    assertThat(first.etlRecords(), is((long) EVENT_TIMES.length));
    assertThat(events(zoneAfter.get(0)), is((long) EVENT_TIMES.length));
    assertThat(events(warehouseAfter.get(0)), is((long) EVENT_TIMES.length));
  }

  @Test
  void aSecondBackfillOfTheSameDaysChangesNothing() {
    assertThat(zoneAfter.get(1), equalTo(zoneAfter.get(0)));
    assertThat(warehouseAfter.get(1), equalTo(warehouseAfter.get(0)));
  }
}
