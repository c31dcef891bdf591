package io.beamline.transforms.quality;

import io.beamline.transforms.DeadLetters;
import io.beamline.transforms.Json;
import io.beamline.transforms.model.EtlRow;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.coders.BooleanCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.FlatMapElements;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.transforms.join.RawUnionValue;
import org.apache.beam.sdk.transforms.join.UnionCoder;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * Judges etl rows against their tables' quality suites and routes them by the verdict: a table
 * whose critical rule failed goes to quarantine, the others on. Everything is a Beam aggregation
 * over the same rows (no second read, nothing collected on one worker): a {@link QualityCounts}
 * combiner per table, and for unique rules a distributed count per key. In the global window
 * (batch) a table is judged once per run, every table with a suite even without rows; in fixed
 * windows (a stream) once per window pane, on that pane's rows. In a stream the verdicts reach the
 * routing as a side input, so a window's rows wait for their window's verdict; in a batch run they
 * are joined to the rows by (table, shard).
 */
public final class CheckQuality extends PTransform<PCollection<EtlRow>, QualityChecked> {
  static final TupleTag<EtlRow> PASSED = new TupleTag<EtlRow>("passed") {};
  static final TupleTag<EtlRow> QUARANTINED = new TupleTag<EtlRow>("quarantined") {};

  private final QualitySuites suites;
  private final Instant reference;

  private CheckQuality(QualitySuites suites, Instant reference) {
    this.suites = suites;
    this.reference = reference;
  }

  /** Freshness measured against processing time when a table is judged (streams). */
  public static CheckQuality with(QualitySuites suites) {
    return new CheckQuality(suites, null);
  }

  /** Freshness measured against a fixed time, such as a batch run's start. */
  public CheckQuality withReferenceTime(Instant time) {
    return new CheckQuality(suites, time);
  }

  @Override
  public QualityChecked expand(PCollection<EtlRow> rows) {
    QualitySuites s = suites;
    PCollection<KV<String, Map<String, Long>>> rowCounts =
        rows.apply(
                "KeyByTable",
                MapElements.into(TypeDescriptors.kvs(TypeDescriptors.strings(), TypeDescriptor.of(EtlRow.class)))
                    .via((EtlRow r) -> KV.of(QualitySuites.key(r.source(), r.table()), r)))
            .apply("CountPerTable", Combine.perKey(new QualityCounts(s)));
    boolean batch = rows.getWindowingStrategy().getWindowFn() instanceof GlobalWindows;
    PCollection<String> keys =
        rows.apply("UniqueKeys", FlatMapElements.into(TypeDescriptors.strings()).via((EtlRow r) -> uniqueKeys(s, r)));
    PCollection<KV<String, Map<String, Long>>> distinctKeys =
        (batch
                ? keys.apply("CountKeysInBuckets", new CountKeysInBuckets())
                : keys.apply("CountPerKey", Count.perElement())
                    .apply(
                        "DistinctKeys",
                        MapElements.into(TypeDescriptors.kvs(TypeDescriptors.strings(), countsType()))
                            .via((KV<String, Long> k) -> distinctKey(k.getKey(), k.getValue()))))
            .setCoder(KvCoder.of(StringUtf8Coder.of(), QualityCounts.countsCoder()));
    PCollectionList<KV<String, Map<String, Long>>> parts = PCollectionList.of(rowCounts).and(distinctKeys);
    if (batch) {
      // A batch run judges every table with a suite, so that an empty one meets its row_count.
      List<KV<String, Map<String, Long>>> empty = new ArrayList<>();
      for (QualitySuite suite : suites.all()) {
        empty.add(KV.of(QualitySuites.key(suite.source(), suite.table()), Map.of()));
      }
      parts =
          parts.and(
              rows.getPipeline()
                  .apply("EveryTableWithASuite", Create.of(empty)
                      .withCoder(KvCoder.of(StringUtf8Coder.of(), QualityCounts.countsCoder()))));
    }
    PCollection<String> verdicts =
        parts
            .apply("AllCounts", Flatten.pCollections())
            .apply("SumPerTable", Combine.perKey(new QualityCounts.Sum()))
            .apply("Judge", ParDo.of(new JudgeFn(suites, reference)));
    PCollection<KV<String, Boolean>> flags =
        verdicts.apply(
            "QuarantineFlags",
            MapElements.into(TypeDescriptors.kvs(TypeDescriptors.strings(), TypeDescriptors.booleans()))
                .via(QualityChecked::quarantineFlag));
    PCollectionTuple routed = batch ? routeByJoin(rows, flags) : routeBySideInput(rows, flags);
    return new QualityChecked(
        routed.get(PASSED).setCoder(rows.getCoder()),
        routed.get(QUARANTINED).setCoder(rows.getCoder()),
        verdicts);
  }

