package io.beamline.transforms.quality;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.beamline.transforms.Json;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One table's quality in a run or window, judged from its {@link QualityCounts}: the scores per
 * column and table, each rule's observed value against its threshold, and whether the circuit
 * breaker trips (a critical rule failed). As JSON, one entry of the {@code tables} array of the
 * quality audit file (docs/FORMATS.md).
 *
 * <p>Scores are fractions: completeness is the non-null fraction of a column with a not_null or
 * completeness rule; validity the fraction of rows breaking none of a column's between, matches
 * and in_set rules (a null breaks none of them); uniqueness the distinct non-null keys over the
 * rows with a key, for a unique rule on that column. A column without a rule of a kind scores
 * 1.0 for it. A table's score of a kind is the mean over what was measured (expression rules
 * count toward validity, composite keys toward uniqueness), 1.0 when nothing was.
 */
public final class TableVerdict {
  private final ObjectNode json;
  private final List<String> criticalFailures;

  private TableVerdict(ObjectNode json, List<String> criticalFailures) {
    this.json = json;
    this.criticalFailures = List.copyOf(criticalFailures);
  }

  /**
   * Judges a table. {@code suite}: its rules, or null for none; {@code reference}: the time
   * freshness is measured against (a batch run's start, a stream pane's processing time).
   */
  public static TableVerdict judge(
      String source, String table, QualitySuite suite, Map<String, Long> counts, Instant reference) {
    long rows = counts.getOrDefault(QualityCounts.ROWS, 0L);
    Long newest = counts.get(QualityCounts.EVENT_TIME_MAX);
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.put("source", source);
    o.put("table", table);
    o.put("rows", rows);
    List<QualityRule> rules = suite == null ? List.of() : suite.rules();

    Map<String, double[]> columnScores = new LinkedHashMap<>(); // completeness, validity, uniqueness
    Set<String> measured = new LinkedHashSet<>();
    if (suite != null) {
      for (String column : suite.columns().keySet()) {
        for (QualityRule r : rules) {
          if (r.type() != RuleType.EXPRESSION && r.columns().contains(column)) {
            measured.add(column);
          }
        }
      }
    }
    for (String column : measured) {
      columnScores.put(column, new double[] {1.0, 1.0, 1.0});
    }
    List<Double> completeness = new ArrayList<>();
    List<Double> validity = new ArrayList<>();
    List<Double> uniqueness = new ArrayList<>();
    for (String column : measured) {
      double[] s = columnScores.get(column);
      if (rules.stream().anyMatch(r -> r.type().measuresCompleteness() && r.columns().get(0).equals(column))) {
        s[0] = fraction(rows - counts.getOrDefault(QualityCounts.NULLS + column, 0L), rows);
        completeness.add(s[0]);
      }
      if (rules.stream().anyMatch(r -> r.type().measuresValidity() && r.columns().get(0).equals(column))) {
        s[1] = fraction(rows - counts.getOrDefault(QualityCounts.INVALID + column, 0L), rows);
        validity.add(s[1]);
      }
    }

    ArrayNode ruleResults = Json.MAPPER.createArrayNode();
    boolean allPassed = true;
    for (QualityRule r : rules) {
      ObjectNode rr = ruleResults.addObject();
      rr.put("name", r.name());
      rr.put("type", r.type().fileName());
      if (r.columns().size() == 1) {
        rr.put("column", r.columns().get(0));
      } else if (r.columns().size() > 1) {
        ArrayNode cols = rr.putArray("columns");
        r.columns().forEach(cols::add);
      }
      rr.put("severity", r.severity().name().toLowerCase(java.util.Locale.ROOT));
      boolean passed;
      long failing = 0;
      switch (r.type()) {
        case ROW_COUNT:
          {
            rr.put("observed", rows);
            boolean low = r.min() != null && rows < r.min().longValue();
            boolean high = r.max() != null && rows > r.max().longValue();
            passed = !low && !high;
            if (high) {
              rr.put("threshold", r.max().longValue());
            } else if (r.min() != null) {
              rr.put("threshold", r.min().longValue());
            } else {
              rr.put("threshold", r.max().longValue());
            }
            if (r.min() != null) {
              rr.put("min", r.min().longValue());
            }
            if (r.max() != null) {
              rr.put("max", r.max().longValue());
            }
            break;
          }
        case FRESHNESS:
          {
            Long lag = newest == null ? null : Math.max(0, (reference.toEpochMilli() - newest) / 1000);
            if (lag == null) {
              rr.putNull("observed");
            } else {
              rr.put("observed", lag);
            }
            rr.put("threshold", r.maxLagSeconds());
            // No rows, nothing stale: row_count rules judge emptiness.
            passed = lag == null || lag <= r.maxLagSeconds();
            break;
          }
        case COMPLETENESS:
          {
            failing = counts.getOrDefault(QualityCounts.FAILING + r.name(), 0L);
            double observed = fraction(rows - failing, rows);
            rr.put("observed", observed);
            rr.put("threshold", r.min().doubleValue());
            passed = observed >= r.min().doubleValue();
            break;
          }
        case UNIQUE:
          {
            long keyed = counts.getOrDefault(QualityCounts.KEYED + r.name(), 0L);
            long distinct = counts.getOrDefault(QualityCounts.DISTINCT + r.name(), 0L);
            failing = keyed - distinct;
            double observed = fraction(distinct, keyed);
            rr.put("observed", observed);
            rr.put("threshold", 1.0 - r.tolerated());
            passed = tolerates(r, failing, keyed);
            uniqueness.add(observed);
            if (r.columns().size() == 1 && columnScores.containsKey(r.columns().get(0))) {
              double[] s = columnScores.get(r.columns().get(0));
              s[2] = Math.min(s[2], observed);
            }
            break;
          }
        default:
          {
            failing = counts.getOrDefault(QualityCounts.FAILING + r.name(), 0L);
            double observed = fraction(rows - failing, rows);
            rr.put("observed", observed);
            rr.put("threshold", 1.0 - r.tolerated());
            passed = tolerates(r, failing, rows);
            if (r.type() == RuleType.EXPRESSION) {
              validity.add(observed);
            }
          }
      }
      rr.put("passed", passed);
      rr.put("failingRows", failing);
      allPassed &= passed;
    }

    o.put("passed", allPassed);
    List<String> criticalFailures = failures(source, table, ruleResults);
    o.put("quarantined", !criticalFailures.isEmpty());
    if (newest == null) {
      o.putNull("newestEventTime");
    } else {
      o.put("newestEventTime", Instant.ofEpochMilli(newest).toString());
    }
    ObjectNode scores = o.putObject("scores");
    scores.put("completeness", mean(completeness));
    scores.put("validity", mean(validity));
    scores.put("uniqueness", mean(uniqueness));
    ArrayNode columns = o.putArray("columns");
    columnScores.forEach(
        (column, s) -> {
          ObjectNode c = columns.addObject();
          c.put("column", column);
          c.put("completeness", s[0]);
          c.put("validity", s[1]);
          c.put("uniqueness", s[2]);
        });
    o.set("rules", ruleResults);
    return new TableVerdict(o, criticalFailures);
  }

