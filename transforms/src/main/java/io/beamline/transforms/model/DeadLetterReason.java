package io.beamline.transforms.model;

/** The closed set of reasons a record is rejected for (see the formats page). */
public enum DeadLetterReason {
  MALFORMED_JSON,
  MISSING_ENVELOPE_FIELD,
  INVALID_ENVELOPE_FIELD,
  UNKNOWN_KEY,
  DECRYPT_FAILED,
  UNKNOWN_TABLE,
  SCHEMA_VIOLATION,
  OVERSIZED,
  LATE_DATA,
  /** A source page (HTTP API) that kept failing or was refused; stage {@code read}. */
  FETCH_FAILED,
  /** A validated row the warehouse refused for good (a constraint, a value out of range). */
  LOAD_FAILED
}
