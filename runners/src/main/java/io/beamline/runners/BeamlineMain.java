package io.beamline.runners;

import io.beamline.pipelines.BeamlineCli;
import io.beamline.pipelines.etl.BatchEtlPipeline;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;

/**
 * Entry point of the bundled jars. Each jar bundles one runner (chosen by the Maven profile that
 * built it) and defaults {@code --runner} to it; Spark also defaults to {@code local[*]}.
 */
public final class BeamlineMain {
  /** Checkpoint interval of {@code stream} on Flink when the command line sets none. */
  static final long DEFAULT_FLINK_CHECKPOINT_MILLIS = 10_000;

  /** Where {@code stream} on an embedded or loopback Flink keeps its checkpoints by default. */
  static final java.nio.file.Path FLINK_LOCAL_CHECKPOINTS =
      java.nio.file.Path.of(System.getProperty("java.io.tmpdir"), "beamline-flink-checkpoints");

  /** How Spark caches a dataset used twice when executors are separate JVMs: coder-encoded. */
  public static final String SPARK_CLUSTER_STORAGE_LEVEL = "MEMORY_AND_DISK";

  /**
   * From this much input up, an {@code etl} run on Spark gets shuffle partitions sized to its
   * input and a storage level that spills. Below it Spark's defaults were fastest (250k events,
   * 380 MB: 47 s, against 57 s and 73 s sized).
   */
  static final long SPARK_LARGE_INPUT_BYTES = 1L << 30;

  /** Input per shuffle partition of a large Spark run: 61 partitions for 1M events (1.5 GB). */
  static final long SPARK_INPUT_BYTES_PER_PARTITION = 24L << 20;

  /** More cost more than they saved: 4M events took 606 s with 242 partitions, 549 s with 64. */
  static final int MAX_SPARK_PARTITIONS = 64;

  /** How a large Spark run keeps the outputs Beam's Spark runner persists: spilled, encoded. */
  static final String SPARK_LARGE_INPUT_STORAGE_LEVEL = "MEMORY_AND_DISK_SER";

  static final String SPARK_DEFAULT_PARALLELISM = "spark.default.parallelism";

  private BeamlineMain() {}

  public static void main(String[] args) {
    String[] effective = withRunnerDefaults(args, bundledRunner());
    String[] unsized = effective;
    effective = withSparkSizedToInput(effective, System.getProperties());
    if (effective.length != unsized.length) {
      System.err.printf(
          "Spark: %s shuffle partitions and %s for this input (choose with -D%s=N or --storageLevel)%n",
          System.getProperty(SPARK_DEFAULT_PARALLELISM), effective[effective.length - 1], SPARK_DEFAULT_PARALLELISM);
    }
    if (sparkDriverStaysOnLoopback(effective)) {
      keepLocalSparkOnLoopback();
    }
    if (needsLoopbackFlinkConf(effective, System.getenv("FLINK_CONF_DIR"))) {
      effective = append(effective, "--flinkConfDir=" + writeLoopbackFlinkConf());
    }
    effective = withOwnJarStaged(effective, ownJar());
    String[] run = effective;
    BeamlineCli.exit(() -> new BeamlineCli().run(run, System.out, System.err));
  }

  /**
   * Whether the Spark driver of this run talks only to this machine: {@code local[...]}, or a
   * standalone master on loopback (the {@code spark-cluster} command's), whose executors reach
   * the driver on 127.0.0.1.
   */
  static boolean sparkDriverStaysOnLoopback(String[] args) {
    String master = optionValue(Arrays.asList(args), "sparkMaster");
    return master.startsWith("local")
        || master.startsWith("spark://127.0.0.1:")
        || master.startsWith("spark://localhost:");
  }

  /**
   * A local Spark driver binds to the host's first interface by default; keep it, and its web UI
   * (not needed for a batch run), off the network. SPARK_LOCAL_IP or -Dspark.* still win.
   */
  static void keepLocalSparkOnLoopback() {
    if (System.getenv("SPARK_LOCAL_IP") == null) {
      System.getProperties().putIfAbsent("spark.driver.bindAddress", "127.0.0.1");
      System.getProperties().putIfAbsent("spark.driver.host", "127.0.0.1");
    }
    System.getProperties().putIfAbsent("spark.ui.enabled", "false");
  }

