package io.beamline.runners;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import io.beamline.io.kafka.testing.KafkaBrokerExtension;
import io.beamline.options.StreamOptions;
import io.beamline.pipelines.etl.StreamingEtlPipeline;
import io.beamline.pipelines.generate.GeneratedSample;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.beam.sdk.PipelineResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * An endless stream on embedded Flink with checkpoints, writing the etl topic exactly once (Kafka
 * transactions committed as Flink checkpoints complete). The broker is stopped and started again
 * between two halves of the input, with transactions of the first half in flight; a read_committed
 * consumer still sees every row exactly once. Then the same across a task failure inside the
 * pipeline and Flink's restore from its last checkpoint.
 */
class StreamToKafkaOnFlinkTest {
  @RegisterExtension static KafkaBrokerExtension kafka = new KafkaBrokerExtension();

  @TempDir Path work;

  private EndlessStreamFixture stream() {
    return new EndlessStreamFixture(kafka, work);
  }

  @Test
  void everyRowOnceOnTheEtlTopicAcrossABrokerRestart() throws Exception {
    EndlessStreamFixture stream = stream();
    GeneratedSample sample = stream.sample("restart", 2);
    StreamOptions options = stream.options("restart", List.of("--runner=FlinkRunner"));

    PipelineResult job =
        StreamingEtlPipeline.build(options, StreamingEtlPipeline.prepare(options)).run();
    try {
      stream.send("restart", sample.files().get(0));
      long firstHalf = stream.waitForCommittedRows("restart", 1);
      kafka.broker().stop();
      kafka.broker().restart();
      long restartedAt = System.nanoTime();
      stream.send("restart", sample.files().get(1));
      stream.waitForCommittedRows("restart", EndlessStreamFixture.expectedRows(sample));
      System.out.printf(
          "EOS on Flink: %d rows committed before the broker restart, all %d rows %.1f s after it%n",
          firstHalf, EndlessStreamFixture.expectedRows(sample), (System.nanoTime() - restartedAt) / 1e9);
      // Two more checkpoints: a replay after the restore would show up by now.
      Thread.sleep(5_000);
    } finally {
      EndlessStreamFixture.cancelAndWait(job);
    }

    stream.assertTopicHoldsEveryRowOnce("restart", sample);
  }

  /**
   * A task fails inside the pipeline (an injected exception after 300 rows in one worker instance,
   * while the second half of the input streams in); Flink restarts the job from its last completed
   * checkpoint in the same JVM, and the etl topic still holds every row exactly once.
   */
  @Test
  void everyRowOnceOnTheEtlTopicAfterATaskFailureAndRestoreFromCheckpoint() throws Exception {
    EndlessStreamFixture stream = stream();
    GeneratedSample sample = stream.sample("failure", 2);
    Path marker = work.resolve("failure/injected-failure");
    StreamOptions options =
        stream.options(
            "failure",
            List.of("--runner=FlinkRunner"),
            "--injectFailureAfterRows=250",
            "--injectFailureMarker=" + marker);

    PipelineResult job =
        StreamingEtlPipeline.build(options, StreamingEtlPipeline.prepare(options)).run();
    long failedAt;
    try {
      stream.send("failure", sample.files().get(0));
      long firstHalf = stream.waitForCommittedRows("failure", 1);
      stream.send("failure", sample.files().get(1));
      failedAt = waitFor(marker);
      stream.waitForCommittedRows("failure", EndlessStreamFixture.expectedRows(sample));
      System.out.printf(
          "EOS on Flink: %d rows committed before the injected failure, all %d rows %.1f s after it%n",
          firstHalf, EndlessStreamFixture.expectedRows(sample), (System.nanoTime() - failedAt) / 1e9);
      Thread.sleep(5_000);
    } finally {
      EndlessStreamFixture.cancelAndWait(job);
    }

    assertThat("the job was set up again after the failure", Files.exists(Path.of(marker + ".recovered")), is(true));
    stream.assertTopicHoldsEveryRowOnce("failure", sample);
  }

  /** Waits for a file to appear; returns System.nanoTime() when it was seen. */
  private static long waitFor(Path file) throws InterruptedException {
    long deadline = System.nanoTime() + EndlessStreamFixture.TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (Files.exists(file)) {
        return System.nanoTime();
      }
      Thread.sleep(100);
    }
    throw new AssertionError("no injected failure (" + file + ") within " + EndlessStreamFixture.TIMEOUT);
  }
}
