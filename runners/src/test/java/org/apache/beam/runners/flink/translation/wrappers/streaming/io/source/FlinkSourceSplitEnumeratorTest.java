package org.apache.beam.runners.flink.translation.wrappers.streaming.io.source;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.is;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.BiConsumer;
import org.apache.beam.runners.core.construction.SerializablePipelineOptions;
import org.apache.beam.runners.flink.translation.wrappers.streaming.io.source.unbounded.FlinkUnboundedSource;
import org.apache.beam.sdk.io.CountingSource;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.flink.api.connector.source.ReaderInfo;
import org.apache.flink.api.connector.source.SourceEvent;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.connector.source.SplitsAssignment;
import org.apache.flink.metrics.groups.SplitEnumeratorMetricGroup;
import org.junit.jupiter.api.Test;

/**
 * Beamline's replacement of the Flink runner's split enumerator, driven through Beam's own {@link
 * FlinkSource} as Flink drives it: created or restored from a snapshot, started, readers added.
 */
class FlinkSourceSplitEnumeratorTest {
  private final FlinkUnboundedSource<Long> source =
      FlinkSource.unbounded(
          "ReadNumbers",
          CountingSource.unbounded(),
          new SerializablePipelineOptions(PipelineOptionsFactory.create()),
          2);

  @Test
  void aNewJobSplitsTheSourceAndGivesEachReaderItsSplit() throws Exception {
    TwoReaders readers = new TwoReaders();
    startWithReaders(source.createEnumerator(readers));

    assertThat(readers.splitIndexesOf(0), contains(0));
    assertThat(readers.splitIndexesOf(1), contains(1));
  }

  @Test
  void aRestoredJobHandsOutNoSplitTheReadersRestoredThemselves() throws Exception {
    SplitEnumerator<FlinkSourceSplit<Long>, Map<Integer, List<FlinkSourceSplit<Long>>>> running =
        source.createEnumerator(new TwoReaders());
    startWithReaders(running);
    Map<Integer, List<FlinkSourceSplit<Long>>> savepoint = running.snapshotState(7);

    TwoReaders resumed = new TwoReaders();
    startWithReaders(source.restoreEnumerator(resumed, savepoint));

    assertThat(resumed.splitIndexesOf(0), is(empty()));
    assertThat(resumed.splitIndexesOf(1), is(empty()));
    assertThat(resumed.noMoreSplits, containsInAnyOrder(0, 1));
  }

  @Test
  void aRestoredJobHandsOutTheSplitsItsSnapshotHeldBack() throws Exception {
    TwoReaders first = new TwoReaders();
    SplitEnumerator<FlinkSourceSplit<Long>, Map<Integer, List<FlinkSourceSplit<Long>>>> running =
        source.createEnumerator(first);
    startWithReaders(running);
    running.addSplitsBack(first.assigned.get(1), 1);
    Map<Integer, List<FlinkSourceSplit<Long>>> checkpoint = running.snapshotState(8);

    TwoReaders restored = new TwoReaders();
    startWithReaders(source.restoreEnumerator(restored, checkpoint));

    assertThat(restored.splitIndexesOf(0), is(empty()));
    assertThat(restored.splitIndexesOf(1), contains(1));
  }

  @Test
  void aSnapshotTakenBeforeTheSourceWasSplitIsSplitOnRestore() throws Exception {
    SplitEnumerator<FlinkSourceSplit<Long>, Map<Integer, List<FlinkSourceSplit<Long>>>> notStarted =
        source.createEnumerator(new TwoReaders());
    Map<Integer, List<FlinkSourceSplit<Long>>> early = notStarted.snapshotState(1);

    TwoReaders restored = new TwoReaders();
    startWithReaders(source.restoreEnumerator(restored, early));

    assertThat(restored.splitIndexesOf(0), contains(0));
    assertThat(restored.splitIndexesOf(1), contains(1));
  }

  private static void startWithReaders(
      SplitEnumerator<FlinkSourceSplit<Long>, Map<Integer, List<FlinkSourceSplit<Long>>>> enumerator) {
    enumerator.start();
    enumerator.addReader(0);
    enumerator.addReader(1);
  }

  /** Two registered readers; runs asynchronous calls at once and records what it was told. */
  private static final class TwoReaders implements SplitEnumeratorContext<FlinkSourceSplit<Long>> {
    final Map<Integer, List<FlinkSourceSplit<Long>>> assigned = new HashMap<>();
    final List<Integer> noMoreSplits = new ArrayList<>();

    List<Integer> splitIndexesOf(int subtask) {
      return assigned.getOrDefault(subtask, List.of()).stream().map(FlinkSourceSplit::splitIndex).toList();
    }

    @Override
    public SplitEnumeratorMetricGroup metricGroup() {
      throw new UnsupportedOperationException();
    }

    @Override
    public void sendEventToSourceReader(int subtaskId, SourceEvent event) {
      throw new UnsupportedOperationException();
    }

    @Override
    public int currentParallelism() {
      return 2;
    }

    @Override
    public Map<Integer, ReaderInfo> registeredReaders() {
      return Map.of(0, new ReaderInfo(0, "localhost"), 1, new ReaderInfo(1, "localhost"));
    }

    @Override
    public void assignSplits(SplitsAssignment<FlinkSourceSplit<Long>> assignment) {
      assignment.assignment().forEach((subtask, splits) -> assigned.computeIfAbsent(subtask, s -> new ArrayList<>()).addAll(splits));
    }

    @Override
    public void signalNoMoreSplits(int subtask) {
      noMoreSplits.add(subtask);
    }

    @Override
    public <T> void callAsync(Callable<T> callable, BiConsumer<T, Throwable> handler) {
      try {
        handler.accept(callable.call(), null);
      } catch (Exception e) {
        handler.accept(null, e);
      }
    }

    @Override
    public <T> void callAsync(Callable<T> callable, BiConsumer<T, Throwable> handler, long initialDelay, long period) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void runInCoordinatorThread(Runnable runnable) {
      runnable.run();
    }
  }
}