  /**
   * Whether a Flink master runs its TaskManagers on this machine (embedded, or a session cluster
   * on loopback), where a local directory can hold the checkpoints every TaskManager reads.
   */
  static boolean flinkMasterOnThisMachine(String master) {
    return master.isEmpty()
        || master.startsWith("[")
        || master.startsWith("127.0.0.1:")
        || master.startsWith("localhost:");
  }

  /** Adds the bundled runner's defaults to a command line that does not set them. */
  static String[] withRunnerDefaults(String[] args, String runner) {
    if (args.length == 0 || args[0].equals("help") || args[0].startsWith("-")) {
      return args;
    }
    List<String> out = new ArrayList<>(Arrays.asList(args));
    if (!hasOption(args, "runner")) {
      out.add("--runner=" + runner);
    }
    String effective = optionValue(out, "runner");
    if (effective.endsWith("SparkRunner") && !hasOption(args, "sparkMaster")) {
      out.add("--sparkMaster=local[*]");
    }
    if (effective.endsWith("SparkRunner")
        && optionValue(out, "sparkMaster").startsWith("spark://")
        && !hasOption(args, "storageLevel")) {
      // Beam keeps a reused dataset as plain objects under MEMORY_ONLY, and an executor that
      // fetches it from another one gets them through Java serialization, which Beam's
      // WindowedValue does not support (NotSerializableException, lost executors, retries). Any
      // other level stores the dataset encoded with its Beam coder.
      out.add("--storageLevel=" + SPARK_CLUSTER_STORAGE_LEVEL);
    }
    if (effective.endsWith("FlinkRunner") && args[0].equals("stream") && !hasOption(args, "checkpointingInterval")) {
      // Without checkpoints Flink commits no Kafka offsets and cannot run the exactly-once sink.
      out.add("--checkpointingInterval=" + DEFAULT_FLINK_CHECKPOINT_MILLIS);
    }
    if (effective.endsWith("FlinkRunner")
        && args[0].equals("stream")
        && !hasOption(args, "stateBackend")
        && flinkMasterOnThisMachine(optionValue(out, "flinkMaster"))) {
      // Flink's default keeps checkpoints in the JobManager's memory, at most 5 MB of state: the
      // zones' buffered windows outgrow that at a few hundred events/s, and then every checkpoint
      // fails and the stream stalls (measured by the streaming benchmark).
      out.add("--stateBackend=filesystem");
      out.add("--stateBackendStoragePath=" + FLINK_LOCAL_CHECKPOINTS.toUri());
    }
    if (effective.endsWith("DirectRunner")) {
      // The Direct runner's per-bundle immutability and encodability checks are for tests of
      // new DoFns; Beamline's tests keep them on. Off here they save a fifth of a demo run.
      if (!hasOption(args, "enforceImmutability")) {
        out.add("--enforceImmutability=false");
      }
      if (!hasOption(args, "enforceEncodability")) {
        out.add("--enforceEncodability=false");
      }
    }
    return out.toArray(new String[0]);
  }

