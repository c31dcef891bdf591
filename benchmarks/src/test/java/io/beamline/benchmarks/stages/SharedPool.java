package io.beamline.benchmarks.stages;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The benchmarks' own pool state, set up once per test JVM through its JMH {@code @Setup} (building
 * it takes seconds), for the tests that check what the benchmarks read and return.
 */
final class SharedPool {
  private static StageCostBenchmark.Pool state;

  private SharedPool() {}

  static synchronized StageCostBenchmark.Pool state() {
    if (state == null) {
      StageCostBenchmark.Pool s = new StageCostBenchmark.Pool();
      try {
        s.setUp();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      state = s;
    }
    return state;
  }

  static StagePool pool() {
    return state().pool;
  }
}
