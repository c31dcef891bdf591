package io.beamline.pipelines;

import io.beamline.options.SparkClusterOptions;
import io.beamline.pipelines.cluster.SparkStandaloneCluster;
import java.io.PrintStream;
import java.nio.file.Path;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * {@code spark-cluster}: a Spark standalone cluster (a Master and Workers, each its own JVM) on
 * 127.0.0.1 until Ctrl-C, started from the Spark jar itself.
 */
final class SparkClusterCommand implements BeamlineCli.Command {
  /** Printed once every Worker is ALIVE; scripts and tests wait for it. */
  static final String READY = "Spark standalone cluster running, --sparkMaster=";

  @Override
  public Class<? extends PipelineOptions> options() {
    return SparkClusterOptions.class;
  }

  @Override
  public String summary() {
    return "A Spark standalone cluster on 127.0.0.1 (Master + Worker processes; Spark jar only), until Ctrl-C.";
  }

  @Override
  public int run(PipelineOptions options, PrintStream out) throws Exception {
    SparkClusterOptions o = options.as(SparkClusterOptions.class);
    SparkStandaloneCluster.Builder builder =
        SparkStandaloneCluster.builder()
            .dir(Path.of(o.getSparkClusterDir()).toAbsolutePath())
            .masterPort(o.getSparkMasterPort())
            .workers(o.getSparkWorkers())
            .coresPerWorker(o.getSparkWorkerCores())
            .memoryPerWorker(o.getSparkWorkerMemory());
    SparkStandaloneCluster cluster = builder.start();
    return ServeUntilStopped.serve(
        "spark-cluster",
        cluster::close,
        () -> {
          out.println("Logs in " + cluster.dir().resolve("log") + ", Master UI " + cluster.masterWebUi());
          out.println(READY + cluster.master());
          out.println("Ctrl-C to stop");
          out.flush();
        });
  }
}
