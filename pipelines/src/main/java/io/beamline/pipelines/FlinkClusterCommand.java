package io.beamline.pipelines;

import io.beamline.options.FlinkClusterOptions;
import io.beamline.pipelines.cluster.FlinkSessionCluster;
import java.io.PrintStream;
import java.nio.file.Path;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * {@code flink-cluster}: a Flink session cluster (a JobManager and TaskManagers, each its own JVM)
 * on 127.0.0.1 until Ctrl-C, started from the Flink jar itself.
 */
final class FlinkClusterCommand implements BeamlineCli.Command {
  /** Printed once every TaskManager has registered; scripts and tests wait for it. */
  static final String READY = "Flink session cluster running, --flinkMaster=";

  @Override
  public Class<? extends PipelineOptions> options() {
    return FlinkClusterOptions.class;
  }

  @Override
  public String summary() {
    return "A Flink session cluster on 127.0.0.1 (JobManager + TaskManager processes; Flink jar only), until Ctrl-C.";
  }

  @Override
  public int run(PipelineOptions options, PrintStream out) throws Exception {
    FlinkClusterOptions o = options.as(FlinkClusterOptions.class);
    FlinkSessionCluster.Builder builder =
        FlinkSessionCluster.builder()
            .dir(Path.of(o.getFlinkClusterDir()).toAbsolutePath())
            .restPort(o.getFlinkRestPort())
            .taskManagers(o.getTaskManagers())
            .slotsPerTaskManager(o.getSlotsPerTaskManager());
    FlinkSessionCluster cluster = builder.start();
    return ServeUntilStopped.serve(
        "flink-cluster",
        cluster::close,
        () -> {
          out.println("Logs in " + cluster.dir().resolve("log"));
          out.println(READY + cluster.master());
          out.println("Ctrl-C to stop");
          out.flush();
        });
  }
}
