package io.beamline.transforms;

import io.beamline.transforms.model.DeadLetter;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.WithFailures;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;

/** The dead-letter side output every stage shares, and the wiring of a stage to it. */
public final class DeadLetters {
  /** Metric namespace of every Beamline counter. */
  public static final String METRICS_NAMESPACE = "beamline";

  /** The dead-letter output of every stage's DoFn. */
  public static final TupleTag<DeadLetter> TAG = new TupleTag<DeadLetter>("deadLetters") {};

  private DeadLetters() {}

  /** Applies a stage's DoFn with its main output and the dead-letter output. */
  static <InT, OutT> WithFailures.Result<PCollection<OutT>, DeadLetter> route(
      PCollection<InT> input, String name, DoFn<InT, OutT> fn, TupleTag<OutT> mainTag) {
    PCollectionTuple out =
        input.apply(name, ParDo.of(fn).withOutputTags(mainTag, TupleTagList.of(TAG)));
    return WithFailures.Result.of(out.get(mainTag), out.get(TAG));
  }

  /** Emits a dead letter and counts it as {@code dead_letters.<stage>.<reason>}. */
  public static void emit(DoFn<?, ?>.ProcessContext c, DeadLetter letter) {
    Metrics.counter(METRICS_NAMESPACE, counterName(letter)).inc();
    c.output(TAG, letter);
  }

  /** Counts what a stage passes on, as {@code records_out.<stage>}, beside its dead letters. */
  static Counter outputCounter(String stage) {
    return Metrics.counter(METRICS_NAMESPACE, "records_out." + stage);
  }

  /** The counter a dead letter is counted under. */
  public static String counterName(DeadLetter letter) {
    return "dead_letters." + letter.stage() + "." + letter.reason().name();
  }
}
