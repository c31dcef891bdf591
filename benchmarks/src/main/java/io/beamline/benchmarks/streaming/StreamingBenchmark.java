package io.beamline.benchmarks.streaming;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.beamline.io.kafka.LocalKafkaBroker;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

/**
 * The streaming benchmark: the maximum rate a {@code stream} job sustains, and the freshness of
 * its rows at half that rate.
 *
 * <pre>
 * java -cp "$(cat benchmarks/target/runtime-classpath.txt):benchmarks/target/classes" \
 *   io.beamline.benchmarks.streaming.StreamingBenchmark --jar=runners/target/beamline-flink.jar \
 *   --runnerName=flink --rates=1000,2000,4000 --stepSeconds=60 --resultFile=benchmarks/results/streaming-flink.json
 * </pre>
 *
 * For each delivery mode of the etl topic (exactly-once, the default, and at-least-once) it starts a
 * local broker's topics and the job in a JVM of its own, warms it up, then produces at each rate
 * for a step, lowest first, until the backlog grows ({@link LagBoundedRule}); then a step at half
 * the highest sustained rate, whose freshness (send time to row visible to a read_committed
 * consumer of the etl topic, and to Parquet file in the etl zone) is the headline figure. Prints a
 * table and writes everything as JSON to --resultFile. It prints numbers; it asserts nothing.
 *
 * <p>Other options: {@code --workDir} (sample, schemas, job logs and zones; default
 * target/streaming-benchmark), {@code --deliveryModes} (default exactly-once,at-least-once),
 * {@code --checkpointingInterval} (Flink, ms, default 1000: the exactly-once sink releases rows
 * when a checkpoint completes, so this bounds their freshness), {@code --poolEvents} (sample size,
 * default 20000, generated once by the jar's own {@code generate}), {@code --schemaSource} (default
 * schemas; quality suites are left out), {@code --jobArgs} / {@code --jobJvmArgs} (more options
 * for the job and its JVM, space-separated, e.g. {@code --jobArgs="--stateBackend=filesystem
 * --stateBackendStoragePath=file:///tmp/ckpt"}), {@code --tolerance} (lag growth allowed, as a
 * fraction of the rate, default 0.05), {@code --startTimeoutSeconds}, {@code --drainSeconds},
 * {@code --zoneWaitSeconds}.
 */
public final class StreamingBenchmark {
  static final String EXACTLY_ONCE = "exactly-once";
  static final String AT_LEAST_ONCE = "at-least-once";

  private final Settings settings;
  private final PrintStream out;

