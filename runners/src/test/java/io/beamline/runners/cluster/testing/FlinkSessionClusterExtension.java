package io.beamline.runners.cluster.testing;

import io.beamline.pipelines.cluster.FlinkSessionCluster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A Flink session cluster of separate JVMs for a test class, started on first use from the test
 * classpath (so its TaskManagers already hold Beamline's classes) and stopped after the class.
 * Jobs submitted to it stage {@link #stagedJar()}, an empty jar: nothing needs uploading. Its
 * folder (configuration and the processes' logs) is deleted afterwards unless a test failed.
 */
public final class FlinkSessionClusterExtension implements AfterAllCallback, AfterEachCallback {
  private final int taskManagers;
  private FlinkSessionCluster cluster;
  private Path dir;
  private boolean aTestFailed;

  public FlinkSessionClusterExtension(int taskManagers) {
    this.taskManagers = taskManagers;
  }

  public synchronized FlinkSessionCluster cluster() {
    if (cluster == null) {
      try {
        dir = Files.createTempDirectory("beamline-flink-cluster");
        cluster = FlinkSessionCluster.builder().dir(dir).taskManagers(taskManagers).start();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return cluster;
  }

  /** The options that send a Beam job to this cluster. */
  public String[] runnerArgs() {
    return new String[] {
      "--runner=FlinkRunner",
      "--flinkMaster=" + cluster().master(),
      "--filesToStage=" + stagedJar(),
    };
  }

  /** An empty jar to stage with jobs: the cluster's classpath has every class already. */
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

  @Override
  public synchronized void afterEach(ExtensionContext context) {
    aTestFailed |= context.getExecutionException().isPresent();
  }

  @Override
  public synchronized void afterAll(ExtensionContext context) {
    if (cluster != null) {
      cluster.close();
      cluster = null;
    }
    if (dir == null) {
      return;
    }
    if (aTestFailed || context.getExecutionException().isPresent()) {
      System.err.println("Flink session cluster logs kept for the failure: " + dir.resolve("log"));
      return;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path f : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(f);
      }
    } catch (IOException e) {
      System.err.println("could not delete " + dir + ": " + e);
    }
  }
}
