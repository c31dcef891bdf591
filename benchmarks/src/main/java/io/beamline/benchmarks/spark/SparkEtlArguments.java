package io.beamline.benchmarks.spark;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The command line of {@link NativeSparkEtl}, checked before Spark starts: every problem is an
 * {@link IllegalArgumentException} naming the option.
 */
record SparkEtlArguments(
    Path inputPath, Path outputRoot, Path keyringPath, Path schemaDir, String master, boolean writeEtl) {

  private static final Set<String> KNOWN =
      Set.of("inputPath", "outputRoot", "keyringPath", "schemaDir", "master", "writeEtl");

  static SparkEtlArguments parse(String... args) {
    Map<String, String> values = new LinkedHashMap<>();
    for (String arg : args) {
      int eq = arg.indexOf('=');
      if (!arg.startsWith("--") || eq < 0) {
        throw new IllegalArgumentException("arguments are --option=value, got " + arg);
      }
      String name = arg.substring(2, eq);
      if (!KNOWN.contains(name)) {
        throw new IllegalArgumentException("unknown option --" + name + "; options: " + new java.util.TreeSet<>(KNOWN));
      }
      values.put(name, arg.substring(eq + 1));
    }
    Path input = path(values, "inputPath");
    if (!Files.exists(input)) {
      throw new IllegalArgumentException("--inputPath " + input + " does not exist");
    }
    Path output = path(values, "outputRoot");
    for (String zone : new String[] {"etl", "dlq"}) {
      if (Files.exists(output.resolve(zone))) {
        throw new IllegalArgumentException(
            "--outputRoot " + output + " already holds a " + zone + " zone: give a new or empty directory");
      }
    }
    Path keyring = path(values, "keyringPath");
    if (!Files.isRegularFile(keyring)) {
      throw new IllegalArgumentException("--keyringPath " + keyring + " is not a file");
    }
    Path schemas = path(values, "schemaDir");
    if (!Files.isDirectory(schemas)) {
      throw new IllegalArgumentException("--schemaDir " + schemas + " is not a directory");
    }
    String master = values.getOrDefault("master", "local[2]");
    if (master.isBlank()) {
      throw new IllegalArgumentException("--master must not be empty (local[2], local[*], spark://host:port)");
    }
    String write = values.getOrDefault("writeEtl", "true");
    if (!write.equals("true") && !write.equals("false")) {
      throw new IllegalArgumentException("--writeEtl must be true or false, got " + write);
    }
    return new SparkEtlArguments(input, output, keyring, schemas, master, write.equals("true"));
  }

  private static Path path(Map<String, String> values, String name) {
    String v = values.get(name);
    if (v == null || v.isEmpty()) {
      throw new IllegalArgumentException("--" + name + " is required");
    }
    return Path.of(v);
  }
}
