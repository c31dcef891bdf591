package io.beamline.options;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * Bounds on one input record, shared by every source and by the envelope/payload parsers of the
 * shared composite, so one hostile record cannot exhaust a worker's memory or time. A record over
 * a bound becomes an {@code OVERSIZED} dead letter whose detail names the option.
 */
public interface RecordLimitOptions extends PipelineOptions {
  @Description(
      "Largest accepted input record (line or Kafka message) in bytes. Longer ones go to the"
          + " dead-letter zone with reason OVERSIZED, keeping only their first bytes.")
  @Default.Integer(1_048_576)
  int getMaxRecordBytes();

  void setMaxRecordBytes(int value);

  @Description(
      "Deepest nesting of objects and arrays accepted in a payload (the payload object itself is"
          + " level 1), 1 to 1000. Deeper payloads are dead letters with reason OVERSIZED.")
  @Default.Integer(64)
  int getMaxNestingDepth();

  void setMaxNestingDepth(int value);

  @Description(
      "Most values accepted in one payload: object members and array elements at any depth,"
          + " counted together. More are a dead letter with reason OVERSIZED.")
  @Default.Integer(10_000)
  int getMaxFieldCount();

  void setMaxFieldCount(int value);

  @Description(
      "Longest string (value or field name) accepted in a payload, in UTF-16 characters, 1 to"
          + " 20000000. Longer ones make the record a dead letter with reason OVERSIZED.")
  @Default.Integer(262_144)
  int getMaxStringLength();

  void setMaxStringLength(int value);

  @Description(
      "Longest number accepted in a payload, in characters of its JSON text (sign, digits,"
          + " point and exponent), 1 to 1000. Longer ones make the record a dead letter with"
          + " reason OVERSIZED.")
  @Default.Integer(100)
  int getMaxNumberLength();

  void setMaxNumberLength(int value);
}
