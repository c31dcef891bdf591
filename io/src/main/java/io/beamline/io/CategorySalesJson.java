package io.beamline.io;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.beamline.transforms.Json;
import io.beamline.transforms.model.CategorySales;
import java.time.Instant;
import org.apache.beam.sdk.values.KV;

/**
 * The agg zone's hourly sales: one JSON line per pane, in {@code
 * agg/shop/hourly_category_sales/tenant=<t>/dt=<date>/hr=<hour>} of the hour it sums. A later pane
 * (higher {@code pane_index}) of the same hour, tenant and category supersedes earlier ones.
 */
public final class CategorySalesJson {
  public static final String TABLE = "hourly_category_sales";

  private CategorySalesJson() {}

  /** (partition directory, JSON line) for {@link PartitionedTextWrite}. */
  public static KV<String, String> partitionedLine(CategorySales s) {
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.put("tenant", s.tenant());
    o.put("category", s.category());
    o.put("window_start", Instant.ofEpochMilli(s.windowStartMillis()).toString());
    o.put("window_end", Instant.ofEpochMilli(s.windowEndMillis()).toString());
    o.put("items", s.items());
    o.put("units", s.units());
    o.put("revenue", s.revenue());
    o.put("pane_index", s.paneIndex());
    o.put("timing", s.timing());
    o.put("final", s.last());
    return KV.of(
        PartitionPath.of(PartitionPath.AGG, "shop", TABLE, s.tenant(), s.windowStartMillis()),
        o.toString());
  }
}
