package io.beamline.benchmarks.baseline;

import java.util.ArrayList;
import java.util.Arrays;

/**
 * One row of a payload while it is flattened, validated and written: the value of each column by
 * its position in the table's plan, the fields the schema does not know (for {@code _extra}), and
 * the child rows exploded from it. Reused from event to event by {@link FlatRows}.
 *
 * <p>Flattened values are the JSON scalars: String, Long, BigInteger, BigDecimal, Boolean or
 * {@link #JSON_NULL}; arrays and empty objects are kept as their JSON text (a String). After
 * validation {@link #values} hold the written values (see {@link TablePlan#typed}).
 */
final class FlatRow {
  /** A JSON null in the payload (a present column without value), as opposed to an absent one (null). */
  static final Object JSON_NULL = new Object() {
    @Override
    public String toString() {
      return "null";
    }
  };

  TablePlan plan;
  Object[] values = new Object[16];
  final ArrayList<String> extraNames = new ArrayList<>();
  final ArrayList<Object> extraValues = new ArrayList<>();
  /** Child rows in the order met, each with the index of the child spec it belongs to. */
  final ArrayList<FlatRow> children = new ArrayList<>();
  final ArrayList<Integer> childSpecs = new ArrayList<>();
  /** Where the row sits in the payload, for details: parent and path[index], null for the top row. */
  FlatRow parent;
  String path;
  int element;
  /** The index of this row among its event's rows of the same table (pii nonces use it). */
  int rowIndex;
  /** {@code _extra} after validation, or null. */
  String extra;

  void reset(TablePlan table, FlatRow parentRow, String childPath, int elementIndex) {
    plan = table;
    int n = table.columns.length;
    if (values.length < n) {
      values = new Object[n];
    } else {
      Arrays.fill(values, 0, n, null);
    }
    extraNames.clear();
    extraValues.clear();
    children.clear();
    childSpecs.clear();
    parent = parentRow;
    path = childPath;
    element = elementIndex;
    extra = null;
  }

  /** Beamline's location of the row: "" for the top row, {@code items[2]}, {@code items[2].parts[0]}. */
  String location() {
    if (parent == null) {
      return "";
    }
    String up = parent.location();
    return (up.isEmpty() ? "" : up + ".") + path + "[" + element + "]";
  }

  /** {@code table[.location].column}, as Beamline's details name a column. */
  String where(String column) {
    String loc = location();
    return plan.table() + (loc.isEmpty() ? "" : "." + loc) + "." + column;
  }
}
