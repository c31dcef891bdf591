package io.beamline.benchmarks.baseline;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The command line of {@link PlainJavaEtl}, checked before anything runs: every problem is an
 * {@link IllegalArgumentException} naming the option.
 */
record EtlArguments(
    Path inputPath, Path outputRoot, Path keyringPath, Path schemaDir, int threads, boolean writeEtl,
    int maxOpenWriters, int writerMemoryMb, boolean partitionSpill) {

  private static final Set<String> KNOWN =
      Set.of("inputPath", "outputRoot", "keyringPath", "schemaDir", "threads", "writeEtl", "maxOpenWriters", "writerMemoryMb", "partitionSpill");

  static EtlArguments parse(String... args) {
    Map<String, String> values = new LinkedHashMap<>();
    for (String arg : args) {
      int eq = arg.indexOf('=');
      if (!arg.startsWith("--") || eq < 0) {
        throw new IllegalArgumentException("arguments are --option=value, got " + arg);
      }
      String name = arg.substring(2, eq);
      if (!KNOWN.contains(name)) {
        throw new IllegalArgumentException("unknown option --" + name + "; options: " + KNOWN);
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
    int threads = number(values, "threads", 2, 1, 256);
    int maxOpen = number(values, "maxOpenWriters", 64, 1, 100_000);
    int writerMemory = number(values, "writerMemoryMb", 256, 1, 1_000_000);
    return new EtlArguments(
        input, output, keyring, schemas, threads, flag(values, "writeEtl"), maxOpen, writerMemory,
        flag(values, "partitionSpill"));
  }

  private static boolean flag(Map<String, String> values, String name) {
    String v = values.getOrDefault(name, "true");
    if (!v.equals("true") && !v.equals("false")) {
      throw new IllegalArgumentException("--" + name + " must be true or false, got " + v);
    }
    return v.equals("true");
  }

  private static Path path(Map<String, String> values, String name) {
    String v = values.get(name);
    if (v == null || v.isEmpty()) {
      throw new IllegalArgumentException("--" + name + " is required");
    }
    return Path.of(v);
  }

  private static int number(Map<String, String> values, String name, int dflt, int min, int max) {
    String v = values.get(name);
    if (v == null) {
      return dflt;
    }
    try {
      int n = Integer.parseInt(v);
      if (n >= min && n <= max) {
        return n;
      }
    } catch (NumberFormatException ignored) {
      // Reported below with the range.
    }
    throw new IllegalArgumentException("--" + name + " must be a whole number from " + min + " to " + max + ", got " + v);
  }
}
