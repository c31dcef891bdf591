package io.beamline.benchmarks.harness;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/** What the figures were measured on: machine, JVM and the versions of Beam, Flink and Spark. */
final class MachineInfo {
  private MachineInfo() {}

  static Map<String, String> describe() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("cores", Integer.toString(Runtime.getRuntime().availableProcessors()));
    m.put("memory", memory());
    m.put("cpu", cpuModel());
    m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
    m.put("jvm", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
    Properties versions = new Properties();
    try (InputStream in = MachineInfo.class.getResourceAsStream("/benchmark-versions.properties")) {
      if (in != null) {
        versions.load(in);
      }
    } catch (IOException ignored) {
      // versions stay unknown
    }
    for (String k : new String[] {"beam", "flink", "spark", "parquet"}) {
      m.put(k, versions.getProperty(k, "unknown"));
    }
    return m;
  }

  private static String memory() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
        if (line.startsWith("MemTotal:")) {
          long kb = Long.parseLong(line.replaceAll("[^0-9]", ""));
          return String.format("%.1f GiB", kb / 1024.0 / 1024.0);
        }
      }
    } catch (IOException | RuntimeException ignored) {
      // not Linux
    }
    return "unknown";
  }

  private static String cpuModel() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (line.startsWith("model name")) {
          return line.substring(line.indexOf(':') + 1).trim();
        }
      }
    } catch (IOException | RuntimeException ignored) {
      // not Linux
    }
    return "unknown";
  }
}