  /** Whether failing rows stay within the fraction the rule tolerates. */
  private static boolean tolerates(QualityRule r, long failing, long of) {
    return failing == 0 || (of > 0 && failing <= r.tolerated() * of + 1e-9);
  }

  private static double fraction(long part, long whole) {
    return whole == 0 ? 1.0 : (double) part / whole;
  }

  private static double mean(List<Double> values) {
    return values.isEmpty() ? 1.0 : values.stream().mapToDouble(Double::doubleValue).sum() / values.size();
  }

  /** Reads back a verdict's JSON (an entry of the audit file's {@code tables}). */
  public static TableVerdict fromJson(JsonNode json) {
    return new TableVerdict(
        (ObjectNode) json.deepCopy(),
        failures(json.path("source").asText(), json.path("table").asText(), json.path("rules")));
  }

  private static List<String> failures(String source, String table, JsonNode rules) {
    List<String> failures = new ArrayList<>();
    for (JsonNode r : rules) {
      if (!r.path("passed").asBoolean(true) && "critical".equals(r.path("severity").asText())) {
        failures.add(
            "critical rule " + r.path("name").asText() + " (" + r.path("type").asText() + ") failed on "
                + source + "/" + table + ": observed " + r.path("observed").asText() + ", threshold "
                + r.path("threshold").asText() + ", failing rows " + r.path("failingRows").asLong());
      }
    }
    return failures;
  }

  public ObjectNode json() {
    return json;
  }

  public String source() {
    return json.path("source").asText();
  }

  public String table() {
    return json.path("table").asText();
  }

  /** Whether a critical rule failed: the table's rows go to quarantine. */
  public boolean quarantined() {
    return !criticalFailures.isEmpty();
  }

  /** One message per failed critical rule, naming rule, table, observed value and threshold. */
  public List<String> criticalFailures() {
    return criticalFailures;
  }
}
