package io.beamline.transforms.model;

import java.util.Objects;
import org.apache.beam.sdk.coders.DefaultCoder;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;

/**
 * One pane of the hourly sales of a tenant's category: order items, units and revenue (quantity
 * times unit price, as a plain decimal string) in one event-time hour, as of this pane. Panes
 * accumulate: a later pane of the same hour replaces an earlier one.
 */
@DefaultCoder(AvroCoder.class)
public final class CategorySales {
  private String tenant;
  private String category;
  private long windowStartMillis;
  private long windowEndMillis;
  private long items;
  private long units;
  private String revenue;
  private long paneIndex;
  private String timing;
  private boolean last;

  CategorySales() {}

  public CategorySales(
      String tenant,
      String category,
      long windowStartMillis,
      long windowEndMillis,
      long items,
      long units,
      String revenue,
      long paneIndex,
      String timing,
      boolean last) {
    this.tenant = tenant;
    this.category = category;
    this.windowStartMillis = windowStartMillis;
    this.windowEndMillis = windowEndMillis;
    this.items = items;
    this.units = units;
    this.revenue = revenue;
    this.paneIndex = paneIndex;
    this.timing = timing;
    this.last = last;
  }

  public String tenant() {
    return tenant;
  }

  public String category() {
    return category;
  }

  public long windowStartMillis() {
    return windowStartMillis;
  }

  public long windowEndMillis() {
    return windowEndMillis;
  }

  public long items() {
    return items;
  }

  public long units() {
    return units;
  }

  public String revenue() {
    return revenue;
  }

  /** 0 for the first pane of the hour, then 1, 2, ... */
  public long paneIndex() {
    return paneIndex;
  }

  /** EARLY (before the watermark passed the hour), ON_TIME, LATE or UNKNOWN. */
  public String timing() {
    return timing;
  }

  /** Whether no later pane of this hour will come. */
  public boolean last() {
    return last;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof CategorySales)) {
      return false;
    }
    CategorySales c = (CategorySales) o;
    return windowStartMillis == c.windowStartMillis
        && windowEndMillis == c.windowEndMillis
        && items == c.items
        && units == c.units
        && paneIndex == c.paneIndex
        && last == c.last
        && tenant.equals(c.tenant)
        && category.equals(c.category)
        && revenue.equals(c.revenue)
        && timing.equals(c.timing);
  }

  @Override
  public int hashCode() {
    return Objects.hash(tenant, category, windowStartMillis, items, units, revenue, paneIndex, timing);
  }

  @Override
  public String toString() {
    return "CategorySales{" + tenant + "/" + category + " @" + windowStartMillis + " items=" + items
        + " units=" + units + " revenue=" + revenue + " pane=" + paneIndex + " " + timing
        + (last ? " last" : "") + "}";
  }
}
