package io.beamline.pipelines.etl;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.beamline.options.EtlOptions;
import io.beamline.transforms.Json;
import io.beamline.transforms.testing.TestKeyrings;
import io.openlineage.client.OpenLineage;
import io.openlineage.client.OpenLineageClientUtils;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** OpenLineage run events of batch runs: to a file, to a URL, on failure; warehouse names. */
class LineageTest {
  private static final int COUNT = 100;

  private static List<JsonNode> events(Path file) throws IOException {
    List<JsonNode> events = new ArrayList<>();
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      events.add(Json.MAPPER.readTree(line));
    }
    return events;
  }

  private static List<String> texts(JsonNode array, String field) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.path(field).asText()));
    return out;
  }

  @Test
  void etlRunWritesStartThenCompleteWithDatasetsAndTheAuditCounts(@TempDir Path tmp) throws IOException {
    Path input = tmp.resolve("in");
    Path output = tmp.resolve("out");
    Path lineage = tmp.resolve("lineage/events.jsonl");
    EtlTestSupport.generate(input, COUNT, 5L);
    EtlRunSummary summary =
        EtlTestSupport.run(input, output, TestKeyrings.writeKeyringFile(tmp), "--lineageFile=" + lineage);

    List<JsonNode> events = events(lineage);
    assertThat(texts(Json.MAPPER.valueToTree(events), "eventType"), contains("START", "COMPLETE"));
    String runId = RunLineage.runUuid(summary.runId()).toString();
    for (JsonNode e : events) {
      // the fields the OpenLineage RunEvent schema requires, and the client reads the event back
      assertThat(e.path("run").path("runId").asText(), equalTo(runId));
      assertThat(e.path("job").path("namespace").asText(), equalTo("beamline"));
      assertThat(e.path("job").path("name").asText(), equalTo("etl"));
      assertThat(e.path("producer").asText(), equalTo(RunLineage.PRODUCER.toString()));
      assertThat(e.path("schemaURL").asText(), containsString("openlineage.io/spec/"));
      assertThat(e.path("eventTime").isTextual(), equalTo(true));
      OpenLineage.RunEvent parsed = OpenLineageClientUtils.runEventFromJson(e.toString());
      assertThat(parsed.getRun().getRunId().toString(), equalTo(runId));
      assertThat(texts(e.path("inputs"), "namespace"), contains("file"));
      assertThat(texts(e.path("inputs"), "name"), contains(input.toAbsolutePath().toString()));
    }
    JsonNode complete = events.get(1);
    String root = output.toAbsolutePath().toString();
    List<String> expectedOutputs = new ArrayList<>();
    summary.etlRowsByTable().forEach((table, rows) -> expectedOutputs.add(root + "/etl/shop/" + table));
    expectedOutputs.addAll(List.of(root + "/raw", root + "/dlq", root + "/audit"));
    assertThat(texts(complete.path("outputs"), "name"), containsInAnyOrder(expectedOutputs.toArray()));
    JsonNode counts = complete.path("run").path("facets").path("beamline_counts");
    JsonNode audit = summary.record();
    for (String field : List.of("records_in", "etl_records", "dead_letters", "duplicates_dropped", "conserved")) {
      assertThat(field, counts.path(field).asText(), equalTo(audit.get(field).asText()));
      assertThat(field, counts.path(field).isValueNode(), equalTo(true));
    }
  }

  @Test
  void runThatFailsWritesStartThenFailAndRethrows(@TempDir Path tmp) throws IOException {
    Path input = tmp.resolve("in");
    Files.createDirectories(input);
    Files.writeString(input.resolve("one.jsonl"), "{}\n");
    Path lineage = tmp.resolve("events.jsonl");
    EtlOptions options =
        EtlTestSupport.options(
            EtlTestSupport.etlArgs(
                input, tmp.resolve("out"), TestKeyrings.writeKeyringFile(tmp), "--lineageFile=" + lineage));
    BatchEtlPipeline.Plan plan = BatchEtlPipeline.prepare(options);
    // A pipeline that fails while it runs, after START.
    Pipeline failing = Pipeline.create(options);
    failing
        .apply(Create.of(1))
        .apply(MapElements.into(TypeDescriptors.integers()).via((Integer i) -> {
          throw new IllegalStateException("boom at run time");
        }));

    RuntimeException thrown =
        assertThrows(RuntimeException.class, () -> BatchEtlPipeline.runToEnd("etl", failing, plan, input.toString()));

    assertThat(thrown.toString(), containsString("boom at run time"));
    List<JsonNode> events = events(lineage);
    assertThat(texts(Json.MAPPER.valueToTree(events), "eventType"), contains("START", "FAIL"));
    assertThat(events.get(1).path("run").path("runId").asText(), equalTo(events.get(0).path("run").path("runId").asText()));
    assertThat(
        events.get(1).path("run").path("facets").path("errorMessage").path("message").asText(),
        containsString("boom at run time"));
  }

  @Test
  void lineageUrlReceivesStartAndCompleteAsJsonPosts(@TempDir Path tmp) throws IOException {
    List<String> received = Collections.synchronizedList(new ArrayList<>());
    List<String> contentTypes = Collections.synchronizedList(new ArrayList<>());
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/api/v1/lineage", exchange -> {
      if ("POST".equals(exchange.getRequestMethod())) {
        received.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
        contentTypes.add(exchange.getRequestHeaders().getFirst("Content-Type"));
      }
      exchange.sendResponseHeaders(201, -1);
      exchange.close();
    });
    server.start();
    try {
      Path input = tmp.resolve("in");
      EtlTestSupport.generate(input, COUNT, 6L);
      String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/api/v1/lineage";
      EtlRunSummary summary =
          EtlTestSupport.run(input, tmp.resolve("out"), TestKeyrings.writeKeyringFile(tmp), "--lineageUrl=" + url);

      List<JsonNode> events = new ArrayList<>();
      for (String body : received) {
        events.add(Json.MAPPER.readTree(body));
      }
      assertThat(texts(Json.MAPPER.valueToTree(events), "eventType"), contains("START", "COMPLETE"));
      String runId = RunLineage.runUuid(summary.runId()).toString();
      assertThat(
          List.of(events.get(0).path("run").path("runId").asText(), events.get(1).path("run").path("runId").asText()),
          contains(runId, runId));
      assertThat(contentTypes, contains("application/json", "application/json"));
    } finally {
      server.stop(0);
    }
  }

  @Test
  void warehouseDatasetCarriesNoPasswordOrParameter() {
    String[] d =
        RunLineage.warehouseTable(
            "jdbc:postgresql://admin:hunter2@db.internal:5433/warehouse?user=etl&password=s3cret&ssl=true",
            "shop", "orders");

    assertThat(List.of(d[0], d[1]), contains("postgres://db.internal:5433", "etl.shop__orders"));
    assertThat(String.join(" ", d), not(containsString("s3cret")));
    assertThat(String.join(" ", d), not(containsString("hunter2")));
    assertThat(String.join(" ", d), not(containsString("password")));
  }
}
