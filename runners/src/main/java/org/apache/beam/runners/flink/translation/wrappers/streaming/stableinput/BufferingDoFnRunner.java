/*
 * Replaces the class of the same name in Apache Beam 2.62's Flink runner (Apache License 2.0):
 * same factory methods and public methods, same state names and checkpoint format (a snapshot
 * taken by Beam's class restores here, and the other way round). It is first on Beamline's
 * classpaths (its own classes precede the runner's jar, in tests and in the bundled jar). Delete it
 * once Beamline moves to a Beam release that fixes both flaws described below.
 */
package org.apache.beam.runners.flink.translation.wrappers.streaming.stableinput;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.beam.runners.core.DoFnRunner;
import org.apache.beam.runners.core.construction.SerializablePipelineOptions;
import org.apache.beam.runners.flink.translation.types.CoderTypeSerializer;
import org.apache.beam.runners.flink.translation.utils.Locker;
import org.apache.beam.sdk.state.TimeDomain;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.util.WindowedValue;
import org.apache.beam.vendor.guava.v32_1_2_jre.com.google.common.base.Preconditions;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.OperatorStateBackend;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;

/**
 * Beamline's replacement for Beam 2.62's buffer of a {@code @RequiresStableInput} step on Flink:
 * holds each element until a checkpoint that contains it completes, then hands it to the step.
 *
 * <p>Elements go into a numbered buffer (a list state {@code <stateName><n>}); a checkpoint
 * links the current buffer to its id and starts the next one, and the checkpoint's completion
 * releases the buffers of every checkpoint up to it. Beam's class picked the next buffer in a
 * fixed rotation of {@code maxConcurrentCheckpoints + 1}, whether or not that buffer was still
 * waiting for its checkpoint. Two ways reach a waiting one with one checkpoint at a time:
 *
 * <ul>
 *   <li>after a restore, the restored checkpoint's buffer waits for the next completion, and the
 *       first checkpoint after the restore rotates back onto it;
 *   <li>Flink may deliver a checkpoint's barrier before the previous checkpoint's completion.
 * </ul>
 *
 * Elements that arrived after the new checkpoint then went out with the old buffer, before any
 * completed checkpoint held them: a failure before the next checkpoint replayed them, and the
 * exactly-once Kafka sink numbered them again in another order (one row lost, one written twice,
 * seen in Beamline's {@code FlinkClusterFaultsTest}). Here the next buffer is the lowest number
 * that no unacknowledged checkpoint holds, so a buffer is only reused once released.
 *
 * <p>Second, Beam's class cleared its watermark hold whenever a checkpoint completed, although
 * the current buffer (elements after that checkpoint) still held elements: the step's output
 * watermark could pass them (Beam issue #39991). Here each buffer keeps its own earliest
 * timestamp and the hold is the earliest of those not yet released; a buffer restored from a
 * checkpoint holds the watermark back entirely until it is released, since its timestamps are
 * not known without reading it.
 */
@SuppressWarnings({"rawtypes", "nullness"})
public class BufferingDoFnRunner<InputT, OutputT> implements DoFnRunner<InputT, OutputT> {

  public static <InputT, OutputT> BufferingDoFnRunner<InputT, OutputT> create(
      DoFnRunner<InputT, OutputT> doFnRunner,
      String stateName,
      org.apache.beam.sdk.coders.Coder windowedInputCoder,
      org.apache.beam.sdk.coders.Coder windowCoder,
      OperatorStateBackend operatorStateBackend,
      @Nullable KeyedStateBackend<Object> keyedStateBackend,
      int maxConcurrentCheckpoints,
      SerializablePipelineOptions pipelineOptions)
      throws Exception {
    return create(
        doFnRunner,
        stateName,
        windowedInputCoder,
        windowCoder,
        operatorStateBackend,
        keyedStateBackend,
        maxConcurrentCheckpoints,
        pipelineOptions,
        null,
        null,
        null);
  }

  public static <InputT, OutputT> BufferingDoFnRunner<InputT, OutputT> create(
      DoFnRunner<InputT, OutputT> doFnRunner,
      String stateName,
      org.apache.beam.sdk.coders.Coder windowedInputCoder,
      org.apache.beam.sdk.coders.Coder windowCoder,
      OperatorStateBackend operatorStateBackend,
      @Nullable KeyedStateBackend<Object> keyedStateBackend,
      int maxConcurrentCheckpoints,
      SerializablePipelineOptions pipelineOptions,
      @Nullable Supplier<Locker> locker,
      @Nullable Function<InputT, Object> keySelector,
      @Nullable Runnable finishBundleCallback)
      throws Exception {
    return new BufferingDoFnRunner<>(
        doFnRunner,
        stateName,
        windowedInputCoder,
        windowCoder,
        operatorStateBackend,
        maxConcurrentCheckpoints,
        pipelineOptions,
        keyedStateBackend,
        locker,
        keyedStateBackend != null ? keySelector : null,
        finishBundleCallback);
  }

