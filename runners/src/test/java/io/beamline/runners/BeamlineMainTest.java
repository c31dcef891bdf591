package io.beamline.runners;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.arrayContaining;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class BeamlineMainTest {
  @Test
  void addsTheBundledRunnerWhenNoneIsGiven() {
    assertThat(
        BeamlineMain.withRunnerDefaults(new String[] {"etl", "--inputPath=x"}, "FlinkRunner"),
        arrayContaining("etl", "--inputPath=x", "--runner=FlinkRunner"));
  }

  @Test
  void keepsARunnerGivenOnTheCommandLine() {
    assertThat(
        BeamlineMain.withRunnerDefaults(new String[] {"etl", "--runner=SparkRunner", "--sparkMaster=x"}, "FlinkRunner"),
        arrayContaining("etl", "--runner=SparkRunner", "--sparkMaster=x"));
  }

  @Test
  void turnsTheDirectRunnersTestChecksOffUnlessAsked() {
    assertThat(
        BeamlineMain.withRunnerDefaults(new String[] {"etl", "--enforceImmutability=true"}, "DirectRunner"),
        arrayContaining(
            "etl", "--enforceImmutability=true", "--runner=DirectRunner", "--enforceEncodability=false"));
  }

  @Test
  void defaultsSparkToAllLocalCores() {
    assertThat(
        BeamlineMain.withRunnerDefaults(new String[] {"etl"}, "SparkRunner"),
        arrayContaining("etl", "--runner=SparkRunner", "--sparkMaster=local[*]"));
  }

  @Test
  void streamOnFlinkCheckpointsEveryTenSecondsUnlessAsked() {
    String storage = "--stateBackendStoragePath=" + BeamlineMain.FLINK_LOCAL_CHECKPOINTS.toUri();
    assertThat(
        BeamlineMain.withRunnerDefaults(new String[] {"stream"}, "FlinkRunner"),
        arrayContaining(
            "stream", "--runner=FlinkRunner", "--checkpointingInterval=10000", "--stateBackend=filesystem", storage));
    assertThat(
        BeamlineMain.withRunnerDefaults(
            new String[] {"stream", "--checkpointingInterval=500", "--stateBackend=rocksdb"}, "FlinkRunner"),
        arrayContaining("stream", "--checkpointingInterval=500", "--stateBackend=rocksdb", "--runner=FlinkRunner"));
    assertThat(
        BeamlineMain.withRunnerDefaults(new String[] {"etl"}, "FlinkRunner"),
        arrayContaining("etl", "--runner=FlinkRunner"));
  }

  @Test
  void streamOnARemoteFlinkKeepsTheClustersStateBackend() {
    assertThat(
        BeamlineMain.withRunnerDefaults(new String[] {"stream", "--flinkMaster=flink.example:8081"}, "FlinkRunner"),
        arrayContaining(
            "stream", "--flinkMaster=flink.example:8081", "--runner=FlinkRunner", "--checkpointingInterval=10000"));
    assertThat(BeamlineMain.flinkMasterOnThisMachine("127.0.0.1:8081"), is(true));
    assertThat(BeamlineMain.flinkMasterOnThisMachine("[local]"), is(true));
  }

  @Test
  void aSparkClusterCachesDatasetsCoderEncodedUnlessAsked() {
    assertThat(
        BeamlineMain.withRunnerDefaults(new String[] {"etl", "--sparkMaster=spark://h:7077"}, "SparkRunner"),
        arrayContaining(
            "etl", "--sparkMaster=spark://h:7077", "--runner=SparkRunner", "--storageLevel=MEMORY_AND_DISK"));
    assertThat(
        BeamlineMain.withRunnerDefaults(
            new String[] {"etl", "--sparkMaster=spark://h:7077", "--storageLevel=DISK_ONLY"}, "SparkRunner"),
        arrayContaining("etl", "--sparkMaster=spark://h:7077", "--storageLevel=DISK_ONLY", "--runner=SparkRunner"));
  }

  @Test
  void theSparkDriverStaysOnLoopbackForLocalAndLoopbackMastersOnly() {
    assertThat(BeamlineMain.sparkDriverStaysOnLoopback(new String[] {"etl", "--sparkMaster=local[*]"}), is(true));
    assertThat(
        BeamlineMain.sparkDriverStaysOnLoopback(new String[] {"etl", "--sparkMaster=spark://127.0.0.1:7077"}),
        is(true));
    assertThat(
        BeamlineMain.sparkDriverStaysOnLoopback(new String[] {"etl", "--sparkMaster=spark://10.0.0.5:7077"}),
        is(false));
  }

  @Test
  void keepsAGivenSparkMaster() {
    assertThat(
        BeamlineMain.withRunnerDefaults(new String[] {"etl", "--sparkMaster=local[2]"}, "SparkRunner"),
        arrayContaining("etl", "--sparkMaster=local[2]", "--runner=SparkRunner"));
  }

  @Test
  void embeddedFlinkGetsALoopbackConfiguration() {
    assertThat(BeamlineMain.needsLoopbackFlinkConf(new String[] {"etl", "--runner=FlinkRunner"}, null), is(true));
    assertThat(
        BeamlineMain.needsLoopbackFlinkConf(
            new String[] {"etl", "--runner=FlinkRunner", "--flinkMaster=[local]"}, null),
        is(true));
  }

  @Test
  void flinkClustersAndOwnConfigurationsAreLeftAlone() {
    assertThat(
        BeamlineMain.needsLoopbackFlinkConf(
            new String[] {"etl", "--runner=FlinkRunner", "--flinkMaster=host:8081"}, null),
        is(false));
    assertThat(
        BeamlineMain.needsLoopbackFlinkConf(
            new String[] {"etl", "--runner=FlinkRunner", "--flinkConfDir=/etc/flink"}, null),
        is(false));
    assertThat(BeamlineMain.needsLoopbackFlinkConf(new String[] {"etl", "--runner=FlinkRunner"}, "/etc/flink"), is(false));
    assertThat(BeamlineMain.needsLoopbackFlinkConf(new String[] {"etl", "--runner=SparkRunner"}, null), is(false));
  }

  @Test
  void aJobForAFlinkOrSparkClusterStagesTheJarItRunsFrom() {
    Path jar = Path.of("/opt/beamline-flink.jar");

    assertThat(
        List.of(BeamlineMain.withOwnJarStaged(new String[] {"etl", "--runner=FlinkRunner", "--flinkMaster=127.0.0.1:8081"}, jar)),
        hasItem("--filesToStage=/opt/beamline-flink.jar"));
    assertThat(
        List.of(BeamlineMain.withOwnJarStaged(new String[] {"etl", "--runner=SparkRunner", "--sparkMaster=spark://127.0.0.1:7077"}, jar)),
        hasItem("--filesToStage=/opt/beamline-flink.jar"));
  }

  @Test
  void embeddedRunnersAndAGivenFilesToStageStageNothingMore() {
    Path jar = Path.of("/opt/beamline.jar");
    String[][] untouched = {
      {"etl", "--runner=FlinkRunner", "--flinkMaster=[local]"},
      {"etl", "--runner=SparkRunner", "--sparkMaster=local[2]"},
      {"etl", "--runner=FlinkRunner", "--flinkMaster=127.0.0.1:8081", "--filesToStage=/x.jar"},
      {"etl", "--runner=DirectRunner"},
    };
    for (String[] args : untouched) {
      assertThat(List.of(BeamlineMain.withOwnJarStaged(args, jar)), equalTo(List.of(args)));
    }
  }

  @Test
  void leavesHelpAlone() {
    assertThat(BeamlineMain.withRunnerDefaults(new String[] {"help"}, "SparkRunner"), arrayContaining("help"));
  }
}
