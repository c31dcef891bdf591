package io.beamline.benchmarks.stages;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.TimeValue;

class StageBenchmarksTest {
  @Test
  void quickModeIsOneForkTwoWarmupsAndThreeMeasurementsOfOneSecond() {
    Options o = StageBenchmarks.Settings.parse("--mode=quick", "--resultFile=target/x.json").jmhOptions().build();
    assertThat(
        List.of(o.getForkCount().get(), o.getWarmupIterations().get(), o.getWarmupTime().get(),
            o.getMeasurementIterations().get(), o.getMeasurementTime().get()),
        equalTo(List.of(1, 2, TimeValue.seconds(1), 3, TimeValue.seconds(1))));
  }

  @Test
  void fullModeIsTwoForksThreeWarmupsAndFiveMeasurementsOfTwoSeconds() {
    Options o = StageBenchmarks.Settings.parse("--mode=full").jmhOptions().build();
    assertThat(
        List.of(o.getForkCount().get(), o.getWarmupIterations().get(), o.getWarmupTime().get(),
            o.getMeasurementIterations().get(), o.getMeasurementTime().get()),
        equalTo(List.of(2, 3, TimeValue.seconds(2), 5, TimeValue.seconds(2))));
  }

  @Test
  void resultsGoToTheResultFileAsJson() {
    Options o = StageBenchmarks.Settings.parse("--resultFile=/tmp/stages.json").jmhOptions().build();
    assertThat(List.of(o.getResult().get(), o.getResultFormat().get().name()), equalTo(List.of("/tmp/stages.json", "JSON")));
  }

  @Test
  void forksGetTheSchemaDirectory() {
    StageBenchmarks.Settings s = StageBenchmarks.Settings.parse();
    Options o = s.jmhOptions().build();
    assertThat(
        o.getJvmArgsAppend().get(),
        org.hamcrest.Matchers.hasItem("-D" + StagePool.SCHEMA_DIR_PROPERTY + "=" + s.schemaDir()));
  }

  @Test
  void anUnknownModeIsRefused() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> StageBenchmarks.Settings.parse("--mode=fast"));
    assertThat(e.getMessage(), equalTo("--mode must be quick or full, got fast"));
  }

  @Test
  void anUnknownOptionIsRefused() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> StageBenchmarks.Settings.parse("--forks=3"));
    assertThat(e.getMessage(), containsString("unknown option --forks"));
  }

  @Test
  void tablePrintsPerEventCostOfRowBenchmarksAndTheChainAgainstTheSum() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    List<StageBenchmarks.Row> rows =
        List.of(
            new StageBenchmarks.Row("parseEnvelope", 1.0, 0.1),
            new StageBenchmarks.Row("decryptPayload", 2.0, 0.1),
            new StageBenchmarks.Row("flattenRecord", 3.0, 0.1),
            new StageBenchmarks.Row("validateAgainstSchema", 4.0, 0.1),
            new StageBenchmarks.Row("protectPersonalData", 5.0, 0.1),
            new StageBenchmarks.Row("chainParseToProtect", 18.0, 0.5),
            new StageBenchmarks.Row("avroRecord", 2.0, 0.1));
    StagePool pool = SharedPool.pool();
    StageBenchmarks.printTable(new PrintStream(bytes, true, StandardCharsets.UTF_8), rows, pool);
    String table = bytes.toString(StandardCharsets.UTF_8);
    assertThat(table, containsString(String.format(java.util.Locale.ROOT,
        "%-24s %-5s %12.3f %10.3f %12.0f %12.3f%n", "avroRecord", "row", 2.0, 0.1, 500000.0, 2.0 * pool.rowsPerEvent())));
    assertThat(table, containsString("sum of parse..protect: 15.000 +- 0.500 us/event; chain: 18.000 +- 0.500 us/event (chain/sum 1.20)"));
  }
}