  /** The step that gets the elements once released. */
  private final DoFnRunner<InputT, OutputT> underlying;
  /** Every checkpoint not yet acknowledged, with its buffer's number (a union list state). */
  private final ListState<CheckpointIdentifier> notYetAcknowledgedSnapshots;
  private final BufferingElementsHandlerFactory bufferingElementsHandlerFactory;
  /** The number of the buffer elements go to now. */
  int currentStateIndex;
  private BufferingElementsHandler currentBufferingElementsHandler;
  /** Earliest timestamp per buffer not yet released (only buffers that hold something). */
  private final Map<Integer, Long> earliestTimestampByBuffer = new HashMap<>();
  /** Earliest timestamp of all buffered elements, read by the operator's watermark thread. */
  private volatile long minBufferedElementTimestamp;

  private final @Nullable KeyedStateBackend keyedStateBackend;
  /** Held, if present, while buffering; the key is then set on the state backend by hand. */
  private final @Nullable Supplier<Locker> locker;
  private final @Nullable Function<InputT, Object> keySelector;
  /** Tells the operator a bundle may be flushed. */
  private final @Nullable Runnable finishBundleCallback;

  private BufferingDoFnRunner(
      DoFnRunner<InputT, OutputT> underlying,
      String stateName,
      org.apache.beam.sdk.coders.Coder inputCoder,
      org.apache.beam.sdk.coders.Coder windowCoder,
      OperatorStateBackend operatorStateBackend,
      int maxConcurrentCheckpoints,
      SerializablePipelineOptions pipelineOptions,
      @Nullable KeyedStateBackend keyedStateBackend,
      @Nullable Supplier<Locker> locker,
      @Nullable Function<InputT, Object> keySelector,
      @Nullable Runnable finishBundleCallback)
      throws Exception {
    // Beam's bounds, kept so that a job accepted before is accepted now; the number of buffers no
    // longer depends on it.
    Preconditions.checkArgument(
        maxConcurrentCheckpoints > 0 && maxConcurrentCheckpoints < Short.MAX_VALUE,
        "Maximum number of concurrent checkpoints not within the bounds of 0 and %s",
        Short.MAX_VALUE);
    Preconditions.checkArgument(
        keySelector == null || keyedStateBackend != null,
        "keySelector must be null for null keyed state backend");

    this.underlying = underlying;
    this.notYetAcknowledgedSnapshots =
        operatorStateBackend.getUnionListState(
            new ListStateDescriptor<>("notYetAcknowledgedSnapshots", CheckpointIdentifier.class));
    this.bufferingElementsHandlerFactory =
        (stateId) -> {
          ListStateDescriptor<BufferedElement> stateDescriptor =
              new ListStateDescriptor<>(
                  stateName + stateId,
                  new CoderTypeSerializer<>(
                      new BufferedElements.Coder(inputCoder, windowCoder, null), pipelineOptions));
          if (keyedStateBackend != null) {
            return KeyedBufferingElementsHandler.create(keyedStateBackend, stateDescriptor);
          } else {
            return NonKeyedBufferingElementsHandler.create(
                operatorStateBackend.getListState(stateDescriptor));
          }
        };
    this.keyedStateBackend = keyedStateBackend;
    this.locker = locker;
    this.keySelector = keySelector;
    this.finishBundleCallback = finishBundleCallback;

    Set<Integer> restoredBuffers = waitingBuffers();
    for (int restored : restoredBuffers) {
      earliestTimestampByBuffer.put(restored, Long.MIN_VALUE);
    }
    this.minBufferedElementTimestamp = earliestBufferedTimestamp();
    this.currentStateIndex = lowestFreeBuffer(restoredBuffers);
    this.currentBufferingElementsHandler = bufferingElementsHandlerFactory.get(currentStateIndex);
  }

  @Override
  public void startBundle() {
    // Started when buffered elements are handed on.
  }

  @Override
  public void processElement(WindowedValue<InputT> elem) {
    holdFor(elem.getTimestamp().getMillis());
    try (Locker lock = locker != null ? locker.get() : null) {
      if (keySelector != null) {
        keyedStateBackend.setCurrentKey(keySelector.apply(elem.getValue()));
      }
      currentBufferingElementsHandler.buffer(new BufferedElements.Element(elem));
    }
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
    holdFor(outputTimestamp.getMillis());
    try (Locker lock = locker != null ? locker.get() : null) {
      if (keySelector != null) {
        keyedStateBackend.setCurrentKey(key);
      }
      currentBufferingElementsHandler.buffer(
          new BufferedElements.Timer<>(
              timerId, timerFamilyId, key, window, timestamp, outputTimestamp, timeDomain));
    }
  }