  /**
   * A stream: each window's rows read their window's verdict as a side input (they wait for it:
   * the verdict comes when the watermark passes the window, as the zones' own panes do).
   */
  private static PCollectionTuple routeBySideInput(PCollection<EtlRow> rows, PCollection<KV<String, Boolean>> flags) {
    PCollectionView<Map<String, Iterable<Boolean>>> quarantine = flags.apply("QuarantineView", View.asMultimap());
    return rows.apply(
        "RouteByVerdict",
        ParDo.of(new RouteFn(quarantine)).withSideInputs(quarantine).withOutputTags(PASSED, TupleTagList.of(QUARANTINED)));
  }

  /** Shards per table in a batch run's join: each group holds about 1/SHARDS of a table's rows. */
  static final int SHARDS = 64;

  private static final int ROW = 0;
  private static final int VERDICT = 1;

  /**
   * A batch run: the verdict of a table is joined to its rows, key (table, shard), one copy of the
   * verdict per shard, so every group holds a verdict and a slice of the rows (distributed; no
   * table on one worker). A side input would do the same, but the Direct runner retries rows
   * waiting for one in a busy loop, many times slower than this shuffle.
   */
  private static PCollectionTuple routeByJoin(PCollection<EtlRow> rows, PCollection<KV<String, Boolean>> flags) {
    UnionCoder union = UnionCoder.of(List.of(rows.getCoder(), BooleanCoder.of()));
    PCollection<KV<String, RawUnionValue>> keyedRows =
        rows.apply(
                "KeyByTableShard",
                MapElements.into(TypeDescriptors.kvs(TypeDescriptors.strings(), TypeDescriptor.of(RawUnionValue.class)))
                    .via((EtlRow r) -> KV.of(shardKey(r), new RawUnionValue(ROW, r))))
            .setCoder(KvCoder.of(StringUtf8Coder.of(), union));
    PCollection<KV<String, RawUnionValue>> keyedFlags =
        flags.apply(
                "FlagPerShard",
                FlatMapElements.into(TypeDescriptors.kvs(TypeDescriptors.strings(), TypeDescriptor.of(RawUnionValue.class)))
                    .via(
                        (KV<String, Boolean> f) -> {
                          List<KV<String, RawUnionValue>> out = new ArrayList<>(SHARDS);
                          for (int shard = 0; shard < SHARDS; shard++) {
                            out.add(KV.of(f.getKey() + SEP + shard, new RawUnionValue(VERDICT, f.getValue())));
                          }
                          return out;
                        }))
            .setCoder(KvCoder.of(StringUtf8Coder.of(), union));
    // One pass over each group, not a CoGroupByKey: Flink's batch GroupByKey results cannot be
    // iterated twice, which CoGbkResult needs for a group of more than 10,000 values.
    return PCollectionList.of(keyedRows)
        .and(keyedFlags)
        .apply("RowsAndVerdicts", Flatten.pCollections())
        .apply("JoinVerdict", GroupByKey.create())
        .apply("RouteByVerdict", ParDo.of(new RouteJoinedFn()).withOutputTags(PASSED, TupleTagList.of(QUARANTINED)));
  }

