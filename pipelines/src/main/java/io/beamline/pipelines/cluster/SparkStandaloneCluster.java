package io.beamline.pipelines.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import io.beamline.transforms.Json;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A real Spark standalone cluster on 127.0.0.1: one Master and N Workers, each a JVM process of
 * its own, started from the classpath this JVM runs on (the Spark bundled jar, or a test
 * classpath). That classpath also becomes the cluster's {@code SPARK_HOME/jars}, so the executors
 * the Workers start run the same (aligned) Jackson, Avro and Beam as the driver. Jobs are submitted
 * to {@link #master()} with {@code --sparkMaster}; the driver runs in the submitting JVM.
 */
public final class SparkStandaloneCluster implements AutoCloseable {
  static final String MASTER_MAIN = "org.apache.spark.deploy.master.Master";
  static final String WORKER_MAIN = "org.apache.spark.deploy.worker.Worker";
  private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
  private static final Pattern MEMORY = Pattern.compile("[1-9][0-9]*[mMgG]");

  private final Path dir;
  private final int masterPort;
  private final int masterWebUiPort;
  private final int coresPerWorker;
  private final String memoryPerWorker;
  private final String classpath;
  private final ClusterProcesses processes;
  private final List<Process> workers = new ArrayList<>();
  private Map<String, String> environment;
  private Process masterProcess;

  private SparkStandaloneCluster(Builder b) {
    this.dir = b.dir.toAbsolutePath();
    this.masterPort = b.masterPort == 0 ? ClusterProcesses.freePort() : b.masterPort;
    this.masterWebUiPort = ClusterProcesses.freePort();
    this.coresPerWorker = b.coresPerWorker;
    this.memoryPerWorker = b.memoryPerWorker;
    this.classpath = b.classpath;
    this.processes = new ClusterProcesses(dir.resolve("log"));
  }

  public static Builder builder() {
    return new Builder();
  }

  /** What {@code --sparkMaster} takes. */
  public String master() {
    return "spark://127.0.0.1:" + masterPort;
  }

  /** The Master's web UI; its state as JSON is under {@code /json/}. */
  public String masterWebUi() {
    return "http://127.0.0.1:" + masterWebUiPort;
  }

  /** Where the cluster keeps its SPARK_HOME (jars, conf, work) and its processes' logs. */
  public Path dir() {
    return dir;
  }

  private SparkStandaloneCluster start(int workerCount) throws IOException {
    if (!ClusterProcesses.onClasspath(MASTER_MAIN)) {
      throw new IllegalStateException(
          "Spark is not on this classpath: start the cluster from the Spark jar (beamline-spark.jar)");
    }
    environment = sparkHome(classpathEntries(classpath));
    try {
      masterProcess =
          processes.start(
              "master",
              classpath,
              List.of("-Xmx512m"),
              MASTER_MAIN,
              List.of(
                  "--host", "127.0.0.1",
                  "--port", String.valueOf(masterPort),
                  "--webui-port", String.valueOf(masterWebUiPort)),
              environment);
      processes.awaitHttp(
          masterWebUi() + "/json/",
          body -> readJson(body).path("status").asText().equals("ALIVE"),
          START_TIMEOUT);
      for (int i = 0; i < workerCount; i++) {
        startWorker();
      }
      awaitWorkers(workerCount);
    } catch (RuntimeException | IOException e) {
      close();
      throw e;
    }
    return this;
  }

  /** Starts one more Worker process; returns once it runs (not yet registered). */
  public synchronized void startWorker() throws IOException {
    String name = "worker-" + (workers.size() + 1);
    Path workDir = dir.resolve("work").resolve(name);
    Files.createDirectories(workDir);
    workers.add(
        processes.start(
            name,
            classpath,
            // Every job copies its staged jar (370 MB for the Spark bundle) into each executor's
            // work folder: delete those of finished jobs after an hour.
            List.of(
                "-Xmx512m",
                "-Dspark.worker.cleanup.enabled=true",
                "-Dspark.worker.cleanup.interval=600",
                "-Dspark.worker.cleanup.appDataTtl=3600"),
            WORKER_MAIN,
            List.of(
                "--host", "127.0.0.1",
                "--port", "0",
                "--webui-port", String.valueOf(ClusterProcesses.freePort()),
                "--cores", String.valueOf(coresPerWorker),
                "--memory", memoryPerWorker,
                "--work-dir", workDir.toString(),
                master()),
            environment));
  }

  /** Waits until the Master counts {@code count} ALIVE workers. */
  public void awaitWorkers(int count) {
    processes.awaitHttp(masterWebUi() + "/json/", body -> aliveWorkers(body) == count, START_TIMEOUT);
  }

  /** The workers the Master reports ALIVE now. */
  public int aliveWorkers() {
    return aliveWorkers(processes.httpGet(masterWebUi() + "/json/"));
  }

  /** The applications (drivers) the Master has registered so far, running or finished. */
  public int applicationsSubmitted() {
    JsonNode state = readJson(processes.httpGet(masterWebUi() + "/json/"));
    return state.path("activeapps").size() + state.path("completedapps").size();
  }

  static int aliveWorkers(String masterJson) {
    int alive = 0;
    for (JsonNode worker : readJson(masterJson).path("workers")) {
      if (worker.path("state").asText().equals("ALIVE")) {
        alive++;
      }
    }
    return alive;
  }

  private static JsonNode readJson(String body) {
    try {
      return Json.MAPPER.readTree(body);
    } catch (IOException e) {
      throw new UncheckedIOException("the Spark Master answered no JSON: " + body, e);
    }
  }

  /**
   * Lays out {@code dir} as a SPARK_HOME: every jar of the classpath linked into {@code jars/}
   * (Workers build their executors' classpath from it), class folders (a test classpath) in
   * {@code SPARK_DIST_CLASSPATH}. Returns the environment of the Master and Workers, which binds
   * them, their web UIs and their executors to 127.0.0.1.
   */
  private Map<String, String> sparkHome(List<Path> entries) throws IOException {
    Path jars = dir.resolve("jars");
    if (Files.isDirectory(jars)) {
      try (Stream<Path> old = Files.list(jars)) {
        for (Path link : old.collect(Collectors.toList())) {
          Files.delete(link);
        }
      }
    }
    Files.createDirectories(jars);
    Files.createDirectories(dir.resolve("conf"));
    List<String> folders = new ArrayList<>();
    int n = 0;
    for (Path entry : entries) {
      if (Files.isDirectory(entry)) {
        folders.add(entry.toString());
      } else if (Files.isRegularFile(entry)) {
        // Numbered: two jars of the classpath may share a file name.
        Files.createSymbolicLink(
            jars.resolve(String.format("%04d-%s", n++, entry.getFileName())), entry);
      }
    }
    Map<String, String> env = new LinkedHashMap<>();
    env.put("SPARK_HOME", dir.toString());
    env.put("SPARK_CONF_DIR", dir.resolve("conf").toString());
    env.put("SPARK_SCALA_VERSION", "2.12");
    env.put("SPARK_LOCAL_IP", "127.0.0.1");
    env.put("SPARK_LOCAL_HOSTNAME", "127.0.0.1");
    env.put("JAVA_HOME", System.getProperty("java.home"));
    env.put("SPARK_DIST_CLASSPATH", String.join(File.pathSeparator, folders));
    return env;
  }

  /**
   * The entries of a classpath, with the {@code Class-Path} of its jars' manifests followed: under
   * Surefire the classpath can be one manifest-only jar that names all the others.
   */
  static List<Path> classpathEntries(String classpath) {
    Set<Path> out = new LinkedHashSet<>();
    for (String entry : classpath.split(Pattern.quote(File.pathSeparator))) {
      if (entry.isEmpty()) {
        continue;
      }
      if (entry.endsWith("*")) {
        try (Stream<Path> jars = Files.list(Path.of(entry.substring(0, entry.length() - 1)))) {
          jars.filter(p -> p.toString().endsWith(".jar"))
              .sorted(Comparator.naturalOrder())
              .forEach(p -> addWithManifestClassPath(p.toAbsolutePath(), out));
        } catch (IOException e) {
          // A wildcard over a missing folder adds nothing, as for the JVM.
        }
      } else {
        addWithManifestClassPath(Path.of(entry).toAbsolutePath(), out);
      }
    }
    return new ArrayList<>(out);
  }

  private static void addWithManifestClassPath(Path entry, Set<Path> out) {
    if (!out.add(entry) || !Files.isRegularFile(entry)) {
      return;
    }
    String classPath;
    try (JarFile jar = new JarFile(entry.toFile())) {
      Manifest manifest = jar.getManifest();
      classPath = manifest == null ? null : manifest.getMainAttributes().getValue("Class-Path");
    } catch (IOException notAJar) {
      return;
    }
    if (classPath == null) {
      return;
    }
    URI base = entry.toUri();
    for (String ref : classPath.trim().split("\\s+")) {
      if (!ref.isEmpty()) {
        addWithManifestClassPath(Path.of(base.resolve(ref)), out);
      }
    }
  }

  /** Stops every process of the cluster (Workers first, which stop their executors). */
  @Override
  public synchronized void close() {
    workers.forEach(ClusterProcesses::stop);
    if (masterProcess != null) {
      ClusterProcesses.stop(masterProcess);
    }
  }

  public static final class Builder {
    private Path dir;
    private int masterPort;
    private int workers = 1;
    private int coresPerWorker = 2;
    private String memoryPerWorker = "2g";
    private String classpath = System.getProperty("java.class.path");

    /** SPARK_HOME (jars, conf, work) and logs go here. */
    public Builder dir(Path value) {
      this.dir = value;
      return this;
    }

    /** The Master's port; 0 (the default) picks a free one. */
    public Builder masterPort(int value) {
      if (value < 0 || value > 65535) {
        throw new IllegalArgumentException("--sparkMasterPort must be between 0 and 65535, not " + value);
      }
      this.masterPort = value;
      return this;
    }

    public Builder workers(int value) {
      if (value < 1) {
        throw new IllegalArgumentException("--sparkWorkers must be at least 1, not " + value);
      }
      this.workers = value;
      return this;
    }

    public Builder coresPerWorker(int value) {
      if (value < 1) {
        throw new IllegalArgumentException("--sparkWorkerCores must be at least 1, not " + value);
      }
      this.coresPerWorker = value;
      return this;
    }

    /** Memory each Worker offers its executors, as Spark writes it: {@code 512m}, {@code 2g}. */
    public Builder memoryPerWorker(String value) {
      if (value == null || !MEMORY.matcher(value).matches()) {
        throw new IllegalArgumentException(
            "--sparkWorkerMemory must be a size such as 512m or 2g, not '" + value + "'");
      }
      this.memoryPerWorker = value;
      return this;
    }

    /** The classpath of the cluster's JVMs and executors; by default this JVM's. */
    public Builder classpath(String value) {
      this.classpath = value;
      return this;
    }

    /** Starts the Master and the Workers; returns once the Master reports every Worker ALIVE. */
    public SparkStandaloneCluster start() {
      if (dir == null) {
        throw new IllegalArgumentException("the cluster needs a directory (--sparkClusterDir)");
      }
      try {
        return new SparkStandaloneCluster(this).start(workers);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot start the Spark cluster in " + dir, e);
      }
    }
  }
}
