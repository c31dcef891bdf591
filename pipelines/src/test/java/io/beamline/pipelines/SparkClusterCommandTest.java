package io.beamline.pipelines;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code spark-cluster} from a classpath without Spark (this module's): it fails with a message
 * instead of starting processes. The cluster itself runs in the runners module's conformance test.
 */
class SparkClusterCommandTest {
  @Test
  void withoutSparkOnTheClasspathFailsNamingTheSparkJarAndStartsNothing(@TempDir Path tmp) {
    Path dir = tmp.resolve("cluster");
    BeamlineCliTest.Result r = BeamlineCliTest.cli("spark-cluster", "--sparkClusterDir=" + dir, "--sparkMasterPort=0");
    assertThat(r.code(), is(BeamlineCli.FAILED));
    assertThat(r.err(), containsString("Spark is not on this classpath"));
    assertThat(r.err(), containsString("beamline-spark.jar"));
    assertThat(Files.exists(dir.resolve("log")), is(false));
  }

  @Test
  void noWorkersExitsTwoNamingTheOption() {
    BeamlineCliTest.Result r = BeamlineCliTest.cli("spark-cluster", "--sparkWorkers=0");
    assertThat(r.code(), is(BeamlineCli.BAD_USAGE));
    assertThat(r.err(), containsString("--sparkWorkers must be at least 1"));
  }

  @Test
  void aWorkerMemoryThatIsNoSizeExitsTwoNamingTheOption() {
    BeamlineCliTest.Result r = BeamlineCliTest.cli("spark-cluster", "--sparkWorkerMemory=lots");
    assertThat(r.code(), is(BeamlineCli.BAD_USAGE));
    assertThat(r.err(), containsString("--sparkWorkerMemory must be a size such as 512m or 2g, not 'lots'"));
  }
}
