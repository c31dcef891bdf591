package io.beamline.transforms;

import io.beamline.options.RecordLimitOptions;
import java.io.Serializable;
import java.util.Objects;

/**
 * Bounds on one input record, checked before and while it is parsed: its size in bytes, and in
 * its payload the nesting depth, the number of values, and the length of strings and numbers.
 * Immutable; every {@code with...} validates and returns a new value. A record over a bound becomes
 * an {@code OVERSIZED} dead letter whose detail names the option.
 */
public final class RecordLimits implements Serializable {
  private static final long serialVersionUID = 1L;

  public static final int DEFAULT_MAX_RECORD_BYTES = 1_048_576;
  public static final int DEFAULT_MAX_NESTING_DEPTH = 64;
  public static final int DEFAULT_MAX_FIELD_COUNT = 10_000;
  public static final int DEFAULT_MAX_STRING_LENGTH = 262_144;
  public static final int DEFAULT_MAX_NUMBER_LENGTH = 100;

  // Upper bounds are Jackson 2.15's own defaults, which the internal re-reading of rows keeps: a
  // payload may never hold what Beamline could not read back.
  static final int MAX_NESTING_DEPTH_BOUND = 1_000;
  static final int MAX_STRING_LENGTH_BOUND = 20_000_000;
  static final int MAX_NUMBER_LENGTH_BOUND = 1_000;

  /** Room an envelope line has beyond its payload's limits: the envelope's own fields. */
  static final int ENVELOPE_FIELDS = 16;

  private final int maxRecordBytes;
  private final int maxNestingDepth;
  private final int maxFieldCount;
  private final int maxStringLength;
  private final int maxNumberLength;

  private RecordLimits(
      int maxRecordBytes, int maxNestingDepth, int maxFieldCount, int maxStringLength, int maxNumberLength) {
    this.maxRecordBytes = maxRecordBytes;
    this.maxNestingDepth = maxNestingDepth;
    this.maxFieldCount = maxFieldCount;
    this.maxStringLength = maxStringLength;
    this.maxNumberLength = maxNumberLength;
  }

  /** The defaults of {@link RecordLimitOptions}. */
  public static RecordLimits defaults() {
    return new RecordLimits(
        DEFAULT_MAX_RECORD_BYTES,
        DEFAULT_MAX_NESTING_DEPTH,
        DEFAULT_MAX_FIELD_COUNT,
        DEFAULT_MAX_STRING_LENGTH,
        DEFAULT_MAX_NUMBER_LENGTH);
  }

  /**
   * The limits of the options; throws {@link IllegalArgumentException} naming the first option out
   * of range, so a run fails before its pipeline starts.
   */
  public static RecordLimits from(RecordLimitOptions options) {
    return defaults()
        .withMaxRecordBytes(options.getMaxRecordBytes())
        .withMaxNestingDepth(options.getMaxNestingDepth())
        .withMaxFieldCount(options.getMaxFieldCount())
        .withMaxStringLength(options.getMaxStringLength())
        .withMaxNumberLength(options.getMaxNumberLength());
  }

  public RecordLimits withMaxRecordBytes(int value) {
    return new RecordLimits(
        checked("--maxRecordBytes", value, Integer.MAX_VALUE),
        maxNestingDepth, maxFieldCount, maxStringLength, maxNumberLength);
  }

  public RecordLimits withMaxNestingDepth(int value) {
    return new RecordLimits(
        maxRecordBytes, checked("--maxNestingDepth", value, MAX_NESTING_DEPTH_BOUND),
        maxFieldCount, maxStringLength, maxNumberLength);
  }

  public RecordLimits withMaxFieldCount(int value) {
    return new RecordLimits(
        maxRecordBytes, maxNestingDepth, checked("--maxFieldCount", value, Integer.MAX_VALUE),
        maxStringLength, maxNumberLength);
  }

  public RecordLimits withMaxStringLength(int value) {
    return new RecordLimits(
        maxRecordBytes, maxNestingDepth, maxFieldCount,
        checked("--maxStringLength", value, MAX_STRING_LENGTH_BOUND), maxNumberLength);
  }

  public RecordLimits withMaxNumberLength(int value) {
    return new RecordLimits(
        maxRecordBytes, maxNestingDepth, maxFieldCount, maxStringLength,
        checked("--maxNumberLength", value, MAX_NUMBER_LENGTH_BOUND));
  }

  private static int checked(String option, int value, int bound) {
    if (value < 1 || value > bound) {
      throw new IllegalArgumentException(
          option + " must be " + (bound == Integer.MAX_VALUE ? "positive" : "between 1 and " + bound)
              + ", got " + value);
    }
    return value;
  }

  public int maxRecordBytes() {
    return maxRecordBytes;
  }

  public int maxNestingDepth() {
    return maxNestingDepth;
  }

  public int maxFieldCount() {
    return maxFieldCount;
  }

  public int maxStringLength() {
    return maxStringLength;
  }

  public int maxNumberLength() {
    return maxNumberLength;
  }

  /**
   * The bounds of a whole envelope line, whose payload object (when not encrypted) is one level
   * down and shares the line with a few envelope fields, and whose encrypted payload is one string
   * as long as the record. The payload itself is held to the exact limits when it is flattened.
   */
  RecordLimits forEnvelope() {
    return new RecordLimits(
        maxRecordBytes,
        maxNestingDepth + 1,
        (int) Math.min(Integer.MAX_VALUE, (long) maxFieldCount + ENVELOPE_FIELDS),
        Math.max(maxStringLength, maxRecordBytes),
        maxNumberLength);
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof RecordLimits)) {
      return false;
    }
    RecordLimits l = (RecordLimits) o;
    return maxRecordBytes == l.maxRecordBytes
        && maxNestingDepth == l.maxNestingDepth
        && maxFieldCount == l.maxFieldCount
        && maxStringLength == l.maxStringLength
        && maxNumberLength == l.maxNumberLength;
  }

  @Override
  public int hashCode() {
    return Objects.hash(maxRecordBytes, maxNestingDepth, maxFieldCount, maxStringLength, maxNumberLength);
  }

  @Override
  public String toString() {
    return "RecordLimits{bytes=" + maxRecordBytes + ", depth=" + maxNestingDepth + ", fields="
        + maxFieldCount + ", string=" + maxStringLength + ", number=" + maxNumberLength + "}";
  }
}
