package io.beamline.benchmarks.baseline;

import java.util.ArrayList;

/**
 * The rows of one event, in Beamline's order (each row, then the rows of its children, depth
 * first), from a pool of {@link FlatRow}s one worker reuses for every event.
 */
final class FlatRows {
  private final ArrayList<FlatRow> pool = new ArrayList<>();
  private int used;
  /** The event's rows in order, filled by {@link #order}. */
  final ArrayList<FlatRow> ordered = new ArrayList<>();

  void clear() {
    used = 0;
    ordered.clear();
  }

  FlatRow take(TablePlan plan, FlatRow parent, String path, int element) {
    if (used == pool.size()) {
      pool.add(new FlatRow());
    }
    FlatRow row = pool.get(used++);
    row.reset(plan, parent, path, element);
    return row;
  }

  /** Lists the rows depth first from the top row and numbers them per table. */
  void order(FlatRow top, int tableCount, int[] perTable) {
    java.util.Arrays.fill(perTable, 0, tableCount, 0);
    ordered.clear();
    add(top, perTable);
  }

  private void add(FlatRow row, int[] perTable) {
    row.rowIndex = perTable[row.plan.index]++;
    ordered.add(row);
    for (FlatRow child : row.children) {
      add(child, perTable);
    }
  }
}
