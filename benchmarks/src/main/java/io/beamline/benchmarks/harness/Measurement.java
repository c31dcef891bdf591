package io.beamline.benchmarks.harness;

/**
 * One contender's run on one dataset. {@code correct}: its counts were those the dataset expects;
 * {@code problem} says what went wrong otherwise (exit code, timeout, counts).
 */
public record Measurement(
    Contender contender,
    int events,
    long inputBytes,
    double wallSeconds,
    double cpuSeconds,
    long peakRssBytes,
    boolean correct,
    String problem) {

  public double eventsPerSecond() {
    return events / wallSeconds;
  }

  public double inputMegabytesPerSecond() {
    return inputBytes / 1e6 / wallSeconds;
  }

  public double peakRssGigabytes() {
    return peakRssBytes / (1024.0 * 1024 * 1024);
  }
}
