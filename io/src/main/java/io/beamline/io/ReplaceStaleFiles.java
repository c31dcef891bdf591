package io.beamline.io;

import io.beamline.transforms.DeadLetters;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.io.fs.MoveOptions.StandardMoveOptions;
import org.apache.beam.sdk.io.fs.ResolveOptions.StandardResolveOptions;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * Given the files a write just finalised, deletes every other visible file in their directories:
 * what an earlier run with other file names left there. Hidden and '_'-prefixed entries are left
 * alone. Outputs the files kept, so that later steps can wait on it.
 */
final class ReplaceStaleFiles extends PTransform<PCollection<String>, PCollection<String>> {
  private ReplaceStaleFiles() {}

  static ReplaceStaleFiles inTheirDirectories() {
    return new ReplaceStaleFiles();
  }

  /** Directories are spread over this many groups: parallel on clusters, few keys on Direct. */
  static final int GROUPS = 16;

  @Override
  public PCollection<String> expand(PCollection<String> written) {
    return written
        .apply(
            "SpreadByDirectory",
            WithKeys.of((String f) -> Math.floorMod(directoryOf(f).hashCode(), GROUPS))
                .withKeyType(TypeDescriptors.integers()))
        .apply("GroupDirectories", GroupByKey.create())
        .apply("DeleteOthers", ParDo.of(new DeleteOthersFn()));
  }

  private static String directoryOf(String file) {
    return FileSystems.matchNewResource(file, false).getCurrentDirectory().toString();
  }

  static final class DeleteOthersFn extends DoFn<KV<Integer, Iterable<String>>, String> {
    private final Counter deleted = Metrics.counter(DeadLetters.METRICS_NAMESPACE, "stale_files_deleted");

    @ProcessElement
    public void process(ProcessContext c) throws IOException {
      Map<String, Set<String>> keepByDirectory = new TreeMap<>();
      for (String f : c.element().getValue()) {
        keepByDirectory
            .computeIfAbsent(directoryOf(f), d -> new HashSet<>())
            .add(FileSystems.matchNewResource(f, false).getFilename());
        c.output(f);
      }
      for (Map.Entry<String, Set<String>> dir : keepByDirectory.entrySet()) {
        deleteOthers(dir.getKey(), dir.getValue());
      }
    }

    private void deleteOthers(String directory, Set<String> keep) throws IOException {
      ResourceId dir = FileSystems.matchNewResource(directory, true);
      MatchResult match =
          FileSystems.match(dir.resolve("*", StandardResolveOptions.RESOLVE_FILE).toString());
      if (match.status() != MatchResult.Status.OK) {
        return;
      }
      List<ResourceId> stale = new ArrayList<>();
      for (MatchResult.Metadata m : match.metadata()) {
        String name = m.resourceId().getFilename();
        if (name != null && !name.startsWith(".") && !name.startsWith("_") && !keep.contains(name)) {
          stale.add(m.resourceId());
        }
      }
      FileSystems.delete(stale, StandardMoveOptions.IGNORE_MISSING_FILES);
      deleted.inc(stale.size());
    }
  }
}
