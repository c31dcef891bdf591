package io.beamline.transforms;

import io.beamline.transforms.model.DeadLetterReason;

/** Thrown inside a stage's DoFn to send the current record to the dead-letter output. */
final class RejectedRecordException extends Exception {
  private static final long serialVersionUID = 1L;
  private final DeadLetterReason reason;

  RejectedRecordException(DeadLetterReason reason, String detail) {
    super(detail, null, false, false);
    this.reason = reason;
  }

  DeadLetterReason reason() {
    return reason;
  }

  String detail() {
    return getMessage();
  }
}
