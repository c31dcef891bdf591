package io.beamline.runners;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.arrayContaining;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
            "stream", "--runner=FlinkRunner", "--checkpointingInterval=10000",
            "--stateBackend=filesystem", storage));
    assertThat(
        BeamlineMain.withRunnerDefaults(
            new String[] {"stream", "--checkpointingInterval=500", "--stateBackend=rocksdb"}, "FlinkRunner"),
        arrayContaining(
            "stream", "--checkpointingInterval=500", "--stateBackend=rocksdb", "--runner=FlinkRunner"));
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

  /** A file of {@code bytes} that takes no disk space. */
  private static Path sparseFile(Path file, long bytes) throws java.io.IOException {
    try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(file.toFile(), "rw")) {
      f.setLength(bytes);
    }
    return file;
  }

  @Test
  void sizesSparkPartitionsToALargeLocalInputAndSpills(@TempDir Path dir) throws Exception {
    sparseFile(dir.resolve("a.jsonl"), 1_000_000_000L);
    sparseFile(dir.resolve("b.jsonl"), 518_466_021L);
    java.util.Properties spark = new java.util.Properties();

    String[] args =
        BeamlineMain.withSparkSizedToInput(
            new String[] {"etl", "--inputPath=" + dir, "--runner=SparkRunner"}, spark);

    assertThat(args, arrayContaining("etl", "--inputPath=" + dir, "--runner=SparkRunner", "--storageLevel=MEMORY_AND_DISK_SER"));
    assertThat(spark.getProperty("spark.default.parallelism"), is("61"));
  }

  @Test
  void givesALargerInputAtMost64SparkPartitions(@TempDir Path dir) throws Exception {
    sparseFile(dir.resolve("a.jsonl"), 6_078_483_717L);
    java.util.Properties spark = new java.util.Properties();

    BeamlineMain.withSparkSizedToInput(new String[] {"etl", "--inputPath=" + dir, "--runner=SparkRunner"}, spark);

    assertThat(spark.getProperty("spark.default.parallelism"), is("64"));
  }

  @Test
  void leavesSparkDefaultsForAnInputBelowOneGigabyte(@TempDir Path dir) throws Exception {
    sparseFile(dir.resolve("a.jsonl"), 380L << 20);
    java.util.Properties spark = new java.util.Properties();
    String[] given = {"etl", "--inputPath=" + dir, "--runner=SparkRunner"};

    assertThat(BeamlineMain.withSparkSizedToInput(given, spark), arrayContaining(given));
    assertThat(spark.isEmpty(), is(true));
  }

  @Test
  void aStorageLevelOrParallelismGivenByTheUserWins(@TempDir Path dir) throws Exception {
    sparseFile(dir.resolve("a.jsonl"), 4L << 30);
    String[] withLevel = {"etl", "--inputPath=" + dir, "--runner=SparkRunner", "--storageLevel=MEMORY_ONLY"};
    java.util.Properties spark = new java.util.Properties();
    assertThat(BeamlineMain.withSparkSizedToInput(withLevel, spark), arrayContaining(withLevel));
    assertThat(spark.isEmpty(), is(true));

    String[] plain = {"etl", "--inputPath=" + dir, "--runner=SparkRunner"};
    spark.setProperty("spark.default.parallelism", "8");
    assertThat(BeamlineMain.withSparkSizedToInput(plain, spark), arrayContaining(plain));
    assertThat(spark.getProperty("spark.default.parallelism"), is("8"));
  }

  @Test
  void otherRunnersAreNotSized(@TempDir Path dir) throws Exception {
    sparseFile(dir.resolve("a.jsonl"), 4L << 30);
    String[] flink = {"etl", "--inputPath=" + dir, "--runner=FlinkRunner"};
    java.util.Properties spark = new java.util.Properties();

    assertThat(BeamlineMain.withSparkSizedToInput(flink, spark), arrayContaining(flink));
    assertThat(spark.isEmpty(), is(true));
  }
}
