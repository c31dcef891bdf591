package io.beamline.benchmarks.harness;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.nullValue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunOutcomeTest {
  static final BenchmarkDataset.Expected EXPECTED =
      new BenchmarkDataset.Expected(10, Map.of("orders", 5L, "order_items", 9L), Map.of("MALFORMED_JSON", 2L), 3);

  @Test
  void theLastResultLineIsTheOutcome() throws Exception {
    RunOutcome o = RunOutcome.fromResultLine(List.of(
        "RESULT {\"records_in\":1}",
        "log line",
        "RESULT {\"records_in\":10,\"etl_rows\":{\"orders\":5,\"order_items\":9},"
            + "\"dead_letters\":{\"MALFORMED_JSON\":2},\"duplicates\":3}")).orElseThrow();
    assertThat(o.mismatch(EXPECTED), is(nullValue()));
  }

  @Test
  void countsThatDifferAreNamed() {
    RunOutcome o = new RunOutcome(10, Map.of("orders", 5L, "order_items", 8L), Map.of("MALFORMED_JSON", 2L), 3);
    assertThat(o.mismatch(EXPECTED), containsString("etl rows"));
  }

  @Test
  void zeroCountsEqualMissingOnes() {
    RunOutcome o = new RunOutcome(
        10, Map.of("orders", 5L, "order_items", 9L, "payments", 0L), Map.of("MALFORMED_JSON", 2L, "OVERSIZED", 0L), 3);
    assertThat(o.mismatch(EXPECTED), is(nullValue()));
  }

  @Test
  void beamlinesAuditRecordOfTheRunIsRead(@TempDir Path out) throws Exception {
    Path record = out.resolve("audit/runs/dt=2026-11-22/run-r1.json");
    Files.createDirectories(record.getParent());
    Files.writeString(record, "{\"records_in\":10,\"etl_rows\":{\"orders\":5,\"order_items\":9},"
        + "\"dead_letters_by_reason\":{\"MALFORMED_JSON\":2},\"duplicates_dropped\":3}");
    assertThat(RunOutcome.fromAuditRecord(out, "r1").orElseThrow().mismatch(EXPECTED), is(nullValue()));
    assertThat(RunOutcome.fromAuditRecord(out, "r2").isPresent(), is(false));
  }
}
