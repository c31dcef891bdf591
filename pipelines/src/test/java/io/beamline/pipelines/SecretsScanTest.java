package io.beamline.pipelines;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.beamline.io.jdbc.testing.PostgresExtension;
import io.beamline.io.kafka.testing.KafkaBrokerExtension;
import io.beamline.io.testing.LocalApiServer;
import io.beamline.io.testing.LocalApiServer.Reply;
import io.beamline.pipelines.etl.ApiTestFixture;
import io.beamline.pipelines.etl.EtlTestSupport;
import io.beamline.transforms.Json;
import io.beamline.transforms.Keyring;
import io.beamline.transforms.testing.Envelopes;
import io.beamline.transforms.testing.TestKeyrings;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs every command that takes a secret (etl, backfill, a bounded stream, ingest-api with a
 * bearer token, ingest-jdbc, all with a warehouse password file; etl also with an alert webhook and
 * its token file), and failure paths (a wrong
 * password, a key of the wrong length, a wrong key, an API that echoes the token), with known keys,
 * passwords and token, then looks for those secrets (key bytes raw, base64, base64url and hex;
 * passwords and token as text, base64 and hex) and for the inputs' personal data in everything
 * the runs left: System.out and System.err (logs and printed exceptions included), every file
 * they wrote (zones, audit records, Prometheus files, lineage events; Parquet also decoded), and
 * every row of the warehouse.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SecretsScanTest {
  @RegisterExtension static KafkaBrokerExtension kafka = new KafkaBrokerExtension();
  @RegisterExtension static PostgresExtension postgres = new PostgresExtension();

  @TempDir static Path work;

  private static final String[] FIRST = {"Zebulon", "Ottoline", "Percival", "Wilhelmina", "Barnabas"};
  private static final String[] LAST = {"Quarrington", "Featherstonehaugh", "Montmorency", "Abernethy", "Cholmondeley"};
  private static final String[] API_FIRST = {"Leopoldine", "Ignatius"};
  private static final String[] API_LAST = {"Throckmorton", "Vanderbilt"};
  private static final String[] JDBC_FIRST = {"Philippa", "Evander"};
  private static final String[] JDBC_LAST = {"Winterbottom", "Haverford"};
  private static final String WRONG_PASSWORD = "wrong-Pw-9f3KqZ71";
  private static final String DAY = "2026-11-20";

  /** The keys the runs use, plus one of the wrong length and other valid keys under the same ids. */
  private static final Keyring KEYRING = TestKeyrings.keyring();
  private static final Keyring WRONG_KEYRING =
      TestKeyrings.foreignKeyring().withPiiKeysFor(new Random(99), TestKeyrings.PII_TENANTS);
  private static final byte[] BAD_KEY = new byte[31];

  private final Map<String, Integer> exits = new LinkedHashMap<>();
  private final List<String> pii = new ArrayList<>();
  private String captured;
  private LocalApiServer api;
  private LocalApiServer echoingApi;
  private String token;
  /** The alert webhook's bearer token: known, so the scan can look for it. */
  private static final String HOOK_TOKEN = "hook-7f3c9a1e5b2d4c6f8a0e1d3b5c7a9f2e";

  private LocalApiServer hook;
  private Path keyringFile;
  private List<Path> secretFiles;

  @BeforeAll
  void runEveryCommandThatTakesSecrets() throws Exception {
    new Random(7).nextBytes(BAD_KEY);
    token = ApiTestFixture.token();
    keyringFile = TestKeyrings.writeKeyringFile(work.resolve("secrets/keyring.json"), KEYRING.toFileJson());
    Path wrongKeyring =
        TestKeyrings.writeKeyringFile(work.resolve("secrets/wrong-keyring.json"), WRONG_KEYRING.toFileJson());
    Path badKeyring =
        TestKeyrings.writeKeyringFile(
            work.resolve("secrets/bad-keyring.json"),
            "{\"k1\": \"" + Base64.getEncoder().encodeToString(BAD_KEY) + "\"}");
    Path password = Files.writeString(work.resolve("secrets/pg-password"), postgres.password() + "\n");
    Path wrongPassword = Files.writeString(work.resolve("secrets/wrong-password"), WRONG_PASSWORD + "\n");
    Path hookToken = Files.writeString(work.resolve("secrets/hook-token"), HOOK_TOKEN + "\n");
    secretFiles = List.of(keyringFile, wrongKeyring, badKeyring, password, wrongPassword, hookToken);

    Path input = Files.createDirectories(work.resolve("in"));
    List<String> lines = inputLines();
    Files.writeString(input.resolve("events.jsonl"), String.join("\n", lines) + "\n");
    kafka.createTopic("scan-events", 1);
    kafka.produce("scan-events", lines.stream().map(l -> l.getBytes(StandardCharsets.UTF_8)).toList());

    api = LocalApiServer.start(ApiTestFixture.CURSOR_PARAM);
    api.page(null, Reply.json(ApiTestFixture.pageBody(apiCustomers(), null)));
    echoingApi = LocalApiServer.start(ApiTestFixture.CURSOR_PARAM);
    echoingApi.page(null, Reply.status(401, "{\"error\":\"token " + token + " refused\"}"));
    hook = LocalApiServer.start(ApiTestFixture.CURSOR_PARAM).page(null, Reply.json("{}"));
    // Every dead letter breaches --maxErrorRate=0: etl POSTs an alert with the webhook's token.
    String[] alerts = {
      "--alertWebhookUrl=" + hook.url(), "--alertWebhookTokenFile=" + hookToken, "--maxErrorRate=0"
    };
    jdbcSource();

    String[] warehouse = {
      "--jdbcUrl=" + postgres.jdbcUrl(), "--jdbcUser=" + postgres.user(), "--jdbcPasswordFile=" + password
    };
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    PrintStream originalOut = System.out;
    PrintStream originalErr = System.err;
    PrintStream tee =
        new PrintStream(new BeamlineCliTest.TeeStream(originalErr, buffer), true, StandardCharsets.UTF_8);
    System.setOut(tee);
    System.setErr(tee);
    try {
      run("etl", join(join(etl(input, "lake", keyringFile), warehouse, lineage("etl"), "--runId=scan-etl"), alerts));
      run("backfill", join(new String[] {"backfill", "--from=" + DAY, "--to=" + DAY,
          "--outputRoot=" + work.resolve("lake"), "--keyringPath=" + keyringFile,
          "--schemaDir=" + EtlTestSupport.SCHEMAS, "--runId=scan-backfill"}, warehouse, lineage("backfill")));
      // Without the warehouse: since main merged the quality suites of every shop table, stream
      // --jdbcUrl fails before it starts (Flatten of windowed and global collections).
      run("stream", join(new String[] {"stream", "--bootstrapServers=" + kafka.bootstrapServers(),
          "--topics=scan-events", "--consumerGroup=scan", "--maxRecords=" + lines.size(),
          "--allowedLatenessMinutes=" + (60 * 24 * 3650), "--outputRoot=" + work.resolve("stream"),
          "--keyringPath=" + keyringFile, "--schemaDir=" + EtlTestSupport.SCHEMAS}));
      // The API's and the table's records arrive unencrypted: their raw lines would be plaintext.
      run("ingest-api", join(apiArgs(api, "api"), lineage("ingest-api"), "--runId=scan-api"));
      run("ingest-api-echoing-the-token", join(apiArgs(echoingApi, "api-refused"), "--runId=scan-api-refused"));
      run("ingest-jdbc", join(jdbcArgs("jdbc", password), warehouse, lineage("ingest-jdbc")));
      run("ingest-jdbc-wrong-password", join(jdbcArgs("jdbc-wrong", wrongPassword), warehouse));
      run("etl-wrong-password", join(etl(input, "wrong-password", keyringFile),
          "--jdbcUrl=" + postgres.jdbcUrl(), "--jdbcUser=" + postgres.user(),
          "--jdbcPasswordFile=" + wrongPassword));
      run("etl-bad-key", etl(input, "bad-key", badKeyring));
      run("etl-wrong-key", join(etl(input, "wrong-key", wrongKeyring), lineage("etl-wrong-key")));
    } finally {
      System.setOut(originalOut);
      System.setErr(originalErr);
    }
    captured = buffer.toString(StandardCharsets.UTF_8);
  }

  @AfterAll
  void stopServers() {
    api.close();
    echoingApi.close();
    hook.close();
  }

  // ---- the runs did what the scan assumes --------------------------------------------------

  @Test
  void everyRunEndedAsItShouldAndTheFailuresFailedBeforeWriting() {
    assertThat(
        captured,
        exits,
        equalTo(
            Map.of(
                "etl", 0, "backfill", 0, "stream", 0, "ingest-api", 0,
                "ingest-api-echoing-the-token", 0, "ingest-jdbc", 0,
                "ingest-jdbc-wrong-password", 2, "etl-wrong-password", 2, "etl-bad-key", 2,
                "etl-wrong-key", 0)));
    assertThat(Files.exists(work.resolve("bad-key")), is(false));
  }

  @Test
  void theSecretsWereReallyUsed() throws Exception {
    assertThat(api.requests().get(0).authorization(), is("Bearer " + token));
    assertThat(echoingApi.requests().get(0).authorization(), is("Bearer " + token));
    assertThat(hook.requests().get(0).authorization(), is("Bearer " + HOOK_TOKEN));
    assertThat(hook.requests().get(0).body(), containsString("\"kind\""));
    assertThat(findings("keyring file", Files.readAllBytes(keyringFile)), hasItem(containsString("key k1 as base64")));
    // etl's valid customers and ingest-jdbc's rows (ingest-api has no warehouse).
    assertThat(
        pg("SELECT count(*) FROM etl.\"shop__customers\""),
        equalTo(List.of(String.valueOf(FIRST.length - 2 + JDBC_FIRST.length))));
    assertThat(captured, containsString("DECRYPT_FAILED"));
    // slf4j-simple's output was captured too (it writes to whatever System.err is at the time).
    assertThat(captured, containsString("] WARN org.apache."));
    assertThat(captured, containsString("etl: --jdbcUrl: cannot migrate the warehouse"));
  }

  // ---- the scan ----------------------------------------------------------------------------

  @Test
  void logsAndPrintedExceptionsHoldNoSecretAndNoPersonalData() {
    assertThat(findings("System.out/System.err", captured.getBytes(StandardCharsets.UTF_8)), empty());
  }

  @Test
  void noWrittenFileHoldsASecretOrPersonalData() throws IOException {
    List<String> found = new ArrayList<>();
    List<String> kinds = new ArrayList<>();
    for (Path f : EtlTestSupport.filesUnder(work)) {
      if (secretFiles.contains(f) || f.startsWith(work.resolve("in"))) {
        continue;
      }
      kinds.add(kindOf(work.relativize(f).toString()));
      found.addAll(findings(work.relativize(f).toString(), Files.readAllBytes(f)));
    }
    assertThat(found, empty());
    // Not vacuous: every kind of output was there to be scanned.
    for (String kind : List.of("etl parquet", "raw", "dlq", "audit run", "metrics", "lineage", "stream window audit")) {
      assertThat(kind, kinds, hasItem(kind));
    }
  }

  @Test
  void noDecodedParquetValueHoldsASecretOrPersonalData() throws IOException {
    List<String> found = new ArrayList<>();
    List<Path> parquet =
        EtlTestSupport.filesUnder(work).stream().filter(p -> p.toString().endsWith(".parquet")).toList();
    try (Connection db = EtlTestSupport.duckdb()) {
      for (Path f : parquet) {
        StringBuilder text = new StringBuilder();
        for (Map<String, String> row :
            EtlTestSupport.query(db, "SELECT * FROM read_parquet('" + EtlTestSupport.sql(f.toString()) + "')")) {
          text.append(row.values()).append('\n');
        }
        found.addAll(findings(work.relativize(f).toString(), text.toString().getBytes(StandardCharsets.UTF_8)));
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
    assertThat(found, empty());
    // lake (etl, backfill), stream, api, jdbc; and wrong-key: the one record sealed with the
    // wrong keyring's k1 opens there.
    assertThat(
        parquet.stream().filter(p -> p.toString().contains("/etl/shop/customers/")).map(p -> work.relativize(p).getName(0).toString()).distinct().sorted().toList(),
        equalTo(List.of("api", "jdbc", "lake", "stream", "wrong-key")));
  }

  @Test
  void noWarehouseRowHoldsASecretOrPersonalData() throws Exception {
    List<String> tables =
        pg("SELECT table_schema || '.\"' || table_name || '\"' FROM information_schema.tables"
            + " WHERE table_schema IN ('etl', 'audit', 'raw') AND table_type = 'BASE TABLE'");
    List<String> found = new ArrayList<>();
    for (String table : tables) {
      String text = String.join("\n", pg("SELECT t::text FROM " + table + " t"));
      found.addAll(findings(table, text.getBytes(StandardCharsets.UTF_8)));
    }
    assertThat(found, empty());
    assertThat(tables, hasItem("etl.\"shop__customers\""));
  }

  @Test
  void personalDataInTheWarehouseIsProtectedText() throws Exception {
    assertThat(
        pg("SELECT email FROM etl.\"shop__customers\""),
        everyItem(org.hamcrest.Matchers.matchesPattern("[0-9a-f]{64}")));
  }

  private static String kindOf(String relative) {
    if (relative.startsWith("lineage/")) {
      return "lineage";
    } else if (relative.contains("audit/metrics/")) {
      return "metrics";
    } else if (relative.contains("audit/runs/")) {
      return "audit run";
    } else if (relative.contains("audit/windows/")) {
      return "stream window audit";
    } else if (relative.contains("/etl/") && relative.endsWith(".parquet")) {
      return "etl parquet";
    } else if (relative.contains("/raw/")) {
      return "raw";
    } else if (relative.contains("/dlq/")) {
      return "dlq";
    }
    return "other";
  }

  // ---- what is looked for ------------------------------------------------------------------

  /** Labels of every secret or personal datum in {@code bytes}; never the value itself. */
  private List<String> findings(String where, byte[] bytes) {
    List<String> out = new ArrayList<>();
    needles().forEach((label, needle) -> {
      if (indexOf(bytes, needle) >= 0) {
        out.add(where + ": " + label);
      }
    });
    return out;
  }

  private Map<String, byte[]> needles() {
    Map<String, byte[]> n = new LinkedHashMap<>();
    Map<String, byte[]> keys = new LinkedHashMap<>();
    for (String id : KEYRING.allKeyIds()) {
      keys.put(id, TestKeyrings.keyBytes(id));
    }
    for (String tenant : TestKeyrings.PII_TENANTS) {
      for (String label : List.of("hash", "encrypt", "nonce")) {
        keys.put("pii " + label + " key of " + tenant, hmac(TestKeyrings.piiKeyBytes(tenant), "beamline pii " + label + " v1"));
      }
    }
    keys.put("wrong-length key", BAD_KEY);
    for (String id : WRONG_KEYRING.allKeyIds()) {
      keys.put("wrong key " + id, wrongKeyBytes(id));
    }
    keys.forEach((id, key) -> {
      n.put("key " + id + " as bytes", key);
      n.put("key " + id + " as base64", ascii(Base64.getEncoder().encodeToString(key)));
      n.put("key " + id + " as base64url", ascii(Base64.getUrlEncoder().withoutPadding().encodeToString(key)));
      n.put("key " + id + " as hex", ascii(HexFormat.of().formatHex(key)));
      n.put("key " + id + " as HEX", ascii(HexFormat.of().withUpperCase().formatHex(key)));
    });
    Map<String, String> words = new LinkedHashMap<>();
    words.put("warehouse password", postgres.password());
    words.put("wrong password", WRONG_PASSWORD);
    words.put("API token", token);
    words.put("webhook token", HOOK_TOKEN);
    words.forEach((label, w) -> {
      n.put(label, ascii(w));
      n.put(label + " as base64", ascii(Base64.getEncoder().encodeToString(ascii(w))));
      n.put(label + " as hex", ascii(HexFormat.of().formatHex(ascii(w))));
    });
    for (String p : pii) {
      n.put("personal data '" + p.charAt(0) + "…'", p.getBytes(StandardCharsets.UTF_8));
      n.put("personal data '" + p.charAt(0) + "…' lower case", p.toLowerCase(Locale.ROOT).getBytes(StandardCharsets.UTF_8));
    }
    return n;
  }

  private static byte[] wrongKeyBytes(String id) {
    try {
      com.fasterxml.jackson.databind.JsonNode v = Json.MAPPER.readTree(WRONG_KEYRING.toFileJson()).get(id);
      return Base64.getDecoder().decode(v.isObject() ? v.get("key").asText() : v.asText());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  // ---- inputs ------------------------------------------------------------------------------

  /**
   * Encrypted customers: valid ones, one that breaks the schema, one sealed with a key the
   * keyring does not hold, and a duplicate.
   */
  private List<String> inputLines() {
    List<String> lines = new ArrayList<>();
    Keyring wrongOnly = WRONG_KEYRING;
    for (int i = 0; i < FIRST.length; i++) {
      ObjectNode p = customerPayload(i + 1, FIRST[i], LAST[i]);
      Envelopes e =
          Envelopes.envelope().eventId("cust-" + (i + 1)).table("customers")
              .eventTime(DAY + "T10:1" + i + ":00Z").keyId(i % 2 == 0 ? "k1" : "k2").payload(p);
      if (i == FIRST.length - 2) {
        p.put("loyalty_points", -5);
        e = e.payload(p);
      } else if (i == FIRST.length - 1) {
        e = e.keyring(wrongOnly);
      }
      lines.add(e.line());
    }
    lines.add(lines.get(0));
    return lines;
  }

  private ObjectNode customerPayload(int n, String first, String last) {
    String email = first.toLowerCase(Locale.ROOT) + "." + last.toLowerCase(Locale.ROOT) + "@example.com";
    pii.add(first);
    pii.add(last);
    pii.add(email);
    ObjectNode p = Json.MAPPER.createObjectNode();
    p.put("customer_id", "C-" + n);
    p.put("email", email);
    p.putObject("name").put("first", first).put("last", last);
    p.put("signed_up_at", "2026-11-01T08:00:00Z");
    return p;
  }

  private List<ObjectNode> apiCustomers() {
    List<ObjectNode> records = new ArrayList<>();
    for (int i = 0; i < API_FIRST.length; i++) {
      ObjectNode p = customerPayload(100 + i, API_FIRST[i], API_LAST[i]);
      p.put("signed_up_at", DAY + "T11:0" + i + ":00Z");
      records.add(p);
    }
    return records;
  }

  private void jdbcSource() throws SQLException {
    try (Connection c = postgres.connect();
        Statement s = c.createStatement()) {
      s.execute("CREATE SCHEMA src");
      s.execute("CREATE TABLE src.customers (seq bigserial PRIMARY KEY, id text, updated_at timestamptz,"
          + " customer_id text, email text, name_first text, name_last text, signed_up_at timestamptz)");
      for (int i = 0; i < JDBC_FIRST.length; i++) {
        ObjectNode p = customerPayload(200 + i, JDBC_FIRST[i], JDBC_LAST[i]);
        s.execute("INSERT INTO src.customers (id, updated_at, customer_id, email, name_first, name_last, signed_up_at)"
            + " VALUES ('j-" + i + "', TIMESTAMPTZ '" + DAY + " 12:0" + i + ":00+00', '" + p.get("customer_id").asText()
            + "', '" + p.get("email").asText() + "', '" + JDBC_FIRST[i] + "', '" + JDBC_LAST[i]
            + "', TIMESTAMPTZ '2026-11-01 08:00:00+00')");
      }
    }
  }

  // ---- arguments ---------------------------------------------------------------------------

  private String[] etl(Path input, String out, Path keyring) {
    return new String[] {"etl", "--inputPath=" + input, "--outputRoot=" + work.resolve(out),
        "--keyringPath=" + keyring, "--schemaDir=" + EtlTestSupport.SCHEMAS};
  }

  private String[] apiArgs(LocalApiServer server, String out) {
    return new String[] {"ingest-api", "--apiUrl=" + server.url(), "--cursorParam=" + ApiTestFixture.CURSOR_PARAM,
        "--tenant=acme", "--source=shop", "--table=customers", "--idField=customer_id",
        "--eventTimeField=signed_up_at", "--outputRoot=" + work.resolve(out), "--keyringPath=" + keyringFile,
        "--schemaDir=" + EtlTestSupport.SCHEMAS, "--apiTokenEnv=" + ApiTestFixture.TOKEN_ENV,
        "--writeRaw=false", "--maxRetries=0", "--initialBackoffMillis=1", "--maxBackoffMillis=2"};
  }

  private String[] jdbcArgs(String out, Path sourcePassword) {
    return new String[] {"ingest-jdbc", "--sourceJdbcUrl=" + postgres.jdbcUrl(),
        "--sourceJdbcUser=" + postgres.user(), "--sourceJdbcPasswordFile=" + sourcePassword,
        "--sourceTable=src.customers", "--watermarkColumn=seq", "--idColumn=id",
        "--eventTimeColumn=updated_at", "--tenant=acme", "--source=shop", "--table=customers",
        "--ingestName=scan-" + out, "--outputRoot=" + work.resolve(out), "--keyringPath=" + keyringFile,
        "--schemaDir=" + EtlTestSupport.SCHEMAS, "--writeRaw=false", "--runId=scan-" + out};
  }

  private String[] lineage(String name) {
    return new String[] {"--lineageFile=" + work.resolve("lineage/" + name + ".jsonl")};
  }

  private static String[] join(Object... parts) {
    List<String> all = new ArrayList<>();
    for (Object p : parts) {
      if (p instanceof String[] a) {
        all.addAll(List.of(a));
      } else {
        all.add((String) p);
      }
    }
    return all.toArray(new String[0]);
  }

  private void run(String name, String[] args) {
    System.err.println("---- " + name);
    exits.put(name, new BeamlineCli().run(args, System.out, System.err));
  }

  // ---- bytes -------------------------------------------------------------------------------

  private static List<String> pg(String sql) throws SQLException {
    return postgres.firstColumn(sql);
  }

  private static byte[] hmac(byte[] key, String message) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(message.getBytes(StandardCharsets.UTF_8));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static int indexOf(byte[] hay, byte[] needle) {
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
}
