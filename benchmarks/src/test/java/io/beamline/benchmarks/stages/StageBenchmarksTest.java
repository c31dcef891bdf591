package io.beamline.benchmarks.stages;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.TimeValue;

class StageBenchmarksTest {
  private static final Path POOL = Path.of("/tmp/pool.ser");

  @Test
  void quickModeIsOneForkTwoWarmupsAndThreeMeasurementsOfOneSecond() {
    Options o = StageBenchmarks.Settings.parse("--mode=quick", "--resultFile=target/x.json").jmhOptions(POOL).build();
    assertThat(
        List.of(o.getForkCount().get(), o.getWarmupIterations().get(), o.getWarmupTime().get(),
            o.getMeasurementIterations().get(), o.getMeasurementTime().get()),
        equalTo(List.of(1, 2, TimeValue.seconds(1), 3, TimeValue.seconds(1))));
  }

  @Test
  void fullModeIsTwoForksThreeWarmupsAndFiveMeasurementsOfTwoSeconds() {
    Options o = StageBenchmarks.Settings.parse("--mode=full").jmhOptions(POOL).build();
    assertThat(
        List.of(o.getForkCount().get(), o.getWarmupIterations().get(), o.getWarmupTime().get(),
            o.getMeasurementIterations().get(), o.getMeasurementTime().get()),
        equalTo(List.of(2, 3, TimeValue.seconds(2), 5, TimeValue.seconds(2))));
  }

  @Test
  void resultsGoToTheResultFileAsJson() {
    Options o = StageBenchmarks.Settings.parse("--resultFile=/tmp/stages.json").jmhOptions(POOL).build();
    assertThat(List.of(o.getResult().get(), o.getResultFormat().get().name()), equalTo(List.of("/tmp/stages.json", "JSON")));
  }

  @Test
  void forksGetTheSchemaDirectoryAndThePoolFile() {
    StageBenchmarks.Settings s = StageBenchmarks.Settings.parse();
    Options o = s.jmhOptions(POOL).build();
    assertThat(
        o.getJvmArgsAppend().get(),
        hasItems(
            "-D" + StagePool.SCHEMA_DIR_PROPERTY + "=" + s.schemaDir(),
            "-D" + StagePool.POOL_FILE_PROPERTY + "=/tmp/pool.ser"));
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
            new StageBenchmarks.Row("avroRecord", 2.0, 0.1),
            new StageBenchmarks.Row("parquetFileOverhead", 8000.0, 100.0));
    StageBenchmarks.PoolShape pool = new StageBenchmarks.PoolShape(2000, 1017.4, 3.5);
    StageBenchmarks.printTable(new PrintStream(bytes, true, StandardCharsets.UTF_8), rows, pool);
    String table = bytes.toString(StandardCharsets.UTF_8);
    assertThat(table, containsString(String.format(java.util.Locale.ROOT,
        "%-36s %-5s %12.3f %10.3f %12.0f %12s%n", "avroRecord", "row", 2.0, 0.1, 500000.0, "7.000")));
    assertThat(table, containsString(String.format(java.util.Locale.ROOT,
        "%-36s %-5s %12.3f %10.3f %12.0f %12s%n", "parquetFileOverhead", "file", 8000.0, 100.0, 125.0, "-")));
    assertThat(table, containsString("pool: 2000 encrypted shop events, mean line 1017 bytes, 3.50 etl rows per event"));
    assertThat(table, containsString("sum of parse..protect: 15.000 +- 0.500 us/event; chain: 18.000 +- 0.500 us/event (chain/sum 1.20)"));
  }
}
