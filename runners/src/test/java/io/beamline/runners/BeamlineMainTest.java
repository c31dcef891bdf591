package io.beamline.runners;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.arrayContaining;

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
  void keepsAGivenSparkMaster() {
    assertThat(
        BeamlineMain.withRunnerDefaults(new String[] {"etl", "--sparkMaster=spark://h:7077"}, "SparkRunner"),
        arrayContaining("etl", "--sparkMaster=spark://h:7077", "--runner=SparkRunner"));
  }

  @Test
  void leavesHelpAlone() {
    assertThat(BeamlineMain.withRunnerDefaults(new String[] {"help"}, "SparkRunner"), arrayContaining("help"));
  }
}
