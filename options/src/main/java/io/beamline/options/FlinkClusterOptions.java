package io.beamline.options;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * Options of the {@code flink-cluster} command: a Flink session cluster of separate JVMs on
 * 127.0.0.1, to which {@code etl} and {@code stream} are submitted with {@code --flinkMaster}.
 */
public interface FlinkClusterOptions extends PipelineOptions {
  @Description("REST port of the JobManager on 127.0.0.1, what --flinkMaster names (0 picks a free port).")
  @Default.Integer(8081)
  int getFlinkRestPort();

  void setFlinkRestPort(int value);

  @Description("Number of TaskManager processes.")
  @Default.Integer(2)
  int getTaskManagers();

  void setTaskManagers(int value);

  @Description("Task slots of each TaskManager.")
  @Default.Integer(1)
  int getSlotsPerTaskManager();

  void setSlotsPerTaskManager(int value);

  @Description("Directory of the cluster's configuration and its processes' logs (created if missing).")
  @Default.String("target/flink-cluster")
  String getFlinkClusterDir();

  void setFlinkClusterDir(String value);
}