  /** The command line. */
  record Settings(
      Path jar, String runnerName, List<Double> rates, double stepSeconds, Path resultFile, Path workDir,
      List<String> deliveryModes, long checkpointingInterval, int poolEvents, Path schemaSource,
      List<String> jobArgs, List<String> jobJvmArgs, double tolerance, long startTimeoutSeconds,
      long drainSeconds, long zoneWaitSeconds) {

    static Settings parse(String[] args) {
      Map<String, String> a = new LinkedHashMap<>();
      for (String arg : args) {
        if (!arg.startsWith("--") || !arg.contains("=")) {
          throw new IllegalArgumentException("expected --name=value, got " + arg);
        }
        a.put(arg.substring(2, arg.indexOf('=')), arg.substring(arg.indexOf('=') + 1));
      }
      Settings s =
          new Settings(
              Path.of(required(a, "jar")),
              a.getOrDefault("runnerName", "flink"),
              Arrays.stream(required(a, "rates").split(",")).map(String::trim).map(Double::parseDouble).toList(),
              Double.parseDouble(a.getOrDefault("stepSeconds", "60")),
              Path.of(required(a, "resultFile")),
              Path.of(a.getOrDefault("workDir", "target/streaming-benchmark")),
              Arrays.stream(a.getOrDefault("deliveryModes", EXACTLY_ONCE + "," + AT_LEAST_ONCE).split(","))
                  .map(String::trim).toList(),
              Long.parseLong(a.getOrDefault("checkpointingInterval", "1000")),
              Integer.parseInt(a.getOrDefault("poolEvents", "20000")),
              Path.of(a.getOrDefault("schemaSource", "schemas")),
              words(a.get("jobArgs")),
              words(a.get("jobJvmArgs")),
              Double.parseDouble(a.getOrDefault("tolerance", String.valueOf(LagBoundedRule.DEFAULT_TOLERANCE))),
              Long.parseLong(a.getOrDefault("startTimeoutSeconds", "300")),
              Long.parseLong(a.getOrDefault("drainSeconds", "120")),
              Long.parseLong(a.getOrDefault("zoneWaitSeconds", "180")));
      for (String m : s.deliveryModes) {
        if (!m.equals(EXACTLY_ONCE) && !m.equals(AT_LEAST_ONCE)) {
          throw new IllegalArgumentException("--deliveryModes: exactly-once or at-least-once, got " + m);
        }
      }
      if (s.rates.isEmpty() || s.rates.stream().anyMatch(r -> r <= 0) || s.stepSeconds < 4) {
        throw new IllegalArgumentException("--rates must be positive and --stepSeconds at least 4");
      }
      List<String> known =
          List.of("jar", "runnerName", "rates", "stepSeconds", "resultFile", "workDir", "deliveryModes",
              "checkpointingInterval", "poolEvents", "schemaSource", "jobArgs", "jobJvmArgs", "tolerance",
              "startTimeoutSeconds", "drainSeconds", "zoneWaitSeconds");
      for (String k : a.keySet()) {
        if (!known.contains(k)) {
          throw new IllegalArgumentException("unknown option --" + k + "; options: " + known);
        }
      }
      return s;
    }

    private static String required(Map<String, String> a, String name) {
      String v = a.get(name);
      if (v == null || v.isBlank()) {
        throw new IllegalArgumentException("--" + name + " is required");
      }
      return v;
    }

    private static List<String> words(String v) {
      return v == null || v.isBlank() ? List.of() : List.of(v.trim().split("\\s+"));
    }
  }

  StreamingBenchmark(Settings settings, PrintStream out) {
    this.settings = settings;
    this.out = out;
  }

  public static void main(String[] args) throws Exception {
    Settings settings;
    try {
      settings = Settings.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("streaming benchmark: " + e.getMessage());
      System.exit(2);
      return;
    }
    new StreamingBenchmark(settings, System.out).run();
  }

  void run() throws Exception {
    Files.createDirectories(settings.workDir);
    Path keyring = settings.workDir.resolve("keyring.json").toAbsolutePath();
    List<Path> sample = sample(keyring);
    Path schemas = schemasWithoutQualitySuites();
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("benchmark", "streaming");
    result.put("machine", machine());
    result.put("settings", describeSettings());
    List<Map<String, Object>> modes = new ArrayList<>();
    result.put("modes", modes);
    try (LocalKafkaBroker broker = LocalKafkaBroker.builder().partitions(2).start()) {
      for (String mode : settings.deliveryModes) {
        modes.add(new ModeRun(mode, broker, sample, keyring, schemas).run());
        write(result);
      }
    } finally {
      write(result);
    }
    printTable(modes);
    out.println("result: " + settings.resultFile.toAbsolutePath());
  }

