package io.beamline.pipelines.report;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading the quality audit file of a run, tolerantly. */
class QualityAuditTest {
  private static void write(Path out, String relative, String json) throws IOException {
    Path f = out.resolve("audit/quality").resolve(relative);
    Files.createDirectories(f.getParent());
    Files.writeString(f, json);
  }

  @Test
  void noQualityFileMeansNoSection(@TempDir Path out) {
    assertThat(QualityAudit.of(out.toString(), "r1").isPresent(), is(false));
  }

  @Test
  void readsTheRunsFileWithMissingFieldsAsNull(@TempDir Path out) throws IOException {
    write(out, "dt=2026-11-22/run-r1.json",
        "{\"runId\":\"r1\",\"tables\":[{\"source\":\"shop\",\"table\":\"orders\",\"scores\":{\"validity\":0.5},"
            + "\"columns\":[{\"column\":\"total\",\"validity\":\"high\"}],\"rules\":[{\"name\":\"t\",\"column\":\"total\",\"passed\":false}]}]}");
    write(out, "dt=2026-11-22/run-other.json", "{\"tables\":[{\"source\":\"shop\",\"table\":\"payments\"}]}");
    JsonNode q = QualityAudit.of(out.toString(), "r1").orElseThrow();
    JsonNode orders = q.path("tables").get(0);
    assertThat(q.path("tables").size(), is(1));
    assertThat(orders.path("rows").isNull(), is(true));
    assertThat(orders.path("passed").isNull(), is(true));
    assertThat(orders.path("scores").toString(), is("{\"validity\":0.5}"));
    assertThat(orders.path("columns").toString(),
        is("[{\"column\":\"total\",\"completeness\":null,\"validity\":null,\"uniqueness\":null,\"passed\":false}]"));
  }

  @Test
  void anUnreadableFileIsReportedNotThrown(@TempDir Path out) throws IOException {
    write(out, "dt=2026-11-22/run-r1.json", "{not json");
    JsonNode q = QualityAudit.of(out.toString(), "r1").orElseThrow();
    assertThat(q.path("unreadable").size(), is(1));
    assertThat(q.path("tables").size(), is(0));
  }

  @Test
  void aStreamShowsEachTableFromItsLatestWindowPane(@TempDir Path out) throws IOException {
    String table = "{\"window\":{\"start\":\"%s\",\"end\":\"x\"},\"tables\":[{\"source\":\"shop\",\"table\":\"orders\",\"rows\":%d}]}";
    write(out, "dt=2026-11-22/window-20261122T100000Z-20261122T100500Z-pane-9-run-s1.json", String.format(table, "a", 9));
    write(out, "dt=2026-11-22/window-20261122T100000Z-20261122T100500Z-pane-10-run-s1.json", String.format(table, "a", 10));
    write(out, "dt=2026-11-22/window-20261122T095500Z-20261122T100000Z-pane-0-run-s1.json", String.format(table, "b", 1));
    JsonNode q = QualityAudit.of(out.toString(), "s1").orElseThrow();
    assertThat(q.path("tables").findValuesAsText("table"), is(List.of("orders")));
    assertThat(q.path("tables").get(0).path("rows").asLong(), is(10L));
  }
}
