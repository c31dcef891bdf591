package io.beamline.runners.cluster.testing;

import io.beamline.pipelines.cluster.SparkStandaloneCluster;
import io.beamline.runners.BeamlineMain;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.apache.spark.SparkContext;
import org.apache.spark.SparkContext$;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A Spark standalone cluster of separate JVMs for a test class, started on first use from the test
 * classpath (so its executors already hold Beamline's classes) and stopped after the class. Jobs
 * submitted to it stage {@link #stagedJar()}, an empty jar: nothing needs uploading. The driver
 * runs in the test JVM, on 127.0.0.1 (Surefire sets {@code spark.driver.host}).
 *
 * <p>Beam's Spark test mode ({@code beam.spark.test.reuseSparkContext}) keeps one SparkContext for
 * every pipeline of the JVM and refuses one for another master, so a test that uses this cluster
 * stops that context before it runs and after it ran, and {@code local[n]} tests keep working.
 */
public final class SparkStandaloneClusterExtension implements AfterEachCallback, AfterAllCallback {
  private final int workers;
  private SparkStandaloneCluster cluster;
  private boolean usedByThisTest;

  public SparkStandaloneClusterExtension(int workers) {
    this.workers = workers;
  }

  public synchronized SparkStandaloneCluster cluster() {
    if (cluster == null) {
      try {
        Path dir = Files.createTempDirectory("beamline-spark-cluster");
        // Two executors of 1g each fit the machine; Spark's default would take the whole worker.
        cluster =
            SparkStandaloneCluster.builder()
                .dir(dir)
                .workers(workers)
                .coresPerWorker(1)
                .memoryPerWorker("1g")
                .start();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return cluster;
  }

  /** The options that send a Beam job to this cluster (a driver in this JVM). */
  public synchronized String[] runnerArgs() {
    SparkStandaloneCluster c = cluster();
    stopDriverContext();
    usedByThisTest = true;
    return new String[] {
      "--runner=SparkRunner",
      "--sparkMaster=" + c.master(),
      "--filesToStage=" + stagedJar(),
      // What the bundled jars default to for a spark:// master (see BeamlineMain).
      "--storageLevel=" + BeamlineMain.SPARK_CLUSTER_STORAGE_LEVEL,
    };
  }

  /** An empty jar to stage with jobs: the executors' classpath has every class already. */
  public synchronized Path stagedJar() {
    Path jar = cluster().dir().resolve("staged.jar");
    if (!Files.exists(jar)) {
      Manifest manifest = new Manifest();
      manifest.getMainAttributes().putValue("Manifest-Version", "1.0");
      try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), manifest)) {
        // The manifest is the whole content.
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return jar;
  }

  private static void stopDriverContext() {
    scala.Option<SparkContext> active = SparkContext$.MODULE$.getActive();
    if (active.isDefined()) {
      active.get().stop();
    }
  }

  @Override
  public synchronized void afterEach(ExtensionContext context) {
    if (usedByThisTest) {
      stopDriverContext();
      usedByThisTest = false;
    }
  }

  @Override
  public synchronized void afterAll(ExtensionContext context) {
    if (cluster != null) {
      cluster.close();
      cluster = null;
    }
  }
}
