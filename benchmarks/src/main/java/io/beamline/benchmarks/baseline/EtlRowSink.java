package io.beamline.benchmarks.baseline;

/** Where a worker's validated rows go: Parquet files of the etl zone, by partition. */
interface EtlRowSink extends AutoCloseable {
  /** Writes a row into its partition (a directory relative to the etl zone). */
  void write(String partition, FlatRow row, Envelope e);

  /** Finishes every file; each appears whole under its final name. */
  @Override
  void close();

  /** Fills the etl zone's Avro record of a row (positions as in EtlAvroSchemas). */
  static void fill(org.apache.avro.generic.GenericData.Record r, FlatRow row, Envelope e, long ingestedAtMicros) {
    r.put(0, e.eventId);
    r.put(1, e.tenant);
    r.put(2, e.eventTimeMillis * 1000L);
    int n = row.plan.columns.length;
    for (int i = 0; i < n; i++) {
      r.put(3 + i, row.values[i]);
    }
    r.put(3 + n, row.extra);
    r.put(4 + n, ingestedAtMicros);
  }
}
