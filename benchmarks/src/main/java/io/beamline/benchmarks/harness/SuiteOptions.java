package io.beamline.benchmarks.harness;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The suite's command line, checked before anything runs: a bad value stops the suite with a
 * message naming its option.
 */
public record SuiteOptions(
    String mode,
    List<Integer> sizes,
    List<String> contenders,
    Path dataDir,
    Path resultsDir,
    Path jarsDir,
    Path classpathFile,
    Path classesDir,
    Path schemaDir,
    int directMaxEvents,
    boolean variantsAtSmallestSizeOnly) {

  /** Quick mode: one size; with its contenders under ten minutes on two cores. */
  static final List<Integer> QUICK_SIZES = List.of(250_000);

  /** Quick mode's contenders: the runners, the baseline and native Spark; no variants. */
  static final List<String> QUICK_CONTENDERS = List.of("baseline", "native-spark", "direct", "flink", "spark");

  /**
   * Variants (no write, quality suites) that full mode runs at its smallest size only: what they
   * show does not change with the size, and at 4M events each would add about half an hour.
   */
  static final List<String> SMALLEST_SIZE_VARIANTS =
      List.of("baseline-nowrite", "flink-nowrite", "flink-quality", "spark-nowrite");

  /** Full mode: the three sizes. */
  static final List<Integer> FULL_SIZES = List.of(250_000, 1_000_000, 4_000_000);

  public static SuiteOptions parse(String... args) {
    Map<String, String> given = new LinkedHashMap<>();
    for (String a : args) {
      if (!a.startsWith("--") || !a.contains("=")) {
        throw new IllegalArgumentException("arguments are --name=value, got " + a);
      }
      given.put(a.substring(2, a.indexOf('=')), a.substring(a.indexOf('=') + 1));
    }
    for (String name : given.keySet()) {
      if (!List.of("mode", "sizes", "contenders", "dataDir", "resultsDir", "jarsDir", "classpathFile",
              "classesDir", "schemaDir", "directMaxEvents").contains(name)) {
        throw new IllegalArgumentException("unknown option --" + name);
      }
    }
    String mode = given.getOrDefault("mode", "quick");
    if (!mode.equals("quick") && !mode.equals("full")) {
      throw new IllegalArgumentException("--mode must be quick or full, got " + mode);
    }
    List<Integer> sizes =
        given.containsKey("sizes")
            ? parseSizes(given.get("sizes"))
            : mode.equals("quick") ? QUICK_SIZES : FULL_SIZES;
    List<String> contenders =
        given.containsKey("contenders")
            ? List.of(given.get("contenders").split(","))
            : mode.equals("quick") ? QUICK_CONTENDERS : Contenders.NAMES;
    for (String c : contenders) {
      if (!Contenders.NAMES.contains(c)) {
        throw new IllegalArgumentException("--contenders: unknown contender " + c + "; known: " + Contenders.NAMES);
      }
    }
    Path jars = Path.of(given.getOrDefault("jarsDir", "runners/target"));
    Path classpath = Path.of(given.getOrDefault("classpathFile", "benchmarks/target/runtime-classpath.txt"));
    Path classes = Path.of(given.getOrDefault("classesDir", "benchmarks/target/classes"));
    Path schemas = Path.of(given.getOrDefault("schemaDir", "schemas"));
    requireExists("--classpathFile", classpath);
    requireExists("--classesDir", classes);
    requireExists("--schemaDir", schemas);
    for (String c : contenders) {
      Contenders.requiredJar(c).ifPresent(jar -> requireExists("--jarsDir", jars.resolve(jar)));
    }
    int directMax = Integer.parseInt(given.getOrDefault("directMaxEvents", "1000000"));
    return new SuiteOptions(
        mode, sizes, contenders,
        Path.of(given.getOrDefault("dataDir", "benchmarks/data")),
        Path.of(given.getOrDefault("resultsDir", "benchmarks/results")),
        jars, classpath, classes, schemas, directMax,
        mode.equals("full") && !given.containsKey("contenders"));
  }

  private static List<Integer> parseSizes(String value) {
    List<Integer> sizes = new ArrayList<>();
    for (String s : value.split(",")) {
      String t = s.trim().toLowerCase(Locale.ROOT);
      int factor = t.endsWith("k") ? 1_000 : t.endsWith("m") ? 1_000_000 : 1;
      try {
        int n = Integer.parseInt(factor == 1 ? t : t.substring(0, t.length() - 1)) * factor;
        if (n < 1) {
          throw new NumberFormatException();
        }
        sizes.add(n);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("--sizes takes positive counts such as 250k,1m; got " + s);
      }
    }
    return List.copyOf(sizes);
  }

  private static void requireExists(String option, Path path) {
    if (!Files.exists(path)) {
      throw new IllegalArgumentException(
          option + ": " + path + " does not exist (scripts/benchmark.sh builds it)");
    }
  }
}
