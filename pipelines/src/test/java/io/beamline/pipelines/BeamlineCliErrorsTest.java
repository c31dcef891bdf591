package io.beamline.pipelines;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.beam.sdk.options.PipelineOptions;
import org.junit.jupiter.api.Test;

/** Errors past the command line's own checks end the command, and the JVM, with a code. */
class BeamlineCliErrorsTest {

  /** A command that runs out of memory, as a Direct run of a too large input does. */
  private static final class OutOfMemoryCommand implements BeamlineCli.Command {
    @Override
    public Class<? extends PipelineOptions> options() {
      return PipelineOptions.class;
    }

    @Override
    public String summary() {
      return "runs out of memory";
    }

    @Override
    public int run(PipelineOptions options, PrintStream out) {
      throw new OutOfMemoryError("Java heap space");
    }
  }

  @Test
  void aCommandOutOfMemoryFailsWithCodeOneNamingTheHeap() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code;
    try (PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      code = new BeamlineCli("oom", new OutOfMemoryCommand()).run(new String[] {"oom"}, System.out, e);
    }

    assertThat(code, is(BeamlineCli.FAILED));
    assertThat(err.toString(StandardCharsets.UTF_8), containsString("oom failed: out of memory (Java heap space)"));
    assertThat(err.toString(StandardCharsets.UTF_8), containsString("-Xmx"));
  }

  /** Run in a JVM of its own: a worker thread that never ends, then a command that dies. */
  public static final class DyingCommandWithWorkerThread {
    public static void main(String[] args) {
      Thread worker = new Thread(() -> {
        try {
          Thread.sleep(Long.MAX_VALUE);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
      worker.setDaemon(false);
      worker.start();
      BeamlineCli.exit(() -> {
        throw new StackOverflowError();
      });
    }
  }

  @Test
  void theJvmEndsWhenACommandDiesBesideALiveWorkerThread() throws Exception {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process p =
        new ProcessBuilder(
                List.of(
                    java.toString(),
                    "-cp",
                    System.getProperty("java.class.path"),
                    DyingCommandWithWorkerThread.class.getName()))
            .redirectErrorStream(true)
            .start();

    boolean ended = p.waitFor(60, TimeUnit.SECONDS);
    if (!ended) {
      p.destroyForcibly();
    }

    assertThat("the JVM ended", ended, is(true));
    assertThat(p.exitValue(), is(BeamlineCli.FAILED));
  }
}
