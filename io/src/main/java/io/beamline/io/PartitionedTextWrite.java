package io.beamline.io;

import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.io.TextIO;
import org.apache.beam.sdk.transforms.Contextful;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.Values;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;

/**
 * Writes lines into partition directories below the output root: each element is (partition
 * directory relative to the root, line). Used for the raw and dlq zones, as JSON lines. Same file
 * visibility and rerun behaviour as {@link PartitionedParquetWrite}.
 */
public final class PartitionedTextWrite
    extends PTransform<PCollection<KV<String, String>>, PCollection<String>> {
  private final String outputRoot;
  private final int shardsPerPartition;
  private final boolean replaceEarlierFiles;
  private final String filePrefix;

  private PartitionedTextWrite(
      String outputRoot, int shardsPerPartition, boolean replaceEarlierFiles, String filePrefix) {
    this.outputRoot = outputRoot;
    this.shardsPerPartition = shardsPerPartition;
    this.replaceEarlierFiles = replaceEarlierFiles;
    this.filePrefix = filePrefix;
  }

  public static PartitionedTextWrite to(String outputRoot) {
    return new PartitionedTextWrite(outputRoot, 1, true, "part");
  }

  /** For windowed input; see {@link PartitionedParquetWrite#keepingOtherFiles(String)}. */
  public PartitionedTextWrite keepingOtherFiles(String runToken) {
    return new PartitionedTextWrite(outputRoot, shardsPerPartition, false, "part-" + runToken);
  }

  public PartitionedTextWrite withShardsPerPartition(int shards) {
    if (shards < 1) {
      throw new IllegalArgumentException("--shardsPerPartition must be at least 1, got " + shards);
    }
    return new PartitionedTextWrite(outputRoot, shards, replaceEarlierFiles, filePrefix);
  }

  @Override
  public PCollection<String> expand(PCollection<KV<String, String>> lines) {
    String prefix = filePrefix;
    if (!replaceEarlierFiles && lines.isBounded() == PCollection.IsBounded.UNBOUNDED) {
      return lines.apply(
          "WriteJsonLinePanes",
          new StablePaneWrite<KV<String, String>, String>(
              new StablePaneWrite.PaneFiles<>(
                  outputRoot, prefix, ".jsonl", shardsPerPartition, KV::getValue, partition -> TextIO.sink()),
              KV::getKey));
    }
    PCollection<String> written =
        lines
        .apply(
            "WriteJsonLines",
            FileIO.<String, KV<String, String>>writeDynamic()
                .by(KV::getKey)
                .withDestinationCoder(StringUtf8Coder.of())
                .via(Contextful.fn(KV::getValue), TextIO.sink())
                .to(outputRoot)
                .withNaming(partition -> new PartitionFileNaming(partition, prefix, ".jsonl"))
                .withNumShards(shardsPerPartition))
        .getPerDestinationOutputFilenames()
        .apply("WrittenFiles", Values.create());
    return replaceEarlierFiles
        ? written.apply("ReplaceEarlierFiles", ReplaceStaleFiles.inTheirDirectories())
        : written;
  }
}