  /**
   * Sizes an {@code etl} run on Spark to a large local input (at least {@link
   * #SPARK_LARGE_INPUT_BYTES}) unless the command line or a {@code -Dspark.default.parallelism}
   * decided already: one shuffle partition per {@link #SPARK_INPUT_BYTES_PER_PARTITION} (set in
   * {@code sparkProperties}, which Spark reads when the runner creates its context) and {@link
   * #SPARK_LARGE_INPUT_STORAGE_LEVEL}. Beam's Spark runner persists the whole output of every stage
   * with a dead-letter output, at {@code --storageLevel}, and shuffles into one partition per core:
   * at 4M events (6 GB) no partition fitted the heap under {@code MEMORY_ONLY} and each such stage
   * ran twice (1,210 s; sized, 549 s). An input in S3 is not sized.
   */
  static String[] withSparkSizedToInput(String[] args, Properties sparkProperties) {
    List<String> list = Arrays.asList(args);
    if (args.length == 0
        || !args[0].equals("etl")
        || !optionValue(list, "runner").endsWith("SparkRunner")
        || hasOption(args, "storageLevel")
        || sparkProperties.containsKey(SPARK_DEFAULT_PARALLELISM)) {
      return args;
    }
    long bytes = BatchEtlPipeline.localInputBytes(optionValue(list, "inputPath"));
    if (bytes < SPARK_LARGE_INPUT_BYTES) {
      return args;
    }
    long partitions = (bytes + SPARK_INPUT_BYTES_PER_PARTITION - 1) / SPARK_INPUT_BYTES_PER_PARTITION;
    sparkProperties.setProperty(SPARK_DEFAULT_PARALLELISM, String.valueOf(Math.min(MAX_SPARK_PARTITIONS, partitions)));
    return append(args, "--storageLevel=" + SPARK_LARGE_INPUT_STORAGE_LEVEL);
  }

  /**
   * A job sent to a cluster (a remote {@code --flinkMaster}, a {@code spark://} master) ships this
   * jar, which holds every class it needs, unless {@code --filesToStage} says otherwise; the
   * runners would otherwise stage each classpath entry.
   */
  static String[] withOwnJarStaged(String[] args, Path jar) {
    List<String> list = Arrays.asList(args);
    String flinkMaster = optionValue(list, "flinkMaster");
    boolean remoteFlink =
        optionValue(list, "runner").endsWith("FlinkRunner")
            && !flinkMaster.isEmpty()
            && !flinkMaster.startsWith("[");
    boolean sparkCluster =
        optionValue(list, "runner").endsWith("SparkRunner")
            && optionValue(list, "sparkMaster").startsWith("spark://");
    if (jar == null || hasOption(args, "filesToStage") || !(remoteFlink || sparkCluster)) {
      return args;
    }
    return append(args, "--filesToStage=" + jar);
  }

  /** The jar this class was loaded from, or null when it runs from class folders. */
  private static Path ownJar() {
    try {
      Path location =
          Path.of(BeamlineMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      return location.toString().endsWith(".jar") ? location : null;
    } catch (java.net.URISyntaxException | SecurityException e) {
      return null;
    }
  }

  /** An embedded Flink cluster without a configuration of its own would listen on every interface. */
  static boolean needsLoopbackFlinkConf(String[] args, String flinkConfDirEnv) {
    List<String> list = Arrays.asList(args);
    String master = optionValue(list, "flinkMaster");
    return optionValue(list, "runner").endsWith("FlinkRunner")
        && (master.isEmpty() || master.equals("[local]") || master.equals("[auto]"))
        && !hasOption(args, "flinkConfDir")
        && flinkConfDirEnv == null;
  }

  private static String writeLoopbackFlinkConf() {
    try (InputStream in = BeamlineMain.class.getResourceAsStream("flink-loopback/flink-conf.yaml")) {
      Path dir = Files.createTempDirectory("beamline-flink-conf");
      Path file = dir.resolve("flink-conf.yaml");
      Files.copy(in, file);
      file.toFile().deleteOnExit();
      dir.toFile().deleteOnExit();
      return dir.toString();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the embedded Flink configuration", e);
    }
  }

  private static String[] append(String[] args, String arg) {
    String[] out = Arrays.copyOf(args, args.length + 1);
    out[args.length] = arg;
    return out;
  }

  static String bundledRunner() {
    Properties p = new Properties();
    try (InputStream in = BeamlineMain.class.getResourceAsStream("runner.properties")) {
      if (in == null) {
        return "DirectRunner";
      }
      p.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return p.getProperty("runner", "DirectRunner");
  }

  private static boolean hasOption(String[] args, String name) {
    return Arrays.stream(args).anyMatch(a -> a.startsWith("--" + name + "="));
  }

  private static String optionValue(List<String> args, String name) {
    return args.stream()
        .filter(a -> a.startsWith("--" + name + "="))
        .reduce((a, b) -> b)
        .map(a -> a.substring(name.length() + 3))
        .orElse("");
  }
}