  private static String shardKey(EtlRow r) {
    int shard = Math.floorMod(java.util.Objects.hash(r.tenant(), r.eventId(), r.rowIndex()), SHARDS);
    return QualitySuites.key(r.source(), r.table()) + SEP + shard;
  }

  /**
   * Sends a group's rows on, or all to quarantine when its table's verdict says so, in one pass:
   * rows that come before the verdict wait in memory (a shard's slice of a table at most).
   */
  static final class RouteJoinedFn extends DoFn<KV<String, Iterable<RawUnionValue>>, EtlRow> {
    @ProcessElement
    public void process(ProcessContext c) {
      Boolean quarantined = null;
      List<EtlRow> waiting = new ArrayList<>();
      for (RawUnionValue v : c.element().getValue()) {
        if (v.getUnionTag() == VERDICT) {
          quarantined = (quarantined != null && quarantined) || (Boolean) v.getValue();
          continue;
        }
        if (quarantined == null) {
          waiting.add((EtlRow) v.getValue());
        } else {
          route(c, (EtlRow) v.getValue(), quarantined);
        }
      }
      for (EtlRow row : waiting) {
        route(c, row, quarantined != null && quarantined);
      }
    }

    private static void route(ProcessContext c, EtlRow row, boolean quarantined) {
      if (quarantined) {
        Metrics.counter(DeadLetters.METRICS_NAMESPACE, "quarantined_rows." + row.source() + "." + row.table()).inc();
        c.output(QUARANTINED, row);
      } else {
        c.output(row);
      }
    }
  }

  @SuppressWarnings("unchecked")
  private static TypeDescriptor<Map<String, Long>> countsType() {
    return TypeDescriptors.maps(TypeDescriptors.strings(), TypeDescriptors.longs());
  }

  private static final char SEP = '\u0001';

  /** One element per unique rule whose key columns are all set: table, rule and key values. */
  private static List<String> uniqueKeys(QualitySuites suites, EtlRow row) {
    QualitySuite suite = suites.get(row.source(), row.table());
    List<String> keys = new ArrayList<>();
    if (suite == null) {
      return keys;
    }
    java.util.function.Function<String, Object> value = null;
    for (QualityRule rule : suite.rules()) {
      if (rule.type() != RuleType.UNIQUE) {
        continue;
      }
      if (value == null) {
        value = QualityCounts.valuesOf(row, suite);
      }
      List<String> parts = new ArrayList<>();
      for (String c : rule.columns()) {
        Object v = value.apply(c);
        if (v == null) {
          parts = null;
          break;
        }
        parts.add(v instanceof java.math.BigDecimal ? ((java.math.BigDecimal) v).stripTrailingZeros().toPlainString() : v.toString());
      }
      if (parts != null) {
        keys.add(QualitySuites.key(row.source(), row.table()) + SEP + rule.name() + SEP + Json.MAPPER.valueToTree(parts));
      }
    }
    return keys;
  }

  /** One distinct key of a unique rule, and the rows that carry it. */
  private static KV<String, Map<String, Long>> distinctKey(String key, long rows) {
    int a = key.indexOf(SEP);
    int b = key.indexOf(SEP, a + 1);
    String rule = key.substring(a + 1, b);
    return KV.of(
        key.substring(0, a), Map.of(QualityCounts.DISTINCT + rule, 1L, QualityCounts.KEYED + rule, rows));
  }

  /**
   * A bounded run's unique-rule counts: the keys grouped by bucket, not one group per key (runners
   * pay per key; on the Direct runner that cost dominated a run), each bucket summing its keys'
   * distinct and keyed counts per table.
   */
  static final class CountKeysInBuckets
      extends PTransform<PCollection<String>, PCollection<KV<String, Map<String, Long>>>> {
    static final int BUCKETS = 256;

    @Override
    public PCollection<KV<String, Map<String, Long>>> expand(PCollection<String> keys) {
      return keys.apply(
              "KeyByBucket",
              WithKeys.of((String k) -> Math.floorMod(k.hashCode() * 0x9E3779B9, BUCKETS))
                  .withKeyType(TypeDescriptors.integers()))
          .apply("GroupBuckets", GroupByKey.create())
          .apply("CountKeys", ParDo.of(new CountKeysFn()));
    }
  }

