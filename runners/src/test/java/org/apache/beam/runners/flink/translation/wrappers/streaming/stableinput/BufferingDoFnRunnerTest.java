package org.apache.beam.runners.flink.translation.wrappers.streaming.stableinput;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.is;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.runners.core.DoFnRunner;
import org.apache.beam.runners.core.construction.SerializablePipelineOptions;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.state.TimeDomain;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.util.WindowedValue;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.runtime.state.OperatorStateBackend;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * Beamline's replacement of the Flink runner's stable-input buffer, driven as {@code DoFnOperator}
 * drives it (elements, checkpoints, completions), with the operator's list states in memory so
 * that a snapshot can be restored, as after a failure. One checkpoint at a time, Flink's default.
 */
class BufferingDoFnRunnerTest {
  private final Recorder step = new Recorder();

  @Test
  void theFirstCheckpointAfterARestoreHandsOnNothingThatArrivedAfterIt() throws Exception {
    OperatorState running = new OperatorState();
    BufferingDoFnRunner<String, String> beforeFailure = buffer(running);
    beforeFailure.processElement(element("a1", 10));
    beforeFailure.checkpoint(1);
    OperatorState checkpoint1 = running.snapshot();

    BufferingDoFnRunner<String, String> restored = buffer(checkpoint1);
    restored.processElement(element("b1", 20));
    restored.checkpoint(2);
    restored.processElement(element("b2", 30));
    restored.checkpointCompleted(2);

    assertThat(step.received, contains("a1", "b1"));
    restored.checkpoint(3);
    restored.checkpointCompleted(3);
    assertThat(step.received, contains("a1", "b1", "b2"));
  }

  @Test
  void aCheckpointBeginningBeforeThePreviousOneIsAcknowledgedGetsItsOwnBuffer() throws Exception {
    BufferingDoFnRunner<String, String> buffer = buffer(new OperatorState());
    buffer.processElement(element("a1", 10));
    buffer.checkpoint(1);
    buffer.processElement(element("a2", 20));
    buffer.checkpoint(2);
    buffer.processElement(element("a3", 30));

    buffer.checkpointCompleted(1);
    assertThat(step.received, contains("a1"));
    buffer.checkpointCompleted(2);
    assertThat(step.received, contains("a1", "a2"));
  }

  @Test
  void nothingIsHandedOnBeforeACheckpointHoldingItCompletes() throws Exception {
    BufferingDoFnRunner<String, String> buffer = buffer(new OperatorState());
    buffer.processElement(element("a1", 10));
    buffer.checkpoint(1);

    assertThat(step.received, is(empty()));
  }

  @Test
  void aLaterCompletionHandsOnTheBuffersOfEarlierCheckpointsOldestFirst() throws Exception {
    BufferingDoFnRunner<String, String> buffer = buffer(new OperatorState());
    buffer.processElement(element("a1", 10));
    buffer.checkpoint(1);
    buffer.processElement(element("a2", 20));
    buffer.checkpoint(2);

    buffer.checkpointCompleted(2);

    assertThat(step.received, contains("a1", "a2"));
  }

  @Test
  void theWatermarkHoldCoversElementsBufferedAfterTheCompletedCheckpoint() throws Exception {
    BufferingDoFnRunner<String, String> buffer = buffer(new OperatorState());
    buffer.processElement(element("a1", 10));
    buffer.checkpoint(1);
    buffer.processElement(element("b1", 20));

    buffer.checkpointCompleted(1);
    assertThat(buffer.getOutputWatermarkHold(), is(20L));
    buffer.checkpoint(2);
    buffer.checkpointCompleted(2);
    assertThat(buffer.getOutputWatermarkHold(), is(Long.MAX_VALUE));
  }

  @Test
  void aRestoredBufferHoldsTheWatermarkUntilItIsHandedOn() throws Exception {
    OperatorState running = new OperatorState();
    BufferingDoFnRunner<String, String> beforeFailure = buffer(running);
    beforeFailure.processElement(element("a1", 10));
    beforeFailure.checkpoint(1);

    BufferingDoFnRunner<String, String> restored = buffer(running.snapshot());
    assertThat(restored.getOutputWatermarkHold(), is(Long.MIN_VALUE));
    restored.checkpoint(2);
    restored.checkpointCompleted(2);
    assertThat(restored.getOutputWatermarkHold(), is(Long.MAX_VALUE));
    assertThat(step.received, contains("a1"));
  }

