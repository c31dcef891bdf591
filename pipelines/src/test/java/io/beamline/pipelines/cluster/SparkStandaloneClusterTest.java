package io.beamline.pipelines.cluster;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.is;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The parts of {@link SparkStandaloneCluster} that need no Spark: its classpath and Master JSON. */
class SparkStandaloneClusterTest {
  @Test
  void aManifestOnlyJarOnTheClasspathStandsForTheEntriesItsClassPathNames(@TempDir Path tmp)
      throws IOException {
    Path lib = Files.createDirectories(tmp.resolve("lib"));
    Path a = Files.writeString(lib.resolve("a.jar"), "not read");
    Path classes = Files.createDirectories(tmp.resolve("classes"));
    Path booter = tmp.resolve("booter.jar");
    // Surefire's booter jar: absolute file: URLs; a relative one resolves against the jar.
    writeManifestOnlyJar(booter, "lib/a.jar " + classes.toUri());
    Path other = Files.createDirectories(tmp.resolve("other"));

    assertThat(
        SparkStandaloneCluster.classpathEntries(booter + File.pathSeparator + other),
        contains(booter, a, classes, other));
  }

  @Test
  void onlyWorkersTheMasterReportsAliveCount() {
    String json =
        "{\"url\":\"spark://127.0.0.1:7077\",\"status\":\"ALIVE\",\"workers\":["
            + "{\"id\":\"w1\",\"state\":\"ALIVE\"},{\"id\":\"w2\",\"state\":\"DEAD\"},"
            + "{\"id\":\"w3\",\"state\":\"ALIVE\"}],\"activeapps\":[],\"completedapps\":[]}";
    assertThat(SparkStandaloneCluster.aliveWorkers(json), is(2));
  }

  private static void writeManifestOnlyJar(Path jar, String classPath) throws IOException {
    Manifest manifest = new Manifest();
    manifest.getMainAttributes().putValue("Manifest-Version", "1.0");
    manifest.getMainAttributes().putValue("Class-Path", classPath);
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), manifest)) {
      // The manifest is the whole content.
    }
  }
}
