/*
 * Replaces the class of the same name in Apache Beam 2.62's Flink runner (Apache License 2.0):
 * same constructor, methods and checkpoint format. It is first on Beamline's classpaths (its own
 * classes precede the runner's jar, in tests and in the bundled jar). Delete it once Beamline
 * moves to a Beam release with the fix of Beam issue #31313.
 */
package org.apache.beam.runners.flink.translation.wrappers.streaming.io.source;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import javax.annotation.Nullable;
import org.apache.beam.sdk.io.BoundedSource;
import org.apache.beam.sdk.io.Source;
import org.apache.beam.sdk.io.UnboundedSource;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.connector.source.SplitsAssignment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Beamline's replacement for Beam 2.62's enumerator of a Flink source: splits the Beam source once
 * per job, not once per start.
 *
 * <p>Beam 2.62's enumerator split the source again whenever it started, including when Flink
 * restored it from a savepoint or a checkpoint (a resumed job, a global failover). The readers
 * restore their own splits from the same snapshot, so every restored reader got each of its
 * splits twice: one resuming at the snapshot's position, one fresh, both reading the same Kafka
 * partition under the same split id. Rows were read twice (the stream's deduplication hid it) and
 * the split's watermark, now fed by two readers, could stop advancing, so event-time windows no
 * longer closed (the etl zone of a resumed stream stopped growing; Beam issue #31313, fixed after
 * 2.62).
 *
 * <p>Here the snapshot carries a marker once the splits exist, and an enumerator restored from a
 * snapshot with the marker only hands out the splits the snapshot holds. A snapshot without it
 * (taken before the first split, or by Beam's own enumerator) is split again, as before.
 */
public class FlinkSourceSplitEnumerator<T>
    implements SplitEnumerator<FlinkSourceSplit<T>, Map<Integer, List<FlinkSourceSplit<T>>>> {
  /** The snapshot's key for "the source was split already"; never a subtask index. */
  static final int SPLIT_ALREADY = Integer.MIN_VALUE;

  private static final Logger LOG = LoggerFactory.getLogger(FlinkSourceSplitEnumerator.class);

  private final SplitEnumeratorContext<FlinkSourceSplit<T>> context;
  private final Source<T> beamSource;
  private final PipelineOptions pipelineOptions;
  private final int numSplits;
  private final Map<Integer, List<FlinkSourceSplit<T>>> pendingSplits;
  private boolean splitsInitialized;

  public FlinkSourceSplitEnumerator(
      SplitEnumeratorContext<FlinkSourceSplit<T>> context,
      Source<T> beamSource,
      PipelineOptions pipelineOptions,
      int numSplits) {
    this.context = context;
    this.beamSource = beamSource;
    this.pipelineOptions = pipelineOptions;
    this.numSplits = numSplits;
    this.pendingSplits = new HashMap<>(numSplits);
  }

  @Override
  public void start() {
    if (splitsInitialized) {
      LOG.info("Restored source {}: its splits are the snapshot's, not split again", beamSource);
      assignPendingSplitsToRegisteredReaders();
      return;
    }
    context.callAsync(
        this::splitIntoFlinkSplits,
        (splits, error) -> {
          if (error != null) {
            throw new RuntimeException("Failed to start source enumerator.", error);
          }
          pendingSplits.putAll(splits);
          splitsInitialized = true;
          assignPendingSplitsToRegisteredReaders();
        });
  }

  @Override
  public void handleSplitRequest(int subtaskId, @Nullable String requesterHostname) {
    // Splits are assigned when a reader registers, not on request.
  }

  /**
   * Splits given back by a failed reader, and (through {@code FlinkSource.restoreEnumerator}) each
   * entry of a restored snapshot, the marker included.
   */
  @Override
  public void addSplitsBack(List<FlinkSourceSplit<T>> splits, int subtaskId) {
    if (subtaskId == SPLIT_ALREADY) {
      splitsInitialized = true;
      return;
    }
    LOG.info("Adding splits {} back from subtask {}", splits, subtaskId);
    pendingSplits.computeIfAbsent(subtaskId, ignored -> new ArrayList<>()).addAll(splits);
  }

  @Override
  public void addReader(int subtaskId) {
    List<FlinkSourceSplit<T>> splitsForSubtask = pendingSplits.remove(subtaskId);
    if (splitsForSubtask != null) {
      assign(splitsForSubtask, subtaskId);
    } else if (splitsInitialized) {
      LOG.info("There is no split for subtask {}. Signaling no more splits.", subtaskId);
      context.signalNoMoreSplits(subtaskId);
    }
  }

  @Override
  public Map<Integer, List<FlinkSourceSplit<T>>> snapshotState(long checkpointId) {
    Map<Integer, List<FlinkSourceSplit<T>>> snapshot = new HashMap<>();
    pendingSplits.forEach((subtask, splits) -> snapshot.put(subtask, new ArrayList<>(splits)));
    if (splitsInitialized) {
      snapshot.put(SPLIT_ALREADY, new ArrayList<>());
    }
    return snapshot;
  }

  @Override
  public void close() {}

  private Map<Integer, List<FlinkSourceSplit<T>>> splitIntoFlinkSplits() throws Exception {
    List<? extends Source<T>> beamSplits;
    if (beamSource instanceof BoundedSource) {
      BoundedSource<T> bounded = (BoundedSource<T>) beamSource;
      beamSplits = bounded.split(bounded.getEstimatedSizeBytes(pipelineOptions) / numSplits, pipelineOptions);
    } else if (beamSource instanceof UnboundedSource) {
      beamSplits = ((UnboundedSource<T, ?>) beamSource).split(numSplits, pipelineOptions);
    } else {
      throw new IllegalStateException("Unknown source type " + beamSource.getClass());
    }
    LOG.info("Split source {} into {} splits", beamSource, beamSplits.size());
    Map<Integer, List<FlinkSourceSplit<T>>> bySubtask = new HashMap<>();
    for (int i = 0; i < beamSplits.size(); i++) {
      bySubtask
          .computeIfAbsent(i % context.currentParallelism(), ignored -> new ArrayList<>())
          .add(new FlinkSourceSplit<>(i, beamSplits.get(i)));
    }
    return bySubtask;
  }

  private void assignPendingSplitsToRegisteredReaders() {
    Iterator<Map.Entry<Integer, List<FlinkSourceSplit<T>>>> pending = pendingSplits.entrySet().iterator();
    while (pending.hasNext()) {
      Map.Entry<Integer, List<FlinkSourceSplit<T>>> entry = pending.next();
      int subtask = entry.getKey() % context.currentParallelism();
      if (context.registeredReaders().containsKey(subtask)) {
        assign(entry.getValue(), subtask);
        pending.remove();
      }
    }
  }

  private void assign(List<FlinkSourceSplit<T>> splits, int subtaskId) {
    context.assignSplits(new SplitsAssignment<>(Map.of(subtaskId, splits)));
    context.signalNoMoreSplits(subtaskId);
    LOG.info("Assigned splits {} to subtask {}", splits, subtaskId);
  }
}
