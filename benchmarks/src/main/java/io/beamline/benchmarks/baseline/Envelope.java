package io.beamline.benchmarks.baseline;

/** The fields of one parsed envelope line; one instance per worker, overwritten line by line. */
final class Envelope {
  String line;
  String eventId;
  String tenant;
  String source;
  String table;
  long eventTimeMillis;
  /** Null: the payload is not encrypted. */
  String keyId;
  /** The base64 text with a key id, else the payload object's JSON text as it appears in the line. */
  String payload;
}
