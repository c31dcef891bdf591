package io.beamline.benchmarks.harness;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MeasuredRunTest {
  @Test
  void parsesGnuTimeFiguresIntoSecondsAndBytes() {
    MeasuredRun.Usage u =
        MeasuredRun.parse(List.of("Command exited with non-zero status 3", "BENCHMARK_TIME 3 12.50 20.25 1.75 204800"), 3);
    assertThat(u.exitCode(), is(3));
    assertThat(u.wallSeconds(), is(12.5));
    assertThat(u.cpuSeconds(), is(22.0));
    assertThat(u.peakRssBytes(), is(204800L * 1024));
  }

  @Test
  void measuresARealProcessAndKeepsItsExitCodeAndOutput(@TempDir Path tmp) throws Exception {
    assumeTrue(Files.isExecutable(MeasuredRun.GNU_TIME), "GNU time is not installed");
    Path log = tmp.resolve("run.log");
    MeasuredRun.Usage u = MeasuredRun.run(List.of("sh", "-c", "echo hello; sleep 0.3; exit 5"), log, 30);
    assertThat(u.exitCode(), is(5));
    assertThat(u.wallSeconds(), greaterThan(0.2));
    assertThat(u.peakRssBytes(), greaterThan(0L));
    assertThat(Files.readAllLines(log).get(0), is("hello"));
  }

  @Test
  void killsAProcessThatOutlivesItsTimeout(@TempDir Path tmp) throws Exception {
    assumeTrue(Files.isExecutable(MeasuredRun.GNU_TIME), "GNU time is not installed");
    long started = System.nanoTime();
    MeasuredRun.Usage u = MeasuredRun.run(List.of("sleep", "60"), tmp.resolve("run.log"), 1);
    assertThat(u.exitCode(), is(-1));
    assertThat((System.nanoTime() - started) / 1e9, lessThan(30.0));
  }
}
