package io.beamline.pipelines.report;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.beamline.transforms.Json;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.beam.sdk.io.fs.MatchResult;

/**
 * The partitions a run wrote, per zone: partition directories, files and bytes, from a listing of
 * the output tree (no file is read). A file counts when it was last modified at or after the run's
 * start (to the second, as object stores keep it), so a run over a lake counts its own files
 * only; hidden and staging names ({@code .}, {@code _}) are left out.
 */
final class PartitionsWritten {
  /** Zones in the order the report shows them; others follow by name. */
  static final List<String> ZONE_ORDER = List.of("raw", "etl", "dlq", "quarantine", "agg", "audit");

  private PartitionsWritten() {}

  static ArrayNode of(String outputRoot, Instant since) {
    long sinceMillis = since.truncatedTo(ChronoUnit.SECONDS).toEpochMilli();
    String prefix = canonical(outputRoot) + "/";
    Map<String, long[]> byZone = new TreeMap<>();
    Map<String, Set<String>> partitions = new TreeMap<>();
    for (MatchResult.Metadata m : ReportFiles.match(prefix + "**")) {
      String path = m.resourceId().toString();
      String relative = path.startsWith(prefix) ? path.substring(prefix.length()) : null;
      if (relative == null || hidden(relative) || m.lastModifiedMillis() < sinceMillis) {
        continue;
      }
      int slash = relative.indexOf('/');
      if (slash < 0) {
        continue; // a file directly below the root belongs to no zone
      }
      String zone = relative.substring(0, slash);
      int last = relative.lastIndexOf('/');
      long[] counts = byZone.computeIfAbsent(zone, z -> new long[2]);
      counts[0]++;
      counts[1] += m.sizeBytes();
      partitions.computeIfAbsent(zone, z -> new HashSet<>()).add(relative.substring(0, last));
    }
    Map<String, long[]> ordered = new LinkedHashMap<>();
    ZONE_ORDER.stream().filter(byZone::containsKey).forEach(z -> ordered.put(z, byZone.get(z)));
    byZone.forEach(ordered::putIfAbsent);
    ArrayNode out = Json.MAPPER.createArrayNode();
    ordered.forEach(
        (zone, counts) -> {
          ObjectNode o = out.addObject();
          o.put("zone", zone);
          o.put("partitions", partitions.get(zone).size());
          o.put("files", counts[0]);
          o.put("bytes", counts[1]);
        });
    return out;
  }

  /** The root as the file system names what it lists: local paths absolute, object stores as given. */
  static String canonical(String outputRoot) {
    String root = outputRoot.replaceAll("/+$", "");
    if (root.contains("://")) {
      return root;
    }
    return Path.of(root.startsWith("file:") ? root.substring(5) : root).toAbsolutePath().normalize().toString();
  }

  private static boolean hidden(String relative) {
    for (String segment : relative.split("/")) {
      if (segment.startsWith(".") || segment.startsWith("_") || segment.endsWith(".tmp")) {
        return true;
      }
    }
    return false;
  }
}
