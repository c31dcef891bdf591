package io.beamline.benchmarks.harness;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SuiteOptionsTest {
  private static String[] args(Path tmp, String... extra) throws Exception {
    Files.writeString(tmp.resolve("cp.txt"), "x.jar");
    Files.createDirectories(tmp.resolve("classes"));
    Files.createDirectories(tmp.resolve("schemas"));
    List<String> a = new java.util.ArrayList<>(List.of(
        "--classpathFile=" + tmp.resolve("cp.txt"), "--classesDir=" + tmp.resolve("classes"),
        "--schemaDir=" + tmp.resolve("schemas"), "--jarsDir=" + tmp));
    a.addAll(List.of(extra));
    return a.toArray(String[]::new);
  }

  @Test
  void sizesTakeThousandsAndMillions(@TempDir Path tmp) throws Exception {
    SuiteOptions o = SuiteOptions.parse(args(tmp, "--sizes=250k,1m,1500", "--contenders=baseline"));
    assertThat(o.sizes(), is(List.of(250_000, 1_000_000, 1500)));
  }

  @Test
  void quickModeIsOneSizeAndFullModeThree(@TempDir Path tmp) throws Exception {
    assertThat(SuiteOptions.parse(args(tmp, "--contenders=baseline")).sizes(), is(List.of(250_000)));
    assertThat(SuiteOptions.parse(args(tmp, "--mode=full", "--contenders=baseline")).sizes(),
        is(List.of(250_000, 1_000_000, 4_000_000)));
  }

  @Test
  void quickModeRunsTheRunnersTheBaselineAndNativeSparkAndFullModeEveryVariant(@TempDir Path tmp) throws Exception {
    for (String jar : List.of("beamline-direct.jar", "beamline-flink.jar", "beamline-spark.jar")) {
      Files.writeString(tmp.resolve(jar), "");
    }
    assertThat(SuiteOptions.parse(args(tmp)).contenders(),
        is(List.of("baseline", "native-spark", "direct", "flink", "spark")));
    assertThat(SuiteOptions.parse(args(tmp, "--mode=full")).contenders(), is(Contenders.NAMES));
  }

  @Test
  void fullModeRunsItsVariantsAtTheSmallestSizeUnlessContendersAreNamed(@TempDir Path tmp) throws Exception {
    for (String jar : List.of("beamline-direct.jar", "beamline-flink.jar", "beamline-spark.jar")) {
      Files.writeString(tmp.resolve(jar), "");
    }
    assertThat(SuiteOptions.parse(args(tmp, "--mode=full")).variantsAtSmallestSizeOnly(), is(true));
    assertThat(
        SuiteOptions.parse(args(tmp, "--mode=full", "--contenders=flink-nowrite")).variantsAtSmallestSizeOnly(),
        is(false));
    assertThat(SuiteOptions.parse(args(tmp)).variantsAtSmallestSizeOnly(), is(false));
  }

  @Test
  void anUnknownContenderIsNamed(@TempDir Path tmp) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> SuiteOptions.parse(args(tmp, "--contenders=flink,storm")));
    assertThat(e.getMessage(), containsString("--contenders: unknown contender storm"));
  }

  @Test
  void aMissingRunnerJarNamesJarsDir(@TempDir Path tmp) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> SuiteOptions.parse(args(tmp, "--contenders=flink")));
    assertThat(e.getMessage(), containsString("--jarsDir"));
    assertThat(e.getMessage(), containsString("beamline-flink.jar"));
  }

  @Test
  void badSizesAndModesAreNamed(@TempDir Path tmp) {
    assertThat(assertThrows(IllegalArgumentException.class, () -> SuiteOptions.parse(args(tmp, "--sizes=ten")))
        .getMessage(), containsString("--sizes"));
    assertThat(assertThrows(IllegalArgumentException.class, () -> SuiteOptions.parse(args(tmp, "--mode=slow")))
        .getMessage(), containsString("--mode"));
    assertThat(assertThrows(IllegalArgumentException.class, () -> SuiteOptions.parse(args(tmp, "--colour=red")))
        .getMessage(), containsString("--colour"));
  }
}
