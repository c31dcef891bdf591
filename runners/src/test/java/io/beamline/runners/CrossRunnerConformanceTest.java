package io.beamline.runners;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

import io.beamline.options.EtlOptions;
import io.beamline.pipelines.etl.BatchEtlPipeline;
import io.beamline.pipelines.etl.EtlRunSummary;
import io.beamline.pipelines.generate.GeneratedSample;
import io.beamline.pipelines.generate.SampleEventGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import io.beamline.pipelines.report.RunReports;
import io.beamline.runners.cluster.testing.FlinkSessionClusterExtension;
import io.beamline.runners.cluster.testing.SparkStandaloneClusterExtension;
import io.beamline.transforms.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same generated input through the batch ETL on Direct, Flink (embedded, and a session cluster
 * of separate JVMs) and Spark (local, and a standalone cluster of separate JVMs): every runner must
 * write the same etl rows into the same partitions and dead-letter the same records.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CrossRunnerConformanceTest {
  @TempDir static Path work;

  @RegisterExtension
  static FlinkSessionClusterExtension flinkCluster = new FlinkSessionClusterExtension(2);

  @RegisterExtension
  static SparkStandaloneClusterExtension sparkCluster = new SparkStandaloneClusterExtension(2);

  private GeneratedSample sample;
  private Path keyring;
  private EtlRunSummary direct;

  @BeforeAll
  void generateAndRunOnDirect() throws IOException {
    keyring = work.resolve("keyring.json");
    sample =
        SampleEventGenerator.builder()
            .count(400)
            .days(1)
            .endDate(LocalDate.parse("2026-11-20"))
            .badFraction(0.1)
            .duplicateFraction(0.05)
            .files(3)
            .outputPath(work.resolve("input"))
            .keyring(SampleEventGenerator.writeKeyringIfMissing(keyring))
            .build()
            .generate();
    direct = run("direct", "--runner=DirectRunner");
  }

  private EtlRunSummary run(String name, String... runnerArgs) {
    List<String> args = new ArrayList<>(List.of(
        "--inputPath=" + work.resolve("input"),
        "--outputRoot=" + work.resolve("out-" + name),
        "--keyringPath=" + keyring,
        "--schemaDir=../schemas"));
    args.addAll(List.of(runnerArgs));
    EtlOptions options =
        PipelineOptionsFactory.fromArgs(args.toArray(new String[0])).withValidation().as(EtlOptions.class);
    return BatchEtlPipeline.run(options);
  }

  @Test
  void directRunMatchesWhatTheGeneratorWrote() {
    assertThat(direct.recordsIn(), is(sample.totalLines()));
    assertThat(direct.etlRecords(), is(sample.goodEvents()));
    assertThat(direct.deadLettersByReason(), equalTo(sample.expectedDeadLetters()));
    assertThat(direct.etlRowsByTable(), equalTo(sample.expectedEtlRows()));
    assertThat(direct.conserved(), is(true));
  }

  @Test
  void flinkWritesTheSameRowsAndDeadLettersAsDirect() throws IOException {
    EtlRunSummary flink = run("flink", "--runner=FlinkRunner", "--flinkMaster=[local]", "--parallelism=2");
    assertSameAsDirect("flink", flink);
  }

  @Test
  void flinkSessionClusterOfSeparateProcessesWritesTheSameRowsAndDeadLettersAsDirect()
      throws IOException {
    List<String> args = new ArrayList<>(List.of(flinkCluster.runnerArgs()));
    args.add("--parallelism=2");
    EtlRunSummary cluster = run("flink-cluster", args.toArray(new String[0]));
    assertSameAsDirect("flink-cluster", cluster);
  }

  @Test
  void sparkWritesTheSameRowsAndDeadLettersAsDirect() throws IOException {
    EtlRunSummary spark = run("spark", "--runner=SparkRunner", "--sparkMaster=local[2]");
    assertSameAsDirect("spark", spark);
  }

  @Test
  void sparkStandaloneClusterOfSeparateProcessesWritesTheSameRowsAndDeadLettersAsDirect()
      throws IOException {
    String[] runnerArgs = sparkCluster.runnerArgs();
    int applicationsBefore = sparkCluster.cluster().applicationsSubmitted();
    EtlRunSummary cluster = run("spark-cluster", runnerArgs);
    assertThat(
        "the job ran on the cluster's executors",
        sparkCluster.cluster().applicationsSubmitted(),
        is(applicationsBefore + 1));
    assertSameAsDirect("spark-cluster", cluster);
  }

  private void assertSameAsDirect(String name, EtlRunSummary other) throws IOException {
    assertThat(other.recordsIn(), is(direct.recordsIn()));
    assertThat(other.etlRecords(), is(direct.etlRecords()));
    assertThat(other.duplicatesDropped(), is(direct.duplicatesDropped()));
    assertThat(other.deadLettersByReason(), equalTo(direct.deadLettersByReason()));
    assertThat(other.etlRowsByTable(), equalTo(direct.etlRowsByTable()));
    assertThat(other.conserved(), is(true));

    Map<String, List<String>> expected = EtlRows.byFile(work.resolve("out-direct"));
    Map<String, List<String>> actual = EtlRows.byFile(work.resolve("out-" + name));
    assertThat(expected.keySet(), is(not(empty())));
    assertThat("partition files", actual.keySet(), equalTo(expected.keySet()));
    for (String file : expected.keySet()) {
      assertThat(file, actual.get(file), equalTo(expected.get(file)));
    }
    assertThat(
        "dead-letter partition files",
        EtlRows.relativeFiles(work.resolve("out-" + name).resolve("dlq")),
        equalTo(EtlRows.relativeFiles(work.resolve("out-direct").resolve("dlq"))));
    assertSameReportAsDirect(other);
  }

  /** The run report: the same totals, dead-letter examples (picked deterministically) and partitions. */
  private void assertSameReportAsDirect(EtlRunSummary other) throws IOException {
    JsonNode report = Json.MAPPER.readTree(Files.readString(Path.of(RunReports.jsonTwin(other.reportFile()))));
    JsonNode directReport = Json.MAPPER.readTree(Files.readString(Path.of(RunReports.jsonTwin(direct.reportFile()))));
    assertThat("report totals", report.path("totals"), equalTo(directReport.path("totals")));
    assertThat("report totals", report.path("totals").path("records_in").asLong(), is(direct.recordsIn()));
    assertThat("dead-letter examples", report.path("dead_letters"), equalTo(directReport.path("dead_letters")));
    for (int i = 0; i < 3; i++) {
      JsonNode zone = report.path("partitions").get(i);
      JsonNode directZone = directReport.path("partitions").get(i);
      assertThat("zone", zone.path("zone"), equalTo(directZone.path("zone")));
      assertThat(zone.path("zone").asText(), zone.path("files"), equalTo(directZone.path("files")));
      assertThat(zone.path("zone").asText(), zone.path("partitions"), equalTo(directZone.path("partitions")));
    }
  }
}
