package io.beamline.transforms;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.beamline.transforms.testing.TestPipelineExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.PCollection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(TestPipelineExtension.class)
class FailOnceAfterElementsTest {
  @TempDir Path dir;

  private static final List<Integer> TEN = IntStream.range(0, 10).boxed().collect(Collectors.toList());

  @Test
  void failsOnceAfterTheGivenNumberOfElementsAndLeavesTheMarker() throws InterruptedException {
    Path marker = dir.resolve("failed");
    Pipeline p = Pipeline.create(PipelineOptionsFactory.create());
    p.apply(Create.of(TEN)).apply(FailOnceAfterElements.of(2, marker.toString()));

    Pipeline.PipelineExecutionException e =
        assertThrows(Pipeline.PipelineExecutionException.class, () -> p.run().waitUntilFinish());

    assertThat(e.getMessage(), containsString("Injected failure after 2 elements"));
    assertThat(Files.exists(marker), is(true));
    awaitDirectRunnerWorkersEnd();
  }

  @Test
  void onceTheMarkerExistsEveryElementPassesAndTheRecoveryIsRecorded(TestPipeline p) throws Exception {
    Path marker = Files.createFile(dir.resolve("failed"));

    PCollection<Integer> out = p.apply(Create.of(TEN)).apply(FailOnceAfterElements.of(5, marker.toString()));

    PAssert.that(out).containsInAnyOrder(TEN);
    p.run().waitUntilFinish();
    assertThat(Files.exists(dir.resolve("failed.recovered")), is(true));
  }

  /**
   * The Direct runner reports a failure while its other workers may still set up instances, which
   * write {@code failed.recovered} beside the marker: wait for them, or the temporary folder can
   * gain a file while JUnit deletes it (seen once in CI).
   */
  private static void awaitDirectRunnerWorkersEnd() throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline
        && Thread.getAllStackTraces().keySet().stream()
            .anyMatch(t -> t.isAlive() && t.getName().startsWith("direct-runner-worker"))) {
      Thread.sleep(20);
    }
  }

  @Test
  void withoutAMarkerFileItFailsFastNamingTheOption() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> FailOnceAfterElements.of(5, " "));

    assertThat(e.getMessage(), containsString("--injectFailureMarker"));
  }
}
