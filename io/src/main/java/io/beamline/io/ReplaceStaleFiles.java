package io.beamline.io;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.io.fs.MoveOptions.StandardMoveOptions;
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

  @Override
  public PCollection<String> expand(PCollection<String> written) {
    return written
        .apply(
            "ByDirectory",
            WithKeys.of((String f) -> FileSystems.matchNewResource(f, false).getCurrentDirectory().toString())
                .withKeyType(TypeDescriptors.strings()))
        .apply("GroupByDirectory", GroupByKey.create())
        .apply("DeleteOthers", ParDo.of(new DeleteOthersFn()));
  }

  static final class DeleteOthersFn extends DoFn<KV<String, Iterable<String>>, String> {
    private final Counter deleted = Metrics.counter("beamline", "stale_files_deleted");

    @ProcessElement
    public void process(ProcessContext c) throws IOException {
      Set<String> keep = new HashSet<>();
      for (String f : c.element().getValue()) {
        keep.add(FileSystems.matchNewResource(f, false).getFilename());
        c.output(f);
      }
      ResourceId dir = FileSystems.matchNewResource(c.element().getKey(), true);
      MatchResult match =
          FileSystems.match(dir.resolve("*", org.apache.beam.sdk.io.fs.ResolveOptions.StandardResolveOptions.RESOLVE_FILE).toString());
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
