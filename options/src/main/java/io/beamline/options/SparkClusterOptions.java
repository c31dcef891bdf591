package io.beamline.options;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * Options of the {@code spark-cluster} command: a Spark standalone cluster (a Master and Workers,
 * separate JVMs) on 127.0.0.1, to which {@code etl} is submitted with {@code --sparkMaster}.
 */
public interface SparkClusterOptions extends PipelineOptions {
  @Description("Port of the Spark Master on 127.0.0.1, what --sparkMaster=spark://127.0.0.1:<port> names (0 picks a free port).")
  @Default.Integer(7077)
  int getSparkMasterPort();

  void setSparkMasterPort(int value);

  @Description("Number of Spark Worker processes.")
  @Default.Integer(1)
  int getSparkWorkers();

  void setSparkWorkers(int value);

  @Description("Cores each Worker offers to executors.")
  @Default.Integer(2)
  int getSparkWorkerCores();

  void setSparkWorkerCores(int value);

  @Description("Memory each Worker offers to executors, as Spark writes sizes (512m, 2g).")
  @Default.String("2g")
  String getSparkWorkerMemory();

  void setSparkWorkerMemory(String value);

  @Description("Directory of the cluster's SPARK_HOME (jars, conf, work) and its processes' logs (created if missing).")
  @Default.String("target/spark-cluster")
  String getSparkClusterDir();

  void setSparkClusterDir(String value);
}
