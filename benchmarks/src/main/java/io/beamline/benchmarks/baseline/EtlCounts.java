package io.beamline.benchmarks.baseline;

import io.beamline.transforms.model.DeadLetterReason;

/** What one worker (or, summed, the run) made of its records. */
final class EtlCounts {
  long recordsIn;
  final long[] etlRows;
  final long[] deadLetters = new long[DeadLetterReason.values().length];
  long duplicates;
  long events;

  EtlCounts(int tables) {
    etlRows = new long[tables];
  }

  void add(EtlCounts o) {
    recordsIn += o.recordsIn;
    for (int i = 0; i < etlRows.length; i++) {
      etlRows[i] += o.etlRows[i];
    }
    for (int i = 0; i < deadLetters.length; i++) {
      deadLetters[i] += o.deadLetters[i];
    }
    duplicates += o.duplicates;
    events += o.events;
  }
}