  @Override
  public void finishBundle() {
    Optional.ofNullable(finishBundleCallback).ifPresent(Runnable::run);
  }

  @Override
  public <KeyT> void onWindowExpiration(BoundedWindow window, Instant timestamp, KeyT key) {}

  @Override
  public DoFn<InputT, OutputT> getFn() {
    return underlying.getFn();
  }

  /** Links what was buffered so far to this checkpoint, and buffers in a free buffer from now. */
  public void checkpoint(long checkpointId) throws Exception {
    notYetAcknowledgedSnapshots.addAll(
        Collections.singletonList(new CheckpointIdentifier(currentStateIndex, checkpointId)));
    currentStateIndex = lowestFreeBuffer(waitingBuffers());
    currentBufferingElementsHandler = bufferingElementsHandlerFactory.get(currentStateIndex);
  }

  /** Hands on the buffers of every checkpoint up to this one, oldest first. */
  public void checkpointCompleted(long checkpointId) throws Exception {
    for (CheckpointIdentifier toBeAcked : gatherToBeAcknowledgedCheckpoints(checkpointId)) {
      BufferingElementsHandler bufferingElementsHandler =
          bufferingElementsHandlerFactory.get(toBeAcked.internalId);
      try (Locker lock = locker != null ? locker.get() : null) {
        Iterator<BufferedElement> iterator = bufferingElementsHandler.getElements().iterator();
        boolean hasElements = iterator.hasNext();
        if (hasElements) {
          underlying.startBundle();
        }
        while (iterator.hasNext()) {
          iterator.next().processWith(underlying);
        }
        if (hasElements) {
          underlying.finishBundle();
        }
        bufferingElementsHandler.clear();
      }
      earliestTimestampByBuffer.remove(toBeAcked.internalId);
    }
    minBufferedElementTimestamp = earliestBufferedTimestamp();
  }

  /** The earliest timestamp of an element or timer buffered and not yet handed on. */
  public long getOutputWatermarkHold() {
    return minBufferedElementTimestamp;
  }

  private void holdFor(long timestampMillis) {
    earliestTimestampByBuffer.merge(currentStateIndex, timestampMillis, Math::min);
    minBufferedElementTimestamp = Math.min(timestampMillis, minBufferedElementTimestamp);
  }

  private long earliestBufferedTimestamp() {
    long earliest = Long.MAX_VALUE;
    for (long t : earliestTimestampByBuffer.values()) {
      earliest = Math.min(earliest, t);
    }
    return earliest;
  }

  /** The buffers linked to a checkpoint not yet acknowledged. */
  private Set<Integer> waitingBuffers() throws Exception {
    Set<Integer> waiting = new HashSet<>();
    for (CheckpointIdentifier pending : notYetAcknowledgedSnapshots.get()) {
      waiting.add(pending.internalId);
    }
    return waiting;
  }

  private static int lowestFreeBuffer(Set<Integer> waiting) {
    int index = 0;
    while (waiting.contains(index)) {
      index++;
    }
    return index;
  }

  private List<CheckpointIdentifier> gatherToBeAcknowledgedCheckpoints(long checkpointId)
      throws Exception {
    List<CheckpointIdentifier> toBeAcknowledged = new ArrayList<>();
    List<CheckpointIdentifier> remaining = new ArrayList<>();
    for (CheckpointIdentifier element : notYetAcknowledgedSnapshots.get()) {
      if (element.checkpointId <= checkpointId) {
        toBeAcknowledged.add(element);
      } else {
        remaining.add(element);
      }
    }
    notYetAcknowledgedSnapshots.update(remaining);
    // Checkpoints may complete out of order; elements go on in the order they arrived.
    toBeAcknowledged.sort(Comparator.comparingLong(o -> o.checkpointId));
    return toBeAcknowledged;
  }

  private interface BufferingElementsHandlerFactory {
    BufferingElementsHandler get(int stateIndex) throws Exception;
  }

  /** A checkpoint and its buffer's number; kept as Beam's, which snapshots hold. */
  static class CheckpointIdentifier {

    final int internalId;
    final long checkpointId;

    CheckpointIdentifier(int internalId, long checkpointId) {
      this.internalId = internalId;
      this.checkpointId = checkpointId;
    }
  }
}
