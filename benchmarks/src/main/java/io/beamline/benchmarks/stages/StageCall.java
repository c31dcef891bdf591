package io.beamline.benchmarks.stages;

import io.beamline.transforms.DeadLetters;
import io.beamline.transforms.model.DeadLetter;
import java.util.Collection;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.reflect.DoFnInvoker;
import org.apache.beam.sdk.transforms.reflect.DoFnInvokers;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.PaneInfo;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.TupleTag;
import org.joda.time.Instant;

/**
 * One Beamline stage's DoFn called on one element at a time, as a runner calls it (through Beam's
 * generated {@link DoFnInvoker}: {@code @Setup} once, then {@code @ProcessElement}), with no
 * pipeline, bundle, window or metrics container around it. The stages' DoFns are not public, so
 * they are taken from an expanded composite (see {@link ProcessEnvelopesStages}) and invoked
 * through their annotations rather than by name.
 *
 * <p>A record that becomes a dead letter fails the call: a benchmark must never measure the
 * failure path by accident. Not thread-safe (one per JMH thread state).
 */
public final class StageCall<InT, OutT> {
  private final String stage;
  private final DoFnInvoker<InT, OutT> invoker;
  private final Arguments arguments = new Arguments();
  private final Context context;
  private InT element;
  private OutT output;
  private DeadLetter deadLetter;

  /** Sets {@code fn} up; Beamline's stages take no pipeline options in {@code @Setup}. */
  StageCall(String stage, DoFn<InT, OutT> fn) {
    this.stage = stage;
    this.invoker = DoFnInvokers.tryInvokeSetupFor(fn, null);
    this.context = new Context(fn);
  }

  /** The stage's name in {@code ProcessEnvelopes} (ParseEnvelope, DecryptPayload, ...). */
  public String stage() {
    return stage;
  }

  /**
   * The stage's one main output for {@code input}; throws when the stage dead-letters it (the
   * exception names the reason and detail, which never quote key bytes) or outputs nothing.
   */
  public OutT apply(InT input) {
    element = input;
    output = null;
    deadLetter = null;
    invoker.invokeProcessElement(arguments);
    if (output == null) {
      throw new IllegalStateException(
          stage + " made "
              + (deadLetter == null
                  ? "no output"
                  : "a dead letter: " + deadLetter.reason() + " " + deadLetter.detail())
              + " for an input of the benchmark pool");
    }
    return output;
  }

  /** Tears the DoFn down, as a runner does when it discards it. */
  public void teardown() {
    invoker.invokeTeardown();
  }

  private final class Arguments extends DoFnInvoker.BaseArgumentProvider<InT, OutT> {
    @Override
    public DoFn<InT, OutT>.ProcessContext processContext(DoFn<InT, OutT> doFn) {
      return context;
    }

    @Override
    public String getErrorContext() {
      return "StageCall " + stage;
    }
  }

  private final class Context extends DoFn<InT, OutT>.ProcessContext {
    Context(DoFn<InT, OutT> doFn) {
      doFn.super();
    }

    @Override
    public InT element() {
      return element;
    }

    @Override
    public <T> T sideInput(PCollectionView<T> view) {
      throw new UnsupportedOperationException("Beamline's per-record stages read no side input");
    }

    @Override
    public Instant timestamp() {
      return BoundedWindow.TIMESTAMP_MIN_VALUE;
    }

    @Override
    public PaneInfo pane() {
      return PaneInfo.NO_FIRING;
    }

    @Override
    public PipelineOptions getPipelineOptions() {
      throw new UnsupportedOperationException("Beamline's per-record stages read no pipeline options");
    }

    @Override
    public void output(OutT value) {
      if (output != null) {
        throw new IllegalStateException(stage + " made more than one output for one element");
      }
      output = value;
    }

    @Override
    public void outputWithTimestamp(OutT value, Instant timestamp) {
      output(value);
    }

    @Override
    public void outputWindowedValue(
        OutT value, Instant timestamp, Collection<? extends BoundedWindow> windows, PaneInfo pane) {
      output(value);
    }

    @Override
    public <T> void output(TupleTag<T> tag, T value) {
      if (DeadLetters.TAG.getId().equals(tag.getId())) {
        deadLetter = (DeadLetter) value;
      } else {
        throw new IllegalStateException(stage + " wrote to an unexpected output " + tag.getId());
      }
    }

    @Override
    public <T> void outputWithTimestamp(TupleTag<T> tag, T value, Instant timestamp) {
      output(tag, value);
    }

    @Override
    public <T> void outputWindowedValue(
        TupleTag<T> tag,
        T value,
        Instant timestamp,
        Collection<? extends BoundedWindow> windows,
        PaneInfo pane) {
      output(tag, value);
    }
  }
}
