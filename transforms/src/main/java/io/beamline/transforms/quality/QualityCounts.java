package io.beamline.transforms.quality;

import com.fasterxml.jackson.databind.JsonNode;
import io.beamline.transforms.Json;
import io.beamline.transforms.model.EtlRow;
import java.math.BigDecimal;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.coders.MapCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.transforms.Combine;

/**
 * Counts what a table's rules need, row by row, as a Beam combiner (partial counts merge in any
 * order on any worker): rows, the newest event time, the failing rows of each row rule, the nulls
 * and invalid rows of each measured column, and the rows with a key of each unique rule. The
 * distinct keys of unique rules come from a keyed count beside it ({@link CheckQuality}).
 */
final class QualityCounts extends Combine.CombineFn<EtlRow, Map<String, Long>, Map<String, Long>> {
  static final String ROWS = "rows";
  static final String EVENT_TIME_MAX = "event_time_max";
  static final String FAILING = "failing/";
  static final String NULLS = "nulls/";
  static final String INVALID = "invalid/";
  static final String KEYED = "keyed/";
  static final String DISTINCT = "distinct/";

  private final QualitySuites suites;

  QualityCounts(QualitySuites suites) {
    this.suites = suites;
  }

  @Override
  public Map<String, Long> createAccumulator() {
    return new HashMap<>();
  }

  @Override
  public Map<String, Long> addInput(Map<String, Long> acc, EtlRow row) {
    acc.merge(ROWS, 1L, Long::sum);
    acc.merge(EVENT_TIME_MAX, row.eventTimeMillis(), Math::max);
    QualitySuite suite = suites.get(row.source(), row.table());
    if (suite == null) {
      return acc;
    }
    Function<String, Object> value = valuesOf(row, suite);
    Map<String, Boolean> invalidColumns = new HashMap<>();
    for (QualityRule rule : suite.rules()) {
      if (rule.type() == RuleType.UNIQUE) {
        // Keyed rows and distinct keys both come from the per-key counts (CheckQuality), so a
        // stream's pane always judges the two from the same firing.
        continue;
      }
      if (!rule.type().isRowLevel()) {
        continue;
      }
      boolean fails = rule.fails(value);
      if (fails) {
        acc.merge(FAILING + rule.name(), 1L, Long::sum);
      }
      if (rule.type().measuresValidity()) {
        invalidColumns.merge(rule.columns().get(0), fails, Boolean::logicalOr);
      }
    }
    for (String column : measuredForCompleteness(suite)) {
      if (value.apply(column) == null) {
        acc.merge(NULLS + column, 1L, Long::sum);
      }
    }
    invalidColumns.forEach(
        (column, invalid) -> {
          if (invalid) {
            acc.merge(INVALID + column, 1L, Long::sum);
          }
        });
    return acc;
  }

  private static Iterable<String> measuredForCompleteness(QualitySuite suite) {
    java.util.Set<String> columns = new java.util.LinkedHashSet<>();
    for (QualityRule r : suite.rules()) {
      if (r.type().measuresCompleteness()) {
        columns.add(r.columns().get(0));
      }
    }
    return columns;
  }

  /** A row's column values as expression values, parsed once per row and looked up lazily. */
  static Function<String, Object> valuesOf(EtlRow row, QualitySuite suite) {
    JsonNode values;
    try {
      values = Json.MAPPER.readTree(row.valuesJson());
    } catch (Exception e) {
      throw new IllegalStateException("etl row values are not JSON", e);
    }
    return column -> {
      switch (column) {
        case "event_id":
          return row.eventId();
        case "tenant":
          return row.tenant();
        case "event_time":
          return BigDecimal.valueOf(row.eventTimeMillis()).multiply(BigDecimal.valueOf(1000));
        default:
          return RowExpression.valueOf(values.get(column), QualityRule.expressionType(suite.columns().get(column)));
      }
    };
  }

  @Override
  public Map<String, Long> mergeAccumulators(Iterable<Map<String, Long>> accs) {
    Map<String, Long> out = new HashMap<>();
    for (Map<String, Long> acc : accs) {
      merge(out, acc);
    }
    return out;
  }

  /** Adds {@code more} into {@code into}: sums, except the newest event time (a maximum). */
  static void merge(Map<String, Long> into, Map<String, Long> more) {
    more.forEach((k, v) -> into.merge(k, v, k.equals(EVENT_TIME_MAX) ? Math::max : Long::sum));
  }

  @Override
  public Map<String, Long> extractOutput(Map<String, Long> acc) {
    return acc;
  }

  @Override
  public Coder<Map<String, Long>> getAccumulatorCoder(CoderRegistry registry, Coder<EtlRow> input) {
    return countsCoder();
  }

  @Override
  public Coder<Map<String, Long>> getDefaultOutputCoder(CoderRegistry registry, Coder<EtlRow> input) {
    return countsCoder();
  }

  static Coder<Map<String, Long>> countsCoder() {
    return MapCoder.of(StringUtf8Coder.of(), VarLongCoder.of());
  }

  /** Sums partial counts of one table: the row counts and the keyed distinct counts together. */
  static final class Sum extends Combine.CombineFn<Map<String, Long>, Map<String, Long>, Map<String, Long>> {
    @Override
    public Map<String, Long> createAccumulator() {
      return new HashMap<>();
    }

    @Override
    public Map<String, Long> addInput(Map<String, Long> acc, Map<String, Long> in) {
      merge(acc, in);
      return acc;
    }

    @Override
    public Map<String, Long> mergeAccumulators(Iterable<Map<String, Long>> accs) {
      Map<String, Long> out = new HashMap<>();
      for (Map<String, Long> acc : accs) {
        merge(out, acc);
      }
      return out;
    }

    @Override
    public Map<String, Long> extractOutput(Map<String, Long> acc) {
      return acc;
    }

    @Override
    public Coder<Map<String, Long>> getAccumulatorCoder(CoderRegistry registry, Coder<Map<String, Long>> input) {
      return countsCoder();
    }

    @Override
    public Coder<Map<String, Long>> getDefaultOutputCoder(CoderRegistry registry, Coder<Map<String, Long>> input) {
      return countsCoder();
    }
  }
}
