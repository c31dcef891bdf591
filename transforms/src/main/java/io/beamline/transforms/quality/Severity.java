package io.beamline.transforms.quality;

/** What a failed rule does: {@code warn} reports it; {@code critical} also trips the circuit breaker. */
public enum Severity {
  WARN,
  CRITICAL
}
