package io.beamline.pipelines.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import io.beamline.transforms.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A real Flink session cluster on 127.0.0.1: one JobManager and N TaskManagers, each a JVM process
 * of its own, started from the classpath this JVM runs on (the Flink bundled jar, or a test
 * classpath), with Flink's own entry points and a generated configuration. Jobs are submitted to
 * {@link #master()} with {@code --flinkMaster}. TaskManagers can be killed with SIGKILL and new
 * ones started, to test recovery.
 */
public final class FlinkSessionCluster implements AutoCloseable {
  static final String JOB_MANAGER_MAIN =
      "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint";
  static final String TASK_MANAGER_MAIN = "org.apache.flink.runtime.taskexecutor.TaskManagerRunner";
  private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

  private final Path dir;
  private final int restPort;
  private final int slotsPerTaskManager;
  private final String classpath;
  private final ClusterProcesses processes;
  private final List<Process> taskManagers = new ArrayList<>();
  private Process jobManager;
  private int taskManagersStarted;

  private FlinkSessionCluster(Builder b) {
    this.dir = b.dir.toAbsolutePath();
    this.restPort = b.restPort == 0 ? ClusterProcesses.freePort() : b.restPort;
    this.slotsPerTaskManager = b.slotsPerTaskManager;
    this.classpath = b.classpath;
    this.processes = new ClusterProcesses(dir.resolve("log"));
  }

  public static Builder builder() {
    return new Builder();
  }

  /** What {@code --flinkMaster} takes: the REST address of the JobManager. */
  public String master() {
    return "127.0.0.1:" + restPort;
  }

  public int restPort() {
    return restPort;
  }

  /** The TaskManagers running now, oldest first (killed ones are left out). */
  public int runningTaskManagers() {
    return (int) taskManagers.stream().filter(Process::isAlive).count();
  }

  private FlinkSessionCluster start(int taskManagerCount) throws IOException {
    if (!ClusterProcesses.onClasspath(JOB_MANAGER_MAIN)) {
      throw new IllegalStateException(
          "Flink is not on this classpath: start the cluster from the Flink jar (beamline-flink.jar)");
    }
    Files.createDirectories(dir.resolve("conf"));
    Files.writeString(dir.resolve("conf/flink-conf.yaml"), configuration());
    try {
      jobManager =
          processes.start(
              "jobmanager",
              classpath,
              List.of("-Xmx512m", "-Xms256m"),
              JOB_MANAGER_MAIN,
              List.of("--configDir", dir.resolve("conf").toString()));
      processes.awaitHttp(
          "http://" + master() + "/overview", body -> body.contains("\"taskmanagers\""), START_TIMEOUT);
      for (int i = 0; i < taskManagerCount; i++) {
        startTaskManager();
      }
      awaitTaskManagers(taskManagerCount);
    } catch (RuntimeException | IOException e) {
      close();
      throw e;
    }
    return this;
  }

  /** Starts one more TaskManager process; returns once it runs (not yet registered). */
  public synchronized void startTaskManager() throws IOException {
    // The TaskManager's memory, as Flink's start scripts would compute it from the sizes below.
    taskManagers.add(
        processes.start(
            "taskmanager-" + (++taskManagersStarted),
            classpath,
            List.of("-Xmx640m", "-Xms640m", "-XX:MaxDirectMemorySize=448m", "-XX:MaxMetaspaceSize=256m"),
            TASK_MANAGER_MAIN,
            List.of("--configDir", dir.resolve("conf").toString())));
  }

  /**
   * Kills the oldest running TaskManager with SIGKILL, as {@code kill -9} would: no shutdown hook,
   * no goodbye to the JobManager.
   */
  public synchronized void killTaskManager() throws InterruptedException {
    Process victim =
        taskManagers.stream()
            .filter(Process::isAlive)
            .findFirst()
            .orElseThrow(() -> new IllegalStateException("no TaskManager is running"));
    victim.destroyForcibly();
    victim.waitFor();
  }

  /** Waits until the JobManager counts {@code count} registered TaskManagers. */
  public void awaitTaskManagers(int count) {
    processes.awaitHttp(
        "http://" + master() + "/overview",
        body -> intField(body, "taskmanagers") == count,
        START_TIMEOUT);
  }

  /** The job overview of the JobManager's REST API (JSON), for tests and diagnostics. */
  public String jobsOverview() {
    return processes.httpGet("http://" + master() + "/jobs/overview");
  }

  /** Cancels every running job through the REST API (what {@code flink cancel} does). */
  public void cancelRunningJobs() {
    Matcher m =
        Pattern.compile("\\{\"id\":\"([0-9a-f]{32})\",\"status\":\"RUNNING\"\\}")
            .matcher(processes.httpGet("http://" + master() + "/jobs"));
    while (m.find()) {
      processes.httpPatch("http://" + master() + "/jobs/" + m.group(1) + "?mode=cancel");
    }
  }

  /**
   * Stops the running job with a savepoint in {@code directory} (what {@code flink stop} does) and
   * returns the savepoint's location, for {@code --savepointPath} of the job that resumes it.
   */
  public String stopRunningJobWithSavepoint(Path directory, Duration timeout) {
    JsonNode job = runningJob();
    if (job == null) {
      throw new IllegalStateException("no job is running");
    }
    String jobUrl = "http://" + master() + "/jobs/" + job.get("jid").asText();
    String body =
        Json.MAPPER.createObjectNode()
            .put("targetDirectory", directory.toAbsolutePath().toUri().toString())
            .put("drain", false)
            .toString();
    String trigger = readJson(processes.httpPostJson(jobUrl + "/stop", body)).path("request-id").asText();
    if (trigger.isEmpty()) {
      throw new IllegalStateException("the JobManager refused to stop the job");
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      JsonNode status = readJson(processes.httpGet(jobUrl + "/savepoints/" + trigger));
      if (status.path("status").path("id").asText().equals("COMPLETED")) {
        JsonNode operation = status.path("operation");
        if (operation.has("failure-cause")) {
          throw new IllegalStateException("savepoint failed: " + operation.path("failure-cause"));
        }
        return operation.path("location").asText();
      }
      try {
        Thread.sleep(500);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      }
    }
    throw new IllegalStateException("no savepoint within " + timeout);
  }

  /**
   * The failures the running job has recovered from or is recovering from (its exception history),
   * or -1 when no job runs.
   */
  public int runningJobFailures() {
    JsonNode job = runningJob();
    if (job == null) {
      return -1;
    }
    JsonNode history =
        readJson(processes.httpGet("http://" + master() + "/jobs/" + job.get("jid").asText() + "/exceptions"))
            .path("exceptionHistory")
            .path("entries");
    return history.size();
  }

  /**
   * The running job's input watermark per task (the lowest of its subtasks, in epoch
   * milliseconds; Long.MIN_VALUE before the first one; absent while the JobManager has not
   * fetched the task's metrics yet), keyed by task name: for diagnosing a stream whose windows
   * do not close. Empty when no job runs.
   */
  public Map<String, Long> runningJobInputWatermarks() throws InterruptedException {
    JsonNode job = runningJob();
    Map<String, Long> watermarks = new LinkedHashMap<>();
    if (job == null) {
      return watermarks;
    }
    String jobUrl = "http://" + master() + "/jobs/" + job.get("jid").asText();
    List<JsonNode> vertices = new ArrayList<>();
    readJson(processes.httpGet(jobUrl)).path("vertices").forEach(vertices::add);
    // The JobManager fetches metrics on demand: the first request of a task's may find none.
    for (int attempt = 0; attempt < 2; attempt++) {
      for (JsonNode vertex : vertices) {
        String url = jobUrl + "/vertices/" + vertex.path("id").asText() + "/watermarks";
        readJson(processes.httpGet(url)).forEach(metric -> {
          if (metric.path("id").asText().endsWith(".currentInputWatermark")) {
            watermarks.merge(vertex.path("name").asText(), metric.path("value").asLong(Long.MIN_VALUE), Math::min);
          }
        });
      }
      Thread.sleep(2_000);
    }
    return watermarks;
  }

  /** Whether a job runs with every one of its tasks running (after a restart: recovered). */
  public boolean runningJobHasAllTasksRunning() {
    JsonNode job = runningJob();
    return job != null
        && job.path("tasks").path("running").asInt(-1) == job.path("tasks").path("total").asInt(-2);
  }

  private JsonNode runningJob() {
    for (JsonNode job : readJson(processes.httpGet("http://" + master() + "/jobs/overview")).path("jobs")) {
      if (job.path("state").asText().equals("RUNNING")) {
        return job;
      }
    }
    return null;
  }

  private static JsonNode readJson(String body) {
    try {
      return Json.MAPPER.readTree(body);
    } catch (IOException e) {
      throw new UncheckedIOException("the JobManager answered no JSON: " + body, e);
    }
  }

  static int intField(String json, String name) {
    Matcher m = Pattern.compile("\"" + name + "\"\\s*:\\s*(\\d+)").matcher(json);
    return m.find() ? Integer.parseInt(m.group(1)) : -1;
  }

  /**
   * Everything bound to loopback; the sizes Flink's scripts would otherwise derive; fast
   * detection of a dead TaskManager (heartbeats) so recovery starts within seconds.
   */
  private String configuration() {
    Map<String, String> c = new LinkedHashMap<>();
    c.put("jobmanager.rpc.address", "127.0.0.1");
    c.put("jobmanager.rpc.port", String.valueOf(ClusterProcesses.freePort()));
    c.put("jobmanager.bind-host", "127.0.0.1");
    c.put("rest.address", "127.0.0.1");
    c.put("rest.bind-address", "127.0.0.1");
    c.put("rest.port", String.valueOf(restPort));
    c.put("blob.server.port", String.valueOf(ClusterProcesses.freePort()));
    c.put("jobmanager.memory.process.size", "1024m");
    c.put("taskmanager.host", "127.0.0.1");
    c.put("taskmanager.bind-host", "127.0.0.1");
    c.put("taskmanager.rpc.port", "0");
    c.put("taskmanager.data.port", "0");
    c.put("taskmanager.numberOfTaskSlots", String.valueOf(slotsPerTaskManager));
    c.put("taskmanager.cpu.cores", String.valueOf(slotsPerTaskManager));
    c.put("taskmanager.memory.framework.heap.size", "128m");
    c.put("taskmanager.memory.task.heap.size", "512m");
    c.put("taskmanager.memory.framework.off-heap.size", "128m");
    c.put("taskmanager.memory.task.off-heap.size", "64m");
    c.put("taskmanager.memory.network.min", "256m");
    c.put("taskmanager.memory.network.max", "256m");
    c.put("taskmanager.memory.managed.size", "64m");
    c.put("taskmanager.memory.jvm-metaspace.size", "256m");
    c.put("taskmanager.memory.jvm-overhead.min", "192m");
    c.put("taskmanager.memory.jvm-overhead.max", "192m");
    c.put("heartbeat.interval", "1000");
    c.put("heartbeat.timeout", "5000");
    c.put("heartbeat.rpc-failure-threshold", "2");
    c.put("resourcemanager.taskmanager-timeout", "5000");
    c.put("slot.request.timeout", "120000");
    c.put("classloader.check-leaked-classloader", "false");
    c.put("web.submit.enable", "false");
    return c.entrySet().stream()
        .map(e -> e.getKey() + ": " + e.getValue())
        .collect(Collectors.joining("\n", "", "\n"));
  }

  /** Kills every process of the cluster (TaskManagers first) and waits for them to end. */
  @Override
  public synchronized void close() {
    taskManagers.forEach(ClusterProcesses::stop);
    if (jobManager != null) {
      ClusterProcesses.stop(jobManager);
    }
  }

  /** Where the cluster keeps its configuration and its processes' logs. */
  public Path dir() {
    return dir;
  }

  public static final class Builder {
    private Path dir;
    private int restPort;
    private int taskManagers = 2;
    private int slotsPerTaskManager = 1;
    private String classpath = System.getProperty("java.class.path");

    /** Configuration and logs go here. */
    public Builder dir(Path value) {
      this.dir = value;
      return this;
    }

    /** The JobManager's REST port; 0 (the default) picks a free one. */
    public Builder restPort(int value) {
      if (value < 0 || value > 65535) {
        throw new IllegalArgumentException("--flinkRestPort must be between 0 and 65535, not " + value);
      }
      this.restPort = value;
      return this;
    }

    public Builder taskManagers(int value) {
      if (value < 1) {
        throw new IllegalArgumentException("--taskManagers must be at least 1, not " + value);
      }
      this.taskManagers = value;
      return this;
    }

    public Builder slotsPerTaskManager(int value) {
      if (value < 1) {
        throw new IllegalArgumentException("--slotsPerTaskManager must be at least 1, not " + value);
      }
      this.slotsPerTaskManager = value;
      return this;
    }

    /** The classpath of the cluster's JVMs; by default this JVM's. */
    public Builder classpath(String value) {
      this.classpath = value;
      return this;
    }

    /** Starts the JobManager and the TaskManagers; returns once all are registered. */
    public FlinkSessionCluster start() {
      if (dir == null) {
        throw new IllegalArgumentException("the cluster needs a directory (--flinkClusterDir)");
      }
      try {
        return new FlinkSessionCluster(this).start(taskManagers);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot start the Flink cluster in " + dir, e);
      }
    }
  }
}
