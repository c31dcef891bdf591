package io.beamline.pipelines.etl;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.beamline.io.jdbc.testing.PostgresExtension;
import io.beamline.transforms.Json;
import io.beamline.transforms.Keyring;
import io.beamline.transforms.RevealPersonalData;
import io.beamline.transforms.testing.Envelopes;
import io.beamline.transforms.testing.TestKeyrings;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two tenants, each with its own payload key and pii key, through {@code etl} into the zones and
 * PostgreSQL: records of acme sealed with globex's key (and the other way round) are {@code
 * DECRYPT_FAILED} dead letters, no row of one tenant lands under the other (Parquet partitions,
 * the tenant column, the warehouse), and a tenant without a pii key gets {@code UNKNOWN_KEY}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TenantIsolationTest {
  @RegisterExtension static PostgresExtension postgres = new PostgresExtension();

  @TempDir static Path work;

  /** The test keyring plus payload keys scoped to acme and to globex. */
  private static final Keyring KEYRING =
      TestKeyrings.keyring()
          .withTenantKey(new Random(11), "k-acme", "acme")
          .withTenantKey(new Random(12), "k-globex", "globex");

  private static final List<String> ACME_IDS = List.of("a-1", "a-2", "a-3", "a-4", "a-5", "a-6");
  private static final List<String> GLOBEX_IDS = List.of("g-1", "g-2", "g-3", "g-4");
  /** acme records sealed with globex's key, and one globex record sealed with acme's. */
  private static final List<String> CROSSED_ACME = List.of("x-1", "x-2", "x-3");
  private static final String CROSSED_GLOBEX = "y-1";

  private Path output;
  private EtlRunSummary summary;

  @BeforeAll
  void runEtlIntoZonesAndWarehouse() throws Exception {
    Path input = Files.createDirectories(work.resolve("in"));
    List<String> lines = new ArrayList<>();
    int n = 0;
    for (String id : ACME_IDS) {
      lines.add(customer(id, "acme", "k-acme", ++n));
    }
    for (String id : GLOBEX_IDS) {
      lines.add(customer(id, "globex", "k-globex", ++n));
    }
    for (String id : CROSSED_ACME) {
      lines.add(customer(id, "acme", "k-globex", ++n));
    }
    lines.add(customer(CROSSED_GLOBEX, "globex", "k-acme", ++n));
    // A tenant the keyring has no pii key for, sealed with a key every tenant may use.
    lines.add(customer("h-1", "hooli", "k1", ++n));
    Files.writeString(input.resolve("events.jsonl"), String.join("\n", lines) + "\n");
    Path keyring = TestKeyrings.writeKeyringFile(work.resolve("keyring.json"), KEYRING.toFileJson());
    Path password = work.resolve("pg-password");
    Files.writeString(password, postgres.password() + "\n");
    output = work.resolve("out");
    summary =
        EtlTestSupport.run(
            input,
            output,
            keyring,
            "--runId=tenants",
            "--jdbcUrl=" + postgres.jdbcUrl(),
            "--jdbcUser=" + postgres.user(),
            "--jdbcPasswordFile=" + password);
  }

  /** A customers envelope of a tenant, sealed with {@code keyId}; PII made from the id. */
  static String customer(String eventId, String tenant, String keyId, int n) {
    ObjectNode p = Json.MAPPER.createObjectNode();
    p.put("customer_id", "C-" + n);
    p.put("email", "person" + n + "@" + tenant + ".example.com");
    p.putObject("name").put("first", "First" + n).put("last", "Last" + n);
    p.put("signed_up_at", "2026-11-01T08:00:00Z");
    return Envelopes.envelope()
        .keyring(KEYRING)
        .eventId(eventId)
        .tenant(tenant)
        .table("customers")
        .eventTime("2026-11-20T10:0" + (n % 10) + ":00Z")
        .keyId(keyId)
        .payload(p)
        .line();
  }

  @Test
  void countsEveryRecordOnceWithTheCrossedRecordsAsDecryptFailed() {
    assertThat(summary.recordsIn(), is(15L));
    assertThat(summary.etlRecords(), is(10L));
    assertThat(summary.deadLettersByReason(), equalTo(Map.of("DECRYPT_FAILED", 4L, "UNKNOWN_KEY", 1L)));
    assertThat(summary.conserved(), is(true));
  }

  @Test
  void parquetHoldsEachTenantsRowsOnlyUnderItsOwnPartition() {
    Map<String, List<String>> byPartition = new TreeMap<>();
    try (Connection db = EtlTestSupport.duckdb()) {
      for (Map<String, String> r :
          EtlTestSupport.query(
              db,
              "SELECT regexp_extract(filename, 'tenant=([a-z0-9_]+)', 1) AS part, tenant, event_id FROM "
                  + EtlTestSupport.etlTable(output, "customers", false)
                  + " ORDER BY event_id")) {
        assertThat(r.toString(), r.get("tenant"), is(r.get("part")));
        byPartition.computeIfAbsent(r.get("part"), k -> new ArrayList<>()).add(r.get("event_id"));
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
    assertThat(byPartition, equalTo(Map.of("acme", ACME_IDS, "globex", GLOBEX_IDS)));
  }

  @Test
  void crossedRecordsAreDeadLettersUnderTheirOwnTenant() throws Exception {
    Map<String, List<String>> byPartition = new TreeMap<>();
    for (EtlTestSupport.ZoneLine line : EtlTestSupport.zoneLines(output, "dlq")) {
      JsonNode letter = Json.MAPPER.readTree(line.text());
      String tenant = line.partition().replaceAll(".*tenant=([a-z0-9_]+).*", "$1");
      byPartition
          .computeIfAbsent(tenant, k -> new ArrayList<>())
          .add(letter.get("event_id").asText() + "|" + letter.get("stage").asText() + "|"
              + letter.get("reason").asText() + "|" + letter.get("detail").asText());
    }
    byPartition.values().forEach(l -> l.sort(null));
    assertThat(
        byPartition,
        equalTo(
            Map.of(
                "acme",
                List.of(
                    "x-1|decrypt|DECRYPT_FAILED|key_id is scoped to another tenant",
                    "x-2|decrypt|DECRYPT_FAILED|key_id is scoped to another tenant",
                    "x-3|decrypt|DECRYPT_FAILED|key_id is scoped to another tenant"),
                "globex",
                List.of("y-1|decrypt|DECRYPT_FAILED|key_id is scoped to another tenant"),
                "hooli",
                List.of("h-1|protect|UNKNOWN_KEY|customers: no pii key for tenant hooli in the keyring"))));
  }

  @Test
  void warehouseHoldsExactlyEachTenantsOwnRows() throws Exception {
    List<String> expected = new ArrayList<>();
    ACME_IDS.forEach(id -> expected.add("acme|" + id));
    GLOBEX_IDS.forEach(id -> expected.add("globex|" + id));
    assertThat(
        pg("SELECT tenant || '|' || event_id FROM etl.\"shop__customers\" ORDER BY tenant, event_id"),
        equalTo(expected));
  }

  @Test
  void warehouseHoldsOnlyProtectedPersonalDataThatEachTenantsKeyAloneReveals() throws Exception {
    RevealPersonalData reveal = RevealPersonalData.with(KEYRING);
    List<String> rows =
        pg("SELECT tenant || '|' || customer_id || '|' || email || '|' || name_first || '|' || name_last"
            + " FROM etl.\"shop__customers\" ORDER BY event_id");
    assertThat(rows.size(), is(10));
    for (String row : rows) {
      String[] f = row.split("\\|");
      String tenant = f[0];
      int n = Integer.parseInt(f[1].substring(2));
      assertThat(row, containsString("|C-" + n + "|"));
      assertThat(f[2], is(hmacHex(tenant, "person" + n + "@" + tenant + ".example.com")));
      assertThat(reveal.reveal(tenant, f[3]), is("First" + n));
      assertThat(reveal.reveal(tenant, f[4]), is("Last" + n));
      String other = tenant.equals("acme") ? "globex" : "acme";
      assertThrows(IllegalArgumentException.class, () -> reveal.reveal(other, f[3]));
    }
    assertThat(pg("SELECT event_id FROM etl.\"shop__customers\" WHERE name_first LIKE '%First%'"
        + " OR email LIKE '%@%'"), empty());
  }

  /** The hash the pipeline should store, computed here from the pii key with the JDK only. */
  private static String hmacHex(String tenant, String value) throws Exception {
    Mac derive = Mac.getInstance("HmacSHA256");
    derive.init(new SecretKeySpec(TestKeyrings.piiKeyBytes(tenant), "HmacSHA256"));
    byte[] hashKey = derive.doFinal("beamline pii hash v1".getBytes(StandardCharsets.UTF_8));
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(hashKey, "HmacSHA256"));
    return HexFormat.of().formatHex(mac.doFinal(value.getBytes(StandardCharsets.UTF_8)));
  }

  private static List<String> pg(String sql) throws SQLException {
    return postgres.firstColumn(sql);
  }
}
