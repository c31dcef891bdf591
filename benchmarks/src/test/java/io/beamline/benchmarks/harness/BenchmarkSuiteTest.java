package io.beamline.benchmarks.harness;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchmarkSuiteTest {
  private static final BenchmarkDataset.Expected EXPECTED =
      new BenchmarkDataset.Expected(3, Map.of("orders", 2L), Map.of("MALFORMED_JSON", 1L), 0);

  /** A contender that prints {@code result} as its RESULT line. */
  private static Contender printing(String result) {
    return new Contender("baseline", "test", "baseline", true,
        ctx -> List.of("sh", "-c", "echo 'RESULT " + result + "'"));
  }

  private static BenchmarkDataset dataset(Path tmp) {
    return new BenchmarkDataset(3, tmp, tmp, tmp, tmp, 300, EXPECTED);
  }

  @Test
  void aRunWithTheExpectedCountsIsCorrect(@TempDir Path tmp) throws Exception {
    assumeTrue(Files.isExecutable(MeasuredRun.GNU_TIME), "GNU time is not installed");
    Measurement m = BenchmarkSuite.measure(
        printing("{\"records_in\":3,\"etl_rows\":{\"orders\":2},\"dead_letters\":{\"MALFORMED_JSON\":1},\"duplicates\":0}"),
        dataset(tmp), options(tmp), "java", "");
    assertThat(m.problem(), is(nullValue()));
    assertThat(m.correct(), is(true));
  }

  @Test
  void aRunWithOtherCountsIsNotCorrectAndSaysWhy(@TempDir Path tmp) throws Exception {
    assumeTrue(Files.isExecutable(MeasuredRun.GNU_TIME), "GNU time is not installed");
    Measurement m = BenchmarkSuite.measure(
        printing("{\"records_in\":3,\"etl_rows\":{\"orders\":3},\"dead_letters\":{},\"duplicates\":0}"),
        dataset(tmp), options(tmp), "java", "");
    assertThat(m.correct(), is(false));
    assertThat(m.problem(), containsString("etl rows"));
  }

  private static SuiteOptions options(Path tmp) {
    return new SuiteOptions("quick", List.of(3), List.of("baseline"), tmp.resolve("data"), tmp.resolve("results"),
        tmp, tmp, tmp, tmp, 1, false);
  }
}
