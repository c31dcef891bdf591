package io.beamline.benchmarks.baseline;

import io.beamline.transforms.model.DeadLetterReason;

/**
 * A record rejected with a reason of Beamline's closed set and a detail that names the field and
 * rule, never the value. Stackless: rejections are ordinary control flow on bad input.
 */
final class Rejection extends Exception {
  private static final long serialVersionUID = 1L;

  private final DeadLetterReason reason;

  Rejection(DeadLetterReason reason, String detail) {
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
