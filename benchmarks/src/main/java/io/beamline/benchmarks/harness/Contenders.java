package io.beamline.benchmarks.harness;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Every contender the suite knows, in the order it runs them. */
public final class Contenders {
  private Contenders() {}

  /** The JVM flags Spark needs on Java 17 (the bundled jars carry them in their manifest). */
  static final List<String> SPARK_JVM_FLAGS =
      List.of(
          "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
          "--add-opens=java.base/java.lang=ALL-UNNAMED",
          "--add-opens=java.base/java.nio=ALL-UNNAMED",
          "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
          "--add-opens=java.base/java.util=ALL-UNNAMED",
          "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED",
          "-Dspark.ui.enabled=false",
          "-Dspark.driver.bindAddress=127.0.0.1",
          "-Dspark.driver.host=127.0.0.1");

  public static final List<Contender> ALL =
      List.of(
          plainJava("baseline", "hand-written Java (2 threads)", true),
          plainJava("baseline-nowrite", "hand-written Java (2 threads), no etl write", false),
          nativeSpark(),
          beamline("direct", "Beamline on Direct", "direct", List.of(), true, false),
          // The memory target: the JVM's default heap is a quarter of RAM, which a lazy
          // collector fills; capped at 2 GB the process must stay under 3 GB. Where 2 GB is too
          // little, the JVM ends at the first OutOfMemoryError instead of collecting for minutes.
          beamline("direct-2g", "Beamline on Direct, -Xmx2g", "direct",
              List.of("-Xmx2g", "-XX:+ExitOnOutOfMemoryError"), List.of(), true, false),
          beamline("flink", "Beamline on Flink (p=2)", "flink", List.of("--parallelism=2"), true, false),
          beamline("flink-nowrite", "Beamline on Flink (p=2), no etl write", "flink", List.of("--parallelism=2"), false, false),
          beamline("flink-quality", "Beamline on Flink (p=2), with quality suites", "flink", List.of("--parallelism=2"), true, true),
          beamline("spark", "Beamline on Spark (local[2])", "spark", List.of("--sparkMaster=local[2]"), true, false),
          beamline("spark-nowrite", "Beamline on Spark (local[2]), no etl write", "spark", List.of("--sparkMaster=local[2]"), false, false));

  public static final List<String> NAMES = ALL.stream().map(Contender::name).toList();

  public static Contender named(String name) {
    return ALL.stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
  }

  /** The bundled jar a contender runs from, if it is Beamline's. */
  static Optional<String> requiredJar(String name) {
    Contender c = named(name);
    return c.isBeamline() ? Optional.of(jarOf(name)) : Optional.empty();
  }

  private static String jarOf(String name) {
    return "beamline-" + name.replaceAll("-.*", "") + ".jar";
  }

  private static Contender plainJava(String name, String label, boolean write) {
    return new Contender(
        name, label, write ? "baseline" : "baseline-nowrite", write,
        ctx -> {
          List<String> cmd = new ArrayList<>(List.of(ctx.java(), "-cp", ctx.classpath(),
              "io.beamline.benchmarks.baseline.PlainJavaEtl"));
          cmd.addAll(ioArgs(ctx));
          cmd.add("--threads=2");
          cmd.add("--writeEtl=" + write);
          return cmd;
        });
  }

  private static Contender nativeSpark() {
    return new Contender(
        "native-spark", "native Spark Dataset job (local[2])", "baseline", true,
        ctx -> {
          List<String> cmd = new ArrayList<>();
          cmd.add(ctx.java());
          cmd.addAll(SPARK_JVM_FLAGS);
          cmd.addAll(List.of("-cp", ctx.classpath(), "io.beamline.benchmarks.spark.NativeSparkEtl"));
          cmd.addAll(ioArgs(ctx));
          cmd.add("--master=local[2]");
          return cmd;
        });
  }

  private static Contender beamline(
      String name, String label, String runner, List<String> runnerArgs, boolean write, boolean quality) {
    return beamline(name, label, runner, List.of(), runnerArgs, write, quality);
  }

  private static Contender beamline(
      String name, String label, String runner, List<String> jvmArgs, List<String> runnerArgs, boolean write,
      boolean quality) {
    return new Contender(
        name, label, write ? "baseline" : "baseline-nowrite", write,
        ctx -> {
          List<String> cmd = new ArrayList<>();
          cmd.add(ctx.java());
          cmd.addAll(jvmArgs);
          cmd.addAll(List.of("-jar", ctx.jarsDir().resolve(jarOf(runner)).toString(), "etl"));
          cmd.add("--inputPath=" + ctx.dataset().inputDir());
          cmd.add("--outputRoot=" + ctx.outputRoot());
          cmd.add("--keyringPath=" + ctx.dataset().keyring());
          // The baseline does no quality checks; flink-quality measures what the shipped suites cost.
          cmd.add("--schemaDir=" + (quality ? ctx.dataset().shippedSchemaDir() : ctx.dataset().schemaDir()));
          cmd.add("--runId=" + ctx.runId());
          // The baseline writes no raw zone: neither does Beamline here.
          cmd.add("--writeRaw=false");
          cmd.add("--writeEtl=" + write);
          cmd.addAll(runnerArgs);
          return cmd;
        });
  }

  private static List<String> ioArgs(Contender.RunContext ctx) {
    return List.of(
        "--inputPath=" + ctx.dataset().inputDir(),
        "--outputRoot=" + ctx.outputRoot(),
        "--keyringPath=" + ctx.dataset().keyring(),
        "--schemaDir=" + ctx.dataset().schemaDir());
  }
}
