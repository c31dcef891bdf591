package io.beamline.benchmarks.baseline;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.beamline.transforms.RevealPersonalData;
import io.beamline.transforms.model.DeadLetterReason;
import io.beamline.transforms.schema.TableSchema;
import io.beamline.transforms.schema.TableSchemas;
import io.beamline.transforms.testing.TestKeyrings;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Protected values are the ones Beamline's own cipher hashes and opens. */
class PersonalDataProtectorTest {
  private static final TablePlan PEOPLE = new SchemaPlans(TableSchemas.of(List.of(TableSchema.parse(
      "{\"source\":\"s\",\"table\":\"people\",\"fields\":["
          + "{\"name\":\"email\",\"type\":\"string\",\"pii\":\"hash\"},"
          + "{\"name\":\"name\",\"type\":\"string\",\"pii\":\"encrypt\"}]}",
      "people")))).get("s", "people");

  @TempDir Path tmp;

  private FlatRow protect(String tenant) throws Exception {
    KeyringKeys keys = KeyringKeys.load(TestKeyrings.writeKeyringFile(tmp));
    FlatRow row = new FlatRow();
    row.reset(PEOPLE, null, null, 0);
    row.values[0] = "ann@example.com";
    row.values[1] = "Ann";
    Envelope e = new Envelope();
    e.tenant = tenant;
    e.eventId = "e-1";
    new PersonalDataProtector(keys).protect(row, e);
    return row;
  }

  @Test
  void aHashedValueIsBeamlinesHash() throws Exception {
    assertThat(
        protect("acme").values[0],
        equalTo(RevealPersonalData.with(TestKeyrings.keyring()).hash("acme", "ann@example.com")));
  }

  @Test
  void anEncryptedValueOpensWithBeamlinesReveal() throws Exception {
    assertThat(
        RevealPersonalData.with(TestKeyrings.keyring()).reveal("acme", (String) protect("acme").values[1]),
        equalTo("Ann"));
  }

  @Test
  void theSameRowProtectedTwiceInARowGetsTheSameText() throws Exception {
    KeyringKeys keys = KeyringKeys.load(TestKeyrings.writeKeyringFile(tmp));
    PersonalDataProtector protector = new PersonalDataProtector(keys);
    Envelope e = new Envelope();
    e.tenant = "acme";
    e.eventId = "e-1";
    FlatRow first = new FlatRow();
    first.reset(PEOPLE, null, null, 0);
    first.values[1] = "Ann";
    FlatRow again = new FlatRow();
    again.reset(PEOPLE, null, null, 0);
    again.values[1] = "Ann";

    protector.protect(first, e);
    protector.protect(again, e);

    assertThat(again.values[1], equalTo(first.values[1]));
  }

  @Test
  void aTenantWithoutPiiKeyIsUnknownKey() {
    Rejection r = assertThrows(Rejection.class, () -> protect("nobody"));
    assertThat(r.reason(), equalTo(DeadLetterReason.UNKNOWN_KEY));
    assertThat(r.detail(), equalTo("people: no pii key for tenant nobody in the keyring"));
  }
}
