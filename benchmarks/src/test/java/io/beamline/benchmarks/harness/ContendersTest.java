package io.beamline.benchmarks.harness;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class ContendersTest {
  /** What each contender runs, on placeholder paths: only the command's shape matters here. */
  private static List<String> command(Contender c) {
    Path p = Path.of("/nowhere");
    BenchmarkDataset data = new BenchmarkDataset(1, p, p, p, p, 1, null);
    return c.commandLine().of(new Contender.RunContext(data, p, "run", "java", "cp", p));
  }

  @Test
  void everyContenderRunningABeamlineJarIsJudgedByItsAuditRecord() {
    for (Contender c : Contenders.ALL) {
      boolean runsJar = command(c).contains("-jar");
      assertThat(c.name(), c.isBeamline(), is(runsJar));
    }
  }

  @Test
  void theCappedDirectContenderRunsTheDirectJarWithATwoGigabyteHeapThatEndsAtItsFirstOutOfMemory() {
    List<String> cmd = command(Contenders.named("direct-2g"));
    assertThat(
        cmd.subList(0, 5),
        is(List.of("java", "-Xmx2g", "-XX:+ExitOnOutOfMemoryError", "-jar", "/nowhere/beamline-direct.jar")));
  }
}
