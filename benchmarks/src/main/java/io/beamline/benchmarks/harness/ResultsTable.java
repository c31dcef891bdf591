package io.beamline.benchmarks.harness;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** The measurements as Markdown (with the targets checked) and as CSV. */
final class ResultsTable {
  private final List<Measurement> measurements;

  ResultsTable(List<Measurement> measurements) {
    this.measurements = List.copyOf(measurements);
  }

  /** The measurement of {@code contender} on {@code events}, if it ran and was correct. */
  Optional<Measurement> of(String contender, int events) {
    return measurements.stream()
        .filter(m -> m.contender().name().equals(contender) && m.events() == events && m.correct())
        .findFirst();
  }

  /** events/s of a measurement over its baseline's on the same dataset, if both ran. */
  Optional<Double> ratioToBaseline(Measurement m) {
    return of(m.contender().baselineOf(), m.events()).map(b -> m.eventsPerSecond() / b.eventsPerSecond());
  }

  String csv() {
    StringBuilder s = new StringBuilder(
        "events,contender,label,input_bytes,wall_s,cpu_s,peak_rss_bytes,events_per_s,input_mb_per_s,ratio_to_baseline,correct,problem\n");
    for (Measurement m : measurements) {
      s.append(String.format(Locale.ROOT, "%d,%s,\"%s\",%d,%.1f,%.1f,%d,%.0f,%.2f,%s,%s,\"%s\"%n",
          m.events(), m.contender().name(), m.contender().label(), m.inputBytes(), m.wallSeconds(),
          m.cpuSeconds(), m.peakRssBytes(), m.eventsPerSecond(), m.inputMegabytesPerSecond(),
          ratioToBaseline(m).map(r -> String.format(Locale.ROOT, "%.3f", r)).orElse(""),
          m.correct(), m.problem() == null ? "" : m.problem().replace("\"", "'")));
    }
    return s.toString();
  }

  String markdown(String title, Map<String, String> machine, String chartFile) {
    StringBuilder s = new StringBuilder("# ").append(title).append("\n\n");
    s.append("Measured on: ");
    List<String> parts = new ArrayList<>();
    machine.forEach((k, v) -> parts.add(k + " " + v));
    s.append(String.join(", ", parts)).append(".\n\n");
    s.append("Each contender ran alone in a JVM of its own (default heap unless its name says otherwise), on the same generated input,"
        + " measured by GNU time: wall time of the whole process (JVM start included), CPU seconds"
        + " (user + system), peak resident memory. A run counts only if its counts are exactly what"
        + " the generator says a correct run makes (rows per table, dead letters per reason,"
        + " duplicates). Ratios are events/s over the hand-written baseline's in the same mode"
        + " (with or without the etl write).\n\n");
    s.append("![events per second](").append(chartFile).append(")\n\n");
    for (int events : sizes()) {
      s.append(String.format(Locale.ROOT, "## %,d events (%.0f MB)%n%n", events, inputMb(events)));
      s.append("| contender | events/s | input MB/s | wall s | CPU s | peak RSS GB | vs baseline | correct |\n");
      s.append("|---|---:|---:|---:|---:|---:|---:|---|\n");
      for (Measurement m : measurements) {
        if (m.events() != events) {
          continue;
        }
        s.append(String.format(Locale.ROOT, "| %s | %,.0f | %.1f | %.1f | %.1f | %.2f | %s | %s |%n",
            m.contender().label(), m.eventsPerSecond(), m.inputMegabytesPerSecond(), m.wallSeconds(),
            m.cpuSeconds(), m.peakRssGigabytes(),
            ratioToBaseline(m).map(r -> String.format(Locale.ROOT, "%.0f %%", 100 * r)).orElse("-"),
            m.correct() ? "yes" : "NO: " + m.problem()));
      }
      s.append('\n');
    }
    s.append(targets());
    return s.toString();
  }

  /** The batch targets, each as measured here or "not measured". */
  String targets() {
    StringBuilder s = new StringBuilder("## Targets (ratios within this run)\n\n| target | measured | met |\n|---|---|---|\n");
    for (int events : sizes()) {
      ratioTarget(s, events, "Flink >= 80 % of the baseline", "flink", "baseline", 0.80);
      ratioTarget(s, events, "Spark runner >= 70 % of the baseline", "spark", "baseline", 0.70);
      ratioTarget(s, events, "Beamline on Spark >= 90 % of native Spark", "spark", "native-spark", 0.90);
      ratioTarget(s, events, "Flink faster than native Spark", "flink", "native-spark", 1.0);
    }
    for (String direct : List.of("direct", "direct-2g")) {
      of(direct, 1_000_000).ifPresent(d -> {
        row(s, direct + ", 1M events: peak RSS < 3 GB", String.format(Locale.ROOT, "%.2f GB", d.peakRssGigabytes()),
            d.peakRssGigabytes() < 3.0);
        of("baseline", 1_000_000).ifPresent(b -> row(s, direct + ", 1M events: >= 30 % of the baseline",
            String.format(Locale.ROOT, "%.0f %%", 100 * d.eventsPerSecond() / b.eventsPerSecond()),
            d.eventsPerSecond() / b.eventsPerSecond() >= 0.30));
      });
    }
    // Every pair of sizes four times apart (250k -> 1M, 1M -> 4M).
    for (String runner : List.of("flink", "spark")) {
      for (int size : sizes()) {
        Optional<Measurement> small = of(runner, size);
        Optional<Measurement> big = of(runner, size * 4);
        if (small.isPresent() && big.isPresent()) {
          double time = big.get().wallSeconds() / small.get().wallSeconds();
          double memory = (double) big.get().peakRssBytes() / small.get().peakRssBytes();
          String step = String.format(Locale.ROOT, "%s, %,d -> %,d events", runner, size, size * 4);
          row(s, step + ": 4x the input in <= 4.2x the time", String.format(Locale.ROOT, "%.2fx", time), time <= 4.2);
          row(s, step + ": peak memory grows <= 20 %",
              String.format(Locale.ROOT, "%+.0f %%", 100 * (memory - 1)), memory <= 1.2);
        }
      }
    }
    return s.append('\n').toString();
  }

  private void ratioTarget(StringBuilder s, int events, String name, String a, String b, double min) {
    Optional<Measurement> x = of(a, events);
    Optional<Measurement> y = of(b, events);
    if (x.isPresent() && y.isPresent()) {
      double r = x.get().eventsPerSecond() / y.get().eventsPerSecond();
      row(s, String.format(Locale.ROOT, "%s (%,d events)", name, events),
          String.format(Locale.ROOT, "%.0f %%", 100 * r), r >= min);
    }
  }

  private static void row(StringBuilder s, String target, String measured, boolean met) {
    s.append("| ").append(target).append(" | ").append(measured).append(" | ").append(met ? "yes" : "**no**").append(" |\n");
  }

  List<Integer> sizes() {
    return measurements.stream().map(Measurement::events).distinct().sorted().toList();
  }

  List<Measurement> measurements() {
    return measurements;
  }

  private double inputMb(int events) {
    return measurements.stream().filter(m -> m.events() == events).findFirst()
        .map(m -> m.inputBytes() / 1e6).orElse(0.0);
  }
}