  @Test
  void aSnapshotOfBeamsOwnBufferRestoresAndIsHandedOnFirst() throws Exception {
    // Beam's class, one checkpoint at a time, had linked buffer 1 to checkpoint 5 when it failed.
    OperatorState beams = new OperatorState();
    beams.list("notYetAcknowledgedSnapshots").add(new BufferingDoFnRunner.CheckpointIdentifier(1, 5));
    beams.list("stable-input-buffer1").add(new BufferedElements.Element(element("a1", 10)));

    BufferingDoFnRunner<String, String> restored = buffer(beams);
    restored.processElement(element("b1", 20));
    restored.checkpoint(6);
    restored.processElement(element("b2", 30));
    restored.checkpointCompleted(6);

    assertThat(step.received, contains("a1", "b1"));
  }

  private static WindowedValue<String> element(String value, long timestampMillis) {
    return WindowedValue.timestampedValueInGlobalWindow(value, new Instant(timestampMillis));
  }

  private BufferingDoFnRunner<String, String> buffer(OperatorState state) throws Exception {
    return BufferingDoFnRunner.create(
        step,
        "stable-input-buffer",
        WindowedValue.getFullCoder(StringUtf8Coder.of(), GlobalWindow.Coder.INSTANCE),
        GlobalWindow.Coder.INSTANCE,
        state.backend(),
        null,
        1,
        new SerializablePipelineOptions(PipelineOptionsFactory.as(FlinkPipelineOptions.class)));
  }

  /** An operator's list states by name, in memory; a snapshot is a copy of every list. */
  private static final class OperatorState {
    private final Map<String, List<Object>> lists = new HashMap<>();

    List<Object> list(String name) {
      return lists.computeIfAbsent(name, n -> new ArrayList<>());
    }

    OperatorState snapshot() {
      OperatorState copy = new OperatorState();
      lists.forEach((name, values) -> copy.list(name).addAll(values));
      return copy;
    }

    /** Answers the two calls the buffer makes; any other call fails the test. */
    OperatorStateBackend backend() {
      return (OperatorStateBackend)
          Proxy.newProxyInstance(
              getClass().getClassLoader(),
              new Class<?>[] {OperatorStateBackend.class},
              (proxy, method, args) -> {
                if (method.getName().equals("getListState")
                    || method.getName().equals("getUnionListState")) {
                  return new InMemoryListState(list(((ListStateDescriptor<?>) args[0]).getName()));
                }
                throw new UnsupportedOperationException(method.getName());
              });
    }
  }

  @SuppressWarnings({"rawtypes", "unchecked"})
  private static final class InMemoryListState implements ListState {
    private final List<Object> values;

    InMemoryListState(List<Object> values) {
      this.values = values;
    }

    @Override
    public Iterable get() {
      return new ArrayList<>(values);
    }

    @Override
    public void add(Object value) {
      values.add(value);
    }

    @Override
    public void update(List newValues) {
      values.clear();
      values.addAll(newValues);
    }

    @Override
    public void addAll(List newValues) {
      values.addAll(newValues);
    }

    @Override
    public void clear() {
      values.clear();
    }
  }

  /** The stable-input step: records the values it is handed, in order. */
  private static final class Recorder implements DoFnRunner<String, String> {
    final List<String> received = new ArrayList<>();

    @Override
    public void startBundle() {}

    @Override
    public void processElement(WindowedValue<String> elem) {
      received.add(elem.getValue());
    }

    @Override
    public <KeyT> void onTimer(
        String timerId,
        String timerFamilyId,
        KeyT key,
        BoundedWindow window,
        Instant timestamp,
        Instant outputTimestamp,
        TimeDomain timeDomain) {
      received.add("timer " + timerId);
    }

    @Override
    public void finishBundle() {}

    @Override
    public <KeyT> void onWindowExpiration(BoundedWindow window, Instant timestamp, KeyT key) {}

    @Override
    public DoFn<String, String> getFn() {
      throw new UnsupportedOperationException("not asked by the buffer");
    }
  }
}
