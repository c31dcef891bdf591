package io.beamline.transforms;

import com.fasterxml.jackson.databind.JsonNode;
import io.beamline.transforms.model.CategorySales;
import io.beamline.transforms.model.EtlRow;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import org.apache.beam.sdk.coders.BigDecimalCoder;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Filter;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.AfterPane;
import org.apache.beam.sdk.transforms.windowing.AfterProcessingTime;
import org.apache.beam.sdk.transforms.windowing.AfterWatermark;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.PaneInfo;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;

/**
 * Sales per tenant and category in one-hour event-time windows, from {@code order_items} rows:
 * items, units and revenue (quantity times unit price). Early panes every few seconds of
 * processing time while the hour is open, the on-time pane when the watermark passes it, and a
 * late pane for each record up to the allowed lateness after it; panes accumulate, and each
 * carries its pane index. The same transform runs on bounded input, where it gives one final pane
 * per hour with the numbers the stream's last pane reaches.
 */
public final class HourlyCategorySales extends PTransform<PCollection<EtlRow>, PCollection<CategorySales>> {
  public static final String TABLE = "order_items";
  /** The length of the aggregate's event-time windows. */
  public static final Duration WINDOW = Duration.standardHours(1);

  private static final TypeDescriptor<KV<String, KV<Long, BigDecimal>>> SALE =
      TypeDescriptors.kvs(
          TypeDescriptors.strings(), TypeDescriptors.kvs(TypeDescriptors.longs(), TypeDescriptors.bigdecimals()));
  private static final KvCoder<String, KV<Long, BigDecimal>> SALE_CODER =
      KvCoder.of(StringUtf8Coder.of(), KvCoder.of(VarLongCoder.of(), BigDecimalCoder.of()));

  private final Duration allowedLateness;
  private final Duration earlyFiringDelay;

  private HourlyCategorySales(Duration allowedLateness, Duration earlyFiringDelay) {
    this.allowedLateness = allowedLateness;
    this.earlyFiringDelay = earlyFiringDelay;
  }

  /** Two hours of allowed lateness, early panes every 10 s of processing time. */
  public static HourlyCategorySales create() {
    return new HourlyCategorySales(Duration.standardHours(2), Duration.standardSeconds(10));
  }

  public HourlyCategorySales withAllowedLateness(Duration lateness) {
    return new HourlyCategorySales(lateness, earlyFiringDelay);
  }

  public HourlyCategorySales withEarlyFiringsEvery(Duration delay) {
    return new HourlyCategorySales(allowedLateness, delay);
  }

  @Override
  public PCollection<CategorySales> expand(PCollection<EtlRow> rows) {
    PCollection<EtlRow> items = rows.apply("OrderItems", Filter.by((EtlRow r) -> r.table().equals(TABLE)));
    return rows.isBounded() == PCollection.IsBounded.BOUNDED ? wholeRun(items) : windowed(items);
  }

  /**
   * A stream: one-hour event-time windows with early, on-time and late panes. The rows carry
   * their event time as timestamp already (the Kafka source stamps them).
   */
  private PCollection<CategorySales> windowed(PCollection<EtlRow> items) {
    return items
        .apply("ByTenantAndCategory", MapElements.into(SALE).via((EtlRow r) -> sale(r, r.tenant())))
        .setCoder(SALE_CODER)
        .apply(
            "HourlyWindows",
            Window.<KV<String, KV<Long, BigDecimal>>>into(FixedWindows.of(WINDOW))
                .triggering(
                    AfterWatermark.pastEndOfWindow()
                        .withEarlyFirings(
                            AfterProcessingTime.pastFirstElementInPane().plusDelayOf(earlyFiringDelay))
                        .withLateFirings(AfterPane.elementCountAtLeast(1)))
                .withAllowedLateness(allowedLateness)
                .accumulatingFiredPanes())
        .apply("Sum", Combine.perKey(new SumSales()))
        .apply("WithPane", ParDo.of(new ToCategorySalesFn()));
  }