  /** Per bucket: rows per key, then per table the distinct keys and keyed rows of each rule. */
  static final class CountKeysFn extends DoFn<KV<Integer, Iterable<String>>, KV<String, Map<String, Long>>> {
    @ProcessElement
    public void process(@Element KV<Integer, Iterable<String>> bucket, OutputReceiver<KV<String, Map<String, Long>>> out) {
      Map<String, Long> rowsPerKey = new HashMap<>();
      for (String key : bucket.getValue()) {
        rowsPerKey.merge(key, 1L, Long::sum);
      }
      Map<String, Map<String, Long>> perTable = new HashMap<>();
      rowsPerKey.forEach(
          (key, rows) -> {
            KV<String, Map<String, Long>> one = distinctKey(key, rows);
            Map<String, Long> table = perTable.computeIfAbsent(one.getKey(), t -> new HashMap<>());
            one.getValue().forEach((counter, n) -> table.merge(counter, n, Long::sum));
          });
      perTable.forEach((table, counts) -> out.output(KV.of(table, counts)));
    }
  }

  /** Judges one table's summed counts; publishes its scores as Beam gauges. */
  static final class JudgeFn extends DoFn<KV<String, Map<String, Long>>, String> {
    private final QualitySuites suites;
    private final Instant reference;

    JudgeFn(QualitySuites suites, Instant reference) {
      this.suites = suites;
      this.reference = reference;
    }

    @ProcessElement
    public void process(@Element KV<String, Map<String, Long>> counts, OutputReceiver<String> out) {
      List<String> st = QualitySuites.split(counts.getKey());
      TableVerdict verdict =
          TableVerdict.judge(
              st.get(0), st.get(1), suites.get(st.get(0), st.get(1)), counts.getValue(),
              reference == null ? Instant.now() : reference);
      publishScores(verdict);
      if (verdict.quarantined()) {
        Metrics.counter(DeadLetters.METRICS_NAMESPACE, "circuit_breaker_trips." + st.get(0) + "." + st.get(1)).inc();
      }
      out.output(verdict.json().toString());
    }

    private static void publishScores(TableVerdict v) {
      String table = v.source() + "." + v.table() + ".";
      v.json().path("scores").fields().forEachRemaining(e -> gauge(e.getKey(), table, e.getValue().asDouble()));
      for (var c : v.json().path("columns")) {
        String column = c.path("column").asText();
        for (String kind : List.of("completeness", "validity", "uniqueness")) {
          gauge(kind, table + column, c.path(kind).asDouble());
        }
      }
    }

    /** Gauges hold longs: scores are kept in millionths, which PrometheusText divides back. */
    private static void gauge(String kind, String where, double score) {
      Metrics.gauge(DeadLetters.METRICS_NAMESPACE, "quality_score." + kind + "." + where).set(Math.round(score * 1_000_000));
    }
  }

  /** Sends each row on, or to quarantine when its table's verdict in its window says so. */
  static final class RouteFn extends DoFn<EtlRow, EtlRow> {
    private final PCollectionView<Map<String, Iterable<Boolean>>> quarantine;

    RouteFn(PCollectionView<Map<String, Iterable<Boolean>>> quarantine) {
      this.quarantine = quarantine;
    }

    @ProcessElement
    public void process(ProcessContext c) {
      EtlRow row = c.element();
      String key = QualitySuites.key(row.source(), row.table());
      Iterable<Boolean> flags = c.sideInput(quarantine).get(key);
      boolean quarantined = false;
      if (flags != null) {
        for (Boolean f : flags) {
          quarantined |= f;
        }
      }
      if (quarantined) {
        Metrics.counter(DeadLetters.METRICS_NAMESPACE, "quarantined_rows." + row.source() + "." + row.table()).inc();
        c.output(QUARANTINED, row);
      } else {
        c.output(row);
      }
    }
  }
}
