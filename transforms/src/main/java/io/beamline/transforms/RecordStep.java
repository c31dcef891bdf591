package io.beamline.transforms;

import io.beamline.transforms.model.DeadLetter;
import io.beamline.transforms.model.DeadLetterReason;
import io.beamline.transforms.model.Envelope;
import java.io.Serializable;
import java.security.GeneralSecurityException;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.transforms.DoFn;

/**
 * The per-record work of one stage: an input becomes one output, or a rejection with a reason.
 * The same step runs alone in its stage's DoFn ({@link StepFn}) and fused with the next stages in
 * {@link DecodeEnvelopes}, so both paths make the same outputs, dead letters and counts.
 */
abstract class RecordStep<InT, OutT> implements Serializable {
  private static final long serialVersionUID = 1L;

  private final String stage;
  private final DeadLetterReason unexpectedReason;
  private final Counter passed;

  RecordStep(String stage, DeadLetterReason unexpectedReason) {
    this.stage = stage;
    this.unexpectedReason = unexpectedReason;
    this.passed = DeadLetters.outputCounter(stage);
  }

  /** Creates what the step reuses across records (ciphers, readers); called once per instance. */
  void setup() throws GeneralSecurityException {}

  /** The step's output for {@code in}. */
  abstract OutT apply(InT in) throws RejectedRecordException;

  /** The envelope a rejection of {@code in} is reported against. */
  abstract Envelope envelopeOf(InT in);

  String stage() {
    return stage;
  }

  /** Counts one record this step passed on, as {@code records_out.<stage>}. */
  void countPassed() {
    passed.inc();
  }

  DeadLetter rejected(Envelope e, RejectedRecordException r) {
    return DeadLetter.of(e, stage, r.reason(), r.detail()).build();
  }

  /** A bug or an input nobody foresaw: the class name only, since a message could quote a value. */
  DeadLetter failed(Envelope e, RuntimeException r) {
    return DeadLetter.of(e, stage, unexpectedReason, "unexpected " + r.getClass().getSimpleName()).build();
  }

  /**
   * A stage's DoFn: runs its step, rejected records to {@link DeadLetters#TAG}. Each stage binds
   * the type parameters in a subclass, so Beam infers the output coder.
   */
  abstract static class StepFn<InT, OutT> extends DoFn<InT, OutT> {
    private final RecordStep<InT, OutT> step;

    StepFn(RecordStep<InT, OutT> step) {
      this.step = step;
    }

    @Setup
    public void setup() throws GeneralSecurityException {
      step.setup();
    }

    @ProcessElement
    public void process(ProcessContext c) {
      InT in = c.element();
      try {
        c.output(step.apply(in));
        step.countPassed();
      } catch (RejectedRecordException r) {
        DeadLetters.emit(c, step.rejected(step.envelopeOf(in), r));
      } catch (RuntimeException r) {
        DeadLetters.emit(c, step.failed(step.envelopeOf(in), r));
      }
    }
  }
}
