package io.beamline.pipelines.etl;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.beamline.options.StreamOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;

/** Options of {@code stream} that fail before the pipeline starts, naming the option. */
class StreamingEtlPipelinePrepareTest {
  private static StreamOptions options(String... extra) {
    String[] args = new String[extra.length + 2];
    args[0] = "--topics=events";
    args[1] = "--bootstrapServers=127.0.0.1:1";
    System.arraycopy(extra, 0, args, 2, extra.length);
    return PipelineOptionsFactory.fromArgs(args).as(StreamOptions.class);
  }

  @Test
  void anInjectedFailureWithoutAMarkerFailsNamingTheMarkerOption() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> StreamingEtlPipeline.prepare(options("--injectFailureAfterRows=10")));

    assertThat(e.getMessage(), containsString("--injectFailureMarker"));
  }

  @Test
  void aNegativeInjectFailureAfterRowsFailsNamingIt() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> StreamingEtlPipeline.prepare(options("--injectFailureAfterRows=-1")));

    assertThat(e.getMessage(), containsString("--injectFailureAfterRows"));
  }
}