  /** Generates the sample once with the job jar's own generator (same version as the job). */
  private List<Path> sample(Path keyring) throws IOException, InterruptedException {
    Path dir = settings.workDir.resolve("sample-" + settings.poolEvents).toAbsolutePath();
    Path done = dir.resolve("_COMPLETE");
    if (!Files.exists(done) || !Files.exists(keyring)) {
      List<String> command =
          List.of(
              Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", settings.jar.toString(),
              "generate", "--count=" + settings.poolEvents, "--outputPath=" + dir, "--keyringPath=" + keyring,
              "--badFraction=0.02", "--duplicateFraction=0", "--eventTimesInOrder=true", "--days=1",
              "--files=1", "--endDate=" + LocalDate.now(ZoneOffset.UTC));
      out.println("generating " + settings.poolEvents + " events with " + settings.jar.getFileName());
      Process p = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(settings.workDir.resolve("generate.log").toFile()).start();
      if (p.waitFor() != 0) {
        throw new IllegalStateException("generate failed, see " + settings.workDir.resolve("generate.log"));
      }
      Files.writeString(done, "");
    }
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(f -> f.getFileName().toString().endsWith(".jsonl")).sorted().toList();
    }
  }

  /** The schema files only: the quality gate holds a window's rows until its verdict. */
  private Path schemasWithoutQualitySuites() throws IOException {
    Path target = settings.workDir.resolve("schemas").toAbsolutePath();
    try (Stream<Path> files = Files.walk(settings.schemaSource)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        String name = f.getFileName().toString();
        if (name.endsWith(".json") && !name.endsWith(".quality.json")) {
          Path to = target.resolve(settings.schemaSource.relativize(f).toString());
          Files.createDirectories(to.getParent());
          Files.copy(f, to, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
    return target;
  }

  /** One delivery mode: its own topics, job, warm-up, rate steps and half-rate step. */
  private final class ModeRun {
    private final String mode;
    private final LocalKafkaBroker broker;
    private final List<Path> sample;
    private final Path keyring;
    private final Path schemas;
    private final String tag;

    ModeRun(String mode, LocalKafkaBroker broker, List<Path> sample, Path keyring, Path schemas) {
      this.mode = mode;
      this.broker = broker;
      this.sample = sample;
      this.keyring = keyring;
      this.schemas = schemas;
      this.tag = (mode.equals(EXACTLY_ONCE) ? "eos" : "alo") + (System.currentTimeMillis() / 1000 % 1_000_000);
    }

    Map<String, Object> run() throws Exception {
      String events = "bench-" + tag + "-events";
      String rowsTopic = "bench-" + tag + "-rows";
      String dlqTopic = "bench-" + tag + "-dlq";
      broker.createTopic(events, 2);
      broker.createTopic(rowsTopic, 2);
      broker.createTopic(dlqTopic, 2);
      Path outputRoot = settings.workDir.resolve(tag).resolve("out").toAbsolutePath();
      List<String> args = new ArrayList<>(List.of(
          "--bootstrapServers=" + broker.bootstrapServers(), "--topics=" + events, "--consumerGroup=bench-" + tag,
          "--runId=bench-" + tag, "--outputRoot=" + outputRoot, "--keyringPath=" + keyring, "--schemaDir=" + schemas,
          "--windowMinutes=1", "--etlTopic=" + rowsTopic, "--deadLetterTopic=" + dlqTopic,
          "--exactlyOnce=" + mode.equals(EXACTLY_ONCE), "--kafkaSinkShards=2"));
      args.addAll(runnerArgs());
      args.addAll(settings.jobArgs);
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("mode", mode);
      r.put("jobArgs", args.stream().filter(a -> !a.startsWith("--keyringPath")).toList());
      EnvelopePool pool = EnvelopePool.load(sample, keyring, "b" + tag);
      r.put("sampleLines", pool.size());
      r.put("sampleLinesRebuiltPerSend", pool.rebuiltLines());
      out.printf("[%s] starting %s stream job (log %s)%n", mode, settings.runnerName, settings.workDir.resolve(tag + ".log"));
      List<Map<String, Object>> steps = new ArrayList<>();
      r.put("steps", steps);
      try (StreamJob job = StreamJob.start(settings.jar, settings.jobJvmArgs, args, settings.workDir.resolve(tag + ".log"));
          PacedProducer producer = new PacedProducer(broker.bootstrapServers(), events);
          EtlTopicWatcher watcher = new EtlTopicWatcher(broker.bootstrapServers(), rowsTopic, dlqTopic, "b" + tag).start();
          ZoneFileWatcher zone = new ZoneFileWatcher(outputRoot).start()) {
        Steps stepper = new Steps(job, producer, watcher, pool);
        double warmRate = Math.min(settings.rates.get(0), 500);
        long t0 = System.currentTimeMillis();
        stepper.warmUp(warmRate);
        r.put("firstRowsAfterSeconds", (System.currentTimeMillis() - t0) / 1000.0);
        Double maxSustained = null;
        boolean everyStepSustained = true;
        List<StepRun> runs = new ArrayList<>();
        for (double rate : settings.rates) {
          StepRun s = stepper.step("sweep", rate, settings.stepSeconds);
          runs.add(s);
          out.printf("[%s] %s%n", mode, s.oneLine());
          if (!s.verdict.bounded() || !s.production.keptRate()) {
            everyStepSustained = false;
            break;
          }
          maxSustained = rate;
        }
        StepRun half = null;
        if (maxSustained != null) {
          stepper.drain(maxSustained / 2);
          half = stepper.step("half", maxSustained / 2, settings.stepSeconds);
          runs.add(half);
          out.printf("[%s] %s%n", mode, half.oneLine());
          // The stream goes on at the same rate until the windows the half step touched are in the
          // zone (a window closes when the watermark, 30 s behind the newest event, passes it).
          stepper.tailUntilZoneWindowsAfter(zone, half, maxSustained / 2);
        }
        stepper.drain(0);
        zone.scan(System.currentTimeMillis());
        for (StepRun s : runs) {
          steps.add(s.describe());
        }
        r.put("maxSustainableRate", maxSustained);
        r.put("maxSustainableRateNote", maxSustained == null
            ? "no step was sustained (lowest rate too high, or the producer did not keep its rate)"
            : (everyStepSustained ? "every step was sustained: the maximum is at least this" : "the next step's backlog grew"));
        r.put("halfRateStep", half == null ? null : half.describe());
        r.put("zoneWindows", describeWindows(zone.windows(), half));
        r.put("finalLag", producer.sentTotal() - watcher.processed());
        r.put("foreignRows", watcher.foreignRows());
        r.put("producerFirstFailure", producer.firstFailure());
        r.put("jobPeakRssMb", job.peakRssMb());
      }
      return r;
    }

    private List<String> runnerArgs() {
      return switch (settings.runnerName) {
        case "flink" -> List.of("--parallelism=2", "--checkpointingInterval=" + settings.checkpointingInterval);
        case "direct" -> List.of("--targetParallelism=2");
        default -> List.of();
      };
    }
  }

  /** One rate step as it ran. */
  private static final class StepRun {
    final String kind;
    final double rate;
    final PacedProducer.Production production;
    final LagBoundedRule.Verdict verdict;
    final long startMillis;
    final long endMillis;
    final long lagAtEnd;
    final double processedPerSecond;
    final double rowsPerSecond;
    final double jobCpuSeconds;
    final long jobRssMb;
    final EtlTopicWatcher.StepSamples samples;
    final long sequences;

    StepRun(String kind, double rate, PacedProducer.Production production, LagBoundedRule.Verdict verdict,
        long startMillis, long endMillis, long lagAtEnd, double processedPerSecond, double rowsPerSecond,
        double jobCpuSeconds, long jobRssMb, EtlTopicWatcher.StepSamples samples, long sequences) {
      this.kind = kind;
      this.rate = rate;
      this.production = production;
      this.verdict = verdict;
      this.startMillis = startMillis;
      this.endMillis = endMillis;
      this.lagAtEnd = lagAtEnd;
      this.processedPerSecond = processedPerSecond;
      this.rowsPerSecond = rowsPerSecond;
      this.jobCpuSeconds = jobCpuSeconds;
      this.jobRssMb = jobRssMb;
      this.samples = samples;
      this.sequences = sequences;
    }

    String oneLine() {
      Freshness f = samples.freshness();
      return String.format(Locale.ROOT,
          "%-5s rate %7.0f/s sent %7.0f/s (kept: %s) processed %7.0f ev/s, %7.0f rows/s, lag at end %6d, trough growth %7.1f ev/s -> %s; freshness so far p50 %d p99 %d ms",
          kind, rate, production.achievedRate(), production.keptRate(), processedPerSecond, rowsPerSecond, lagAtEnd,
          verdict.growthPerSecond(), verdict.bounded() ? "bounded" : "GROWING", f.p50(), f.p99());
    }

    Map<String, Object> describe() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("kind", kind);
      m.put("targetRate", rate);
      m.put("seconds", (endMillis - startMillis) / 1000.0);
      m.put("sent", production.sent());
      m.put("acked", production.acked());
      m.put("achievedProduceRate", round(production.achievedRate()));
      m.put("producerMaxBehindMs", production.maxBehindMillis());
      m.put("producerKeptRate", production.keptRate());
      m.put("processedEventsPerSecond", round(processedPerSecond));
      m.put("etlRowsPerSecond", round(rowsPerSecond));
      m.put("lagAtEnd", lagAtEnd);
      m.put("lagTroughThirdQuarter", verdict.troughThirdQuarter());
      m.put("lagTroughFourthQuarter", verdict.troughFourthQuarter());
      m.put("lagTroughGrowthPerSecond", round(verdict.growthPerSecond()));
      m.put("lagBounded", verdict.bounded());
      Freshness f = samples.freshness();
      Map<String, Object> fm = new LinkedHashMap<>();
      fm.put("rows", f.count());
      fm.put("eventsSentWithNewIds", sequences);
      fm.put("p50Ms", f.p50());
      fm.put("p95Ms", f.p95());
      fm.put("p99Ms", f.p99());
      fm.put("maxMs", f.max());
      m.put("etlTopicFreshness", fm);
      m.put("jobCpuSeconds", round(jobCpuSeconds));
      m.put("jobRssMbAtEnd", jobRssMb);
      return m;
    }
  }

  /** Runs steps against one job. */
  private final class Steps {
    private final StreamJob job;
    private final PacedProducer producer;
    private final EtlTopicWatcher watcher;
    private final EnvelopePool pool;

    Steps(StreamJob job, PacedProducer producer, EtlTopicWatcher watcher, EnvelopePool pool) {
      this.job = job;
      this.producer = producer;
      this.watcher = watcher;
      this.pool = pool;
    }

    private PacedProducer.Outgoing next(long now) {
      EnvelopePool.Message m = pool.next(now);
      return new PacedProducer.Outgoing(m.key(), m.value());
    }

    private void checkAlive() {
      if (!job.isAlive()) {
        throw new IllegalStateException("the stream job ended; last lines of " + job.log() + ":\n" + job.logTail(30));
      }
      if (watcher.failure() != null) {
        throw new IllegalStateException("reading the etl topic failed: " + watcher.failure());
      }
    }

    long lag() {
      return producer.sentTotal() - watcher.processed();
    }

    /**
     * Produces at {@code rate} until the first etl row is visible (the job is up and its sink
     * commits), then for half a step more, then waits for the backlog to go.
     */
    void warmUp(double rate) {
      watcher.beginStep(pool.nextSequence());
      long deadline = System.currentTimeMillis() + settings.startTimeoutSeconds * 1000;
      while (watcher.events() == 0) {
        checkAlive();
        if (System.currentTimeMillis() > deadline) {
          throw new IllegalStateException("no row within " + settings.startTimeoutSeconds + " s; see " + job.log());
        }
        producer.run(rate, 1, this::next);
      }
      out.printf("first rows visible; warming up for %.0f s%n", settings.stepSeconds / 2);
      producer.run(rate, settings.stepSeconds / 2, this::next);
      drain(rate);
    }

    /**
     * Waits (producing nothing) until the backlog is at most a second of {@code rate}, or nothing
     * more has been processed for 20 s (an envelope whose outcome never shows would otherwise hold
     * the wait to --drainSeconds).
     */
    void drain(double rate) {
      long deadline = System.currentTimeMillis() + settings.drainSeconds * 1000;
      long processed = watcher.processed();
      long progressAt = System.currentTimeMillis();
      while (lag() > Math.max(0, rate) && System.currentTimeMillis() < deadline
          && System.currentTimeMillis() - progressAt < 20_000) {
        checkAlive();
        sleep(250);
        if (watcher.processed() != processed) {
          processed = watcher.processed();
          progressAt = System.currentTimeMillis();
        }
      }
    }

    StepRun step(String kind, double rate, double seconds) {
      checkAlive();
      EtlTopicWatcher.StepSamples samples = watcher.beginStep(pool.nextSequence());
      long firstSequence = pool.nextSequence();
      List<LagBoundedRule.LagSample> lags = new CopyOnWriteArrayList<>();
      Thread sampler = new Thread(() -> {
        while (!Thread.currentThread().isInterrupted()) {
          lags.add(new LagBoundedRule.LagSample(System.currentTimeMillis(), lag()));
          try {
            Thread.sleep(250);
          } catch (InterruptedException e) {
            return;
          }
        }
      }, "lag-sampler");
      double cpu0 = job.cpuSeconds();
      long processed0 = watcher.processed();
      long rows0 = watcher.rows();
      long start = System.currentTimeMillis();
      sampler.start();
      PacedProducer.Production production = producer.run(rate, seconds, this::next);
      long end = System.currentTimeMillis();
      long lagAtEnd = lag();
      long processed1 = watcher.processed();
      long rows1 = watcher.rows();
      sampler.interrupt();
      try {
        sampler.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      checkAlive();
      double secs = (end - start) / 1000.0;
      LagBoundedRule.Verdict verdict = LagBoundedRule.judge(lags, start, end, rate, settings.tolerance);
      return new StepRun(kind, rate, production, verdict, start, end, lagAtEnd, (processed1 - processed0) / secs,
          (rows1 - rows0) / secs, job.cpuSeconds() - cpu0, job.rssMb(), samples, pool.nextSequence() - firstSequence);
    }

    /** Keeps producing at {@code rate} (rows filed apart) until the zone has a window ending after the step. */
    void tailUntilZoneWindowsAfter(ZoneFileWatcher zone, StepRun step, double rate) {
      watcher.beginStep(pool.nextSequence());
      long deadline = System.currentTimeMillis() + settings.zoneWaitSeconds * 1000;
      while (System.currentTimeMillis() < deadline
          && zone.windows().stream().noneMatch(w -> w.endMillis() >= step.endMillis)) {
        checkAlive();
        producer.run(rate, 1, this::next);
      }
    }
  }

  private static Map<String, Object> describeWindows(List<ZoneFileWatcher.WindowFiles> windows, StepRun half) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("note", "etl zone: a window's files appear once the watermark (newest event time - --outOfOrdernessSeconds)"
        + " passes the window's end; rows were sent with event_time = send time, so a window's rows are between"
        + " (first file seen - window end) and (first file seen - window start) old when it appears");
    List<Map<String, Object>> list = new ArrayList<>();
    List<Long> halfMiddles = new ArrayList<>();
    for (ZoneFileWatcher.WindowFiles w : windows) {
      Map<String, Object> one = new LinkedHashMap<>();
      one.put("windowStart", java.time.Instant.ofEpochMilli(w.startMillis()).toString());
      one.put("files", w.files());
      one.put("newestRowFreshnessMs", w.newestRowFreshness());
      one.put("middleRowFreshnessMs", w.middleRowFreshness());
      one.put("oldestRowFreshnessMs", w.oldestRowFreshness());
      one.put("lastFileAfterFirstMs", w.lastSeenMillis() - w.firstSeenMillis());
      boolean inHalf = half != null && w.startMillis() < half.endMillis && w.endMillis() > half.startMillis;
      one.put("overlapsHalfRateStep", inHalf);
      if (inHalf) {
        halfMiddles.add(w.middleRowFreshness());
      }
      list.add(one);
    }
    m.put("windows", list);
    m.put("halfRateStepMiddleRowFreshnessMs", halfMiddles);
    return m;
  }

  private Map<String, Object> machine() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("cores", Runtime.getRuntime().availableProcessors());
    m.put("java", System.getProperty("java.vendor") + " " + System.getProperty("java.version"));
    m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
    try {
      m.put("memTotal", Files.readAllLines(Path.of("/proc/meminfo")).get(0).replaceAll("\\s+", " "));
    } catch (IOException | RuntimeException e) {
      m.put("memTotal", "unknown");
    }
    return m;
  }

  private Map<String, Object> describeSettings() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("jar", settings.jar.toString());
    m.put("runnerName", settings.runnerName);
    m.put("rates", settings.rates);
    m.put("stepSeconds", settings.stepSeconds);
    m.put("deliveryModes", settings.deliveryModes);
    m.put("checkpointingIntervalMs", settings.checkpointingInterval);
    m.put("sampleEvents", settings.poolEvents);
    m.put("badFraction", 0.02);
    m.put("lagGrowthTolerance", settings.tolerance);
    m.put("topicPartitions", 2);
    return m;
  }

  private void write(Map<String, Object> result) throws IOException {
    Path file = settings.resultFile.toAbsolutePath();
    Files.createDirectories(file.getParent());
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), result);
  }

  @SuppressWarnings("unchecked")
  private void printTable(List<Map<String, Object>> modes) {
    out.println();
    out.printf("%-13s %-5s %8s %8s %5s %9s %9s %7s %9s %-7s %27s %7s %6s%n", "mode", "step", "rate/s", "sent/s",
        "kept", "events/s", "rows/s", "lagEnd", "growth/s", "bounded", "etl topic p50/p95/p99/max ms", "cpu s", "rssMB");
    for (Map<String, Object> m : modes) {
      for (Map<String, Object> s : (List<Map<String, Object>>) m.get("steps")) {
        Map<String, Object> f = (Map<String, Object>) s.get("etlTopicFreshness");
        out.printf(Locale.ROOT, "%-13s %-5s %8.0f %8.0f %5s %9.0f %9.0f %7d %9.1f %-7s %27s %7.1f %6d%n", m.get("mode"),
            s.get("kind"), (Double) s.get("targetRate"), (Double) s.get("achievedProduceRate"), s.get("producerKeptRate"),
            (Double) s.get("processedEventsPerSecond"), (Double) s.get("etlRowsPerSecond"), (Long) s.get("lagAtEnd"),
            (Double) s.get("lagTroughGrowthPerSecond"), s.get("lagBounded"),
            f.get("p50Ms") + "/" + f.get("p95Ms") + "/" + f.get("p99Ms") + "/" + f.get("maxMs"),
            (Double) s.get("jobCpuSeconds"), (Long) s.get("jobRssMbAtEnd"));
      }
      Map<String, Object> zone = (Map<String, Object>) m.get("zoneWindows");
      out.printf("%-13s max sustainable rate: %s events/s; etl zone freshness (middle row) of windows at half rate: %s ms%n",
          m.get("mode"), m.get("maxSustainableRate"), zone == null ? "-" : zone.get("halfRateStepMiddleRowFreshnessMs"));
    }
  }

  private static double round(double v) {
    return Double.isNaN(v) ? Double.NaN : Math.round(v * 10) / 10.0;
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
