package io.beamline.benchmarks.baseline;

import io.beamline.io.EtlAvroSchemas;
import io.beamline.transforms.schema.TableSchema;
import io.beamline.transforms.schema.TableSchemas;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Every table of {@code --schemaDir} compiled into a {@link TablePlan}; immutable, shared by threads. */
final class SchemaPlans {
  private final Map<String, Map<String, TablePlan>> bySource = new HashMap<>();
  private final List<TablePlan> all = new ArrayList<>();

  SchemaPlans(TableSchemas schemas) {
    EtlAvroSchemas avro = new EtlAvroSchemas(schemas);
    List<TableSchema> sorted = new ArrayList<>(schemas.all());
    sorted.sort(Comparator.comparing(TableSchema::source).thenComparing(TableSchema::table));
    for (TableSchema s : sorted) {
      TablePlan plan = new TablePlan(all.size(), schemas, s, avro);
      all.add(plan);
      bySource.computeIfAbsent(s.source(), k -> new HashMap<>()).put(s.table(), plan);
    }
    for (TablePlan p : all) {
      p.linkChildren(bySource.get(p.schema.source()));
    }
  }

  /** The plan of a table, or null when it has no schema. */
  TablePlan get(String source, String table) {
    Map<String, TablePlan> tables = bySource.get(source);
    return tables == null ? null : tables.get(table);
  }

  /** Every plan, by {@link TablePlan#index}. */
  List<TablePlan> all() {
    return all;
  }
}
