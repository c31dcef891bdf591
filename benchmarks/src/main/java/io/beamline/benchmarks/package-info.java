/**
 * Beamline's benchmark suite: contenders run on the same generated data, each in a JVM of its own,
 * measured from outside (wall time, CPU seconds, peak RSS), and results written under {@code
 * benchmarks/results/}.
 */
package io.beamline.benchmarks;
