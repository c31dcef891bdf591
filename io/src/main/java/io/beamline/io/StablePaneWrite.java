package io.beamline.io;

import java.io.IOException;
import java.io.Serializable;
import java.nio.channels.WritableByteChannel;
import java.util.List;
import java.util.UUID;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.ShardedKeyCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.io.Compression;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.MoveOptions.StandardMoveOptions;
import org.apache.beam.sdk.io.fs.ResolveOptions.StandardResolveOptions;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.PaneInfo;
import org.apache.beam.sdk.util.MimeTypes;
import org.apache.beam.sdk.values.ShardedKey;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;

/**
 * Writes each pane of a windowed stream into partition files named after window, pane and shard
 * ({@link PartitionFileNaming}), from stable input: the step that writes a pane sees it only once
 * the runner has made it durable (on Flink, once a checkpoint holding it completed). A pane replayed
 * after a restore is therefore the same pane, with the same rows, and rewrites the same files.
 *
 * <p>FileIO's windowed write names files the same way, but after a restore its grouping may cut the
 * replayed rows into other panes (the watermark and processing-time triggers fire at other moments)
 * or other shards, and files of the first attempt's panes then stay beside the new ones: rows
 * twice. Each file is written under a hidden temporary name in its partition and renamed into place.
 * Outputs the paths of the files written.
 */
final class StablePaneWrite<T, OutT> extends PTransform<PCollection<T>, PCollection<String>> {
  /**
   * Where a partition's pane files go and how an element becomes a file's record: {@code outputOf}
   * turns an element into what {@code sinkFor(partition)} writes.
   */
  record PaneFiles<T, OutT>(
      String outputRoot,
      String filePrefix,
      String suffix,
      int shards,
      SerializableFunction<T, OutT> outputOf,
      SerializableFunction<String, FileIO.Sink<OutT>> sinkFor)
      implements Serializable {}

  private final PaneFiles<T, OutT> files;
  private final SerializableFunction<T, String> partitionOf;

  StablePaneWrite(PaneFiles<T, OutT> files, SerializableFunction<T, String> partitionOf) {
    this.files = files;
    this.partitionOf = partitionOf;
  }

  @Override
  public PCollection<String> expand(PCollection<T> input) {
    Coder<T> coder = input.getCoder();
    return input
        .apply("AssignShard", ParDo.of(new AssignShardFn<>(partitionOf, files.shards())))
        .setCoder(KvCoder.of(ShardedKeyCoder.of(StringUtf8Coder.of()), coder))
        .apply("GroupPanes", GroupByKey.create())
        .apply("WritePaneFiles", ParDo.of(new WritePaneFileFn<>(files)));
  }

  /** The shard follows from the element, so a replayed element lands in the shard it had. */
  static final class AssignShardFn<T> extends DoFn<T, KV<ShardedKey<String>, T>> {
    private final SerializableFunction<T, String> partitionOf;
    private final int shards;

    AssignShardFn(SerializableFunction<T, String> partitionOf, int shards) {
      this.partitionOf = partitionOf;
      this.shards = shards;
    }

    @ProcessElement
    public void process(@Element T element, OutputReceiver<KV<ShardedKey<String>, T>> out) {
      int shard = shards == 1 ? 0 : Math.floorMod(element.hashCode(), shards);
      out.output(KV.of(ShardedKey.of(partitionOf.apply(element), shard), element));
    }
  }

  /** Writes one pane of one partition's shard to its file. */
  static final class WritePaneFileFn<T, OutT> extends DoFn<KV<ShardedKey<String>, Iterable<T>>, String> {
    private final PaneFiles<T, OutT> files;

    WritePaneFileFn(PaneFiles<T, OutT> files) {
      this.files = files;
    }

    @ProcessElement
    @RequiresStableInput
    public void process(
        @Element KV<ShardedKey<String>, Iterable<T>> pane,
        BoundedWindow window,
        PaneInfo paneInfo,
        OutputReceiver<String> out)
        throws IOException {
      String partition = pane.getKey().getKey();
      String name =
          new PartitionFileNaming(partition, files.filePrefix(), files.suffix())
              .getFilename(window, paneInfo, files.shards(), pane.getKey().getShardNumber(), Compression.UNCOMPRESSED);
      ResourceId target =
          FileSystems.matchNewResource(files.outputRoot(), true).resolve(name, StandardResolveOptions.RESOLVE_FILE);
      ResourceId temp =
          target
              .getCurrentDirectory()
              .resolve("." + target.getFilename() + ".tmp-" + UUID.randomUUID(), StandardResolveOptions.RESOLVE_FILE);
      boolean moved = false;
      try {
        FileIO.Sink<OutT> sink = files.sinkFor().apply(partition);
        try (WritableByteChannel channel = FileSystems.create(temp, MimeTypes.BINARY)) {
          sink.open(channel);
          for (T element : pane.getValue()) {
            sink.write(files.outputOf().apply(element));
          }
          sink.flush();
        }
        FileSystems.rename(List.of(temp), List.of(target));
        moved = true;
      } finally {
        if (!moved) {
          FileSystems.delete(List.of(temp), StandardMoveOptions.IGNORE_MISSING_FILES);
        }
      }
      out.output(target.toString());
    }
  }
}