  /**
   * A bounded run: the hour goes into the key and the sums are taken over the whole run, giving
   * what the stream's final pane gives. (Re-windowing would not do here: after the whole-run
   * deduplication the rows are stamped at the end of time, and re-stamped back they would all be
   * late.)
   */
  private static PCollection<CategorySales> wholeRun(PCollection<EtlRow> items) {
    return items
        .apply(
            "ByTenantCategoryAndHour",
            MapElements.into(SALE)
                .via((EtlRow r) -> sale(r, r.tenant() + "\u0000" + hourStart(r.eventTimeMillis()))))
        .setCoder(SALE_CODER)
        .apply("Sum", Combine.perKey(new SumSales()))
        .apply(
            "AsFinalPane",
            MapElements.into(TypeDescriptor.of(CategorySales.class))
                .via(
                    (KV<String, Totals> e) -> {
                      String[] key = e.getKey().split("\u0000", 3);
                      long start = Long.parseLong(key[1]);
                      Totals t = e.getValue();
                      return new CategorySales(
                          key[0], key[2], start, start + WINDOW.getMillis(), t.items, t.units,
                          t.revenue.toPlainString(), 0, PaneInfo.Timing.ON_TIME.name(), true);
                    }));
  }

  private static long hourStart(long eventTimeMillis) {
    return Math.floorDiv(eventTimeMillis, WINDOW.getMillis()) * WINDOW.getMillis();
  }

  /** (prefix \u0000 category, (quantity, quantity × unit price)) of one order item. */
  private static KV<String, KV<Long, BigDecimal>> sale(EtlRow row, String keyPrefix) {
    JsonNode v;
    try {
      v = Json.MAPPER.readTree(row.valuesJson());
    } catch (IOException e) {
      throw new UncheckedIOException("validated row is not JSON", e);
    }
    long quantity = v.path("quantity").asLong();
    BigDecimal price = new BigDecimal(v.path("unit_price").asText("0"));
    return KV.of(
        keyPrefix + "\u0000" + v.path("category").asText(),
        KV.of(quantity, price.multiply(BigDecimal.valueOf(quantity))));
  }

  /** Items, units and revenue so far. */
  static final class Totals implements Serializable {
    private static final long serialVersionUID = 1L;
    long items;
    long units;
    BigDecimal revenue = BigDecimal.ZERO;
  }

  /**
   * Totals as two varints and a decimal: deterministic bytes, unlike Java serialization, so the
   * runners can compare and the Direct runner's mutation checks stay quiet.
   */
  static final class TotalsCoder extends AtomicCoder<Totals> {
    static final TotalsCoder INSTANCE = new TotalsCoder();

    @Override
    public void encode(Totals t, OutputStream out) throws IOException {
      VarLongCoder.of().encode(t.items, out);
      VarLongCoder.of().encode(t.units, out);
      BigDecimalCoder.of().encode(t.revenue, out);
    }

    @Override
    public Totals decode(InputStream in) throws IOException {
      Totals t = new Totals();
      t.items = VarLongCoder.of().decode(in);
      t.units = VarLongCoder.of().decode(in);
      t.revenue = BigDecimalCoder.of().decode(in);
      return t;
    }

    @Override
    public void verifyDeterministic() {}
  }

  static final class SumSales extends Combine.CombineFn<KV<Long, BigDecimal>, Totals, Totals> {
    @Override
    public Totals createAccumulator() {
      return new Totals();
    }

    @Override
    public Totals addInput(Totals t, KV<Long, BigDecimal> sale) {
      t.items++;
      t.units += sale.getKey();
      t.revenue = t.revenue.add(sale.getValue());
      return t;
    }

    @Override
    public Totals mergeAccumulators(Iterable<Totals> all) {
      Totals out = new Totals();
      for (Totals t : all) {
        out.items += t.items;
        out.units += t.units;
        out.revenue = out.revenue.add(t.revenue);
      }
      return out;
    }

    @Override
    public Totals extractOutput(Totals t) {
      return t;
    }

    @Override
    public Coder<Totals> getAccumulatorCoder(
        CoderRegistry registry,
        Coder<KV<Long, BigDecimal>> input) {
      return TotalsCoder.INSTANCE;
    }

    @Override
    public Coder<Totals> getDefaultOutputCoder(
        CoderRegistry registry,
        Coder<KV<Long, BigDecimal>> input) {
      return TotalsCoder.INSTANCE;
    }
  }

  static final class ToCategorySalesFn extends DoFn<KV<String, Totals>, CategorySales> {
    @ProcessElement
    public void process(
        @Element KV<String, Totals> e, BoundedWindow window, PaneInfo pane, OutputReceiver<CategorySales> out) {
      IntervalWindow hour = (IntervalWindow) window;
      String[] key = e.getKey().split("\u0000", 2);
      Totals t = e.getValue();
      out.output(
          new CategorySales(
              key[0],
              key[1],
              hour.start().getMillis(),
              hour.end().getMillis(),
              t.items,
              t.units,
              t.revenue.toPlainString(),
              pane.getIndex(),
              pane.getTiming().name(),
              pane.isLast()));
    }
  }
}
