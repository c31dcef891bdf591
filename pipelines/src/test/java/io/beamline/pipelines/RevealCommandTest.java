package io.beamline.pipelines;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

import io.beamline.transforms.Json;
import io.beamline.transforms.Keyring;
import io.beamline.transforms.testing.Envelopes;
import io.beamline.transforms.testing.TestKeyrings;
import io.beamline.pipelines.etl.EtlTestSupport;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code reveal}: the plaintext of values an etl run encrypted, given the keyring and tenant. */
class RevealCommandTest {
  @TempDir Path tmp;

  @Test
  void printsThePlaintextOfEachEncryptedValueAnEtlRunWrote() throws Exception {
    Path keyring = TestKeyrings.writeKeyringFile(tmp);
    Path input = Files.createDirectories(tmp.resolve("in"));
    String line =
        Envelopes.envelope()
            .eventId("c-1")
            .table("customers")
            .payload(
                Json.MAPPER.readTree(
                    "{\"customer_id\":\"C-1\",\"email\":\"ada@example.com\","
                        + "\"name\":{\"first\":\"Ada\",\"last\":\"Lovelace\"},"
                        + "\"signed_up_at\":\"2026-11-01T08:00:00Z\"}"))
            .line();
    Files.writeString(input.resolve("e.jsonl"), line + "\n");
    EtlTestSupport.run(input, tmp.resolve("out"), keyring);
    Map<String, String> row;
    try (Connection db = EtlTestSupport.duckdb()) {
      row =
          EtlTestSupport.query(
                  db, "SELECT name_first, name_last FROM " + EtlTestSupport.etlTable(tmp.resolve("out"), "customers"))
              .get(0);
    }

    Result r = reveal(row.get("name_first") + "\n\n" + row.get("name_last") + "\n", keyring, "acme");

    assertThat(r.err, r.code, is(BeamlineCli.OK));
    assertThat(r.out, is("Ada\nLovelace\n"));
  }

  @Test
  void refusesAValueOfAnotherTenantNamingTheLineButNotTheValue() {
    Keyring keyring = TestKeyrings.keyring();
    String acmeValue =
        io.beamline.transforms.RevealPersonalData.with(keyring).hash("acme", "x"); // not a ciphertext either

    Result r = reveal(acmeValue + "\n", TestKeyrings.writeKeyringFile(tmp), "globex");

    assertThat(r.code, is(BeamlineCli.BAD_USAGE));
    assertThat(
        r.err,
        is("reveal: line 1: the value does not open with tenant globex's pii key (another tenant's, or altered)\n"));
    assertThat(r.err, not(containsString(acmeValue)));
  }

  @Test
  void needsTheTenantOption() {
    Result r = reveal("", TestKeyrings.writeKeyringFile(tmp), null);

    assertThat(r.code, is(BeamlineCli.BAD_USAGE));
    assertThat(r.err, containsString("--tenant"));
  }

  private record Result(int code, String out, String err) {}

  private static Result reveal(String stdin, Path keyring, String tenant) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    List<String> args =
        tenant == null
            ? List.of("reveal", "--keyringPath=" + keyring)
            : List.of("reveal", "--keyringPath=" + keyring, "--tenant=" + tenant);
    int code =
        new BeamlineCli(new StringReader(stdin))
            .run(
                args.toArray(new String[0]),
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }
}
