package io.beamline.benchmarks.baseline;

import static io.beamline.transforms.model.DeadLetterReason.MALFORMED_JSON;
import static io.beamline.transforms.model.DeadLetterReason.SCHEMA_VIOLATION;

import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.math.BigDecimal;

/**
 * Flattens a payload straight from the token stream into {@link FlatRow}s, by Beamline's rules
 * ({@code FlattenRecord}): nested keys joined with '_' into column positions of the table's plan,
 * the schema's child arrays exploded into child rows (each then carrying the parent key columns),
 * other arrays and empty objects kept as JSON text, unknown columns kept for {@code _extra}, two
 * keys flattening to one name a violation. The whole payload is always read, with the record
 * limits, before a schema violation is reported, so malformed or oversized payloads get the
 * reason Beamline gives them. Not thread-safe: one per worker.
 */
final class SchemaFlattener {
  private final LimitedJsonTokens tokens = LimitedJsonTokens.forPayload();
  private final StringBuilder text = new StringBuilder(256);
  private FlatRows rows;
  /** The first schema violation met; the payload is read to its end before it is thrown. */
  private Rejection violation;

  /** The payload's top row (its children below it), rows taken from {@code into}. */
  FlatRow flatten(TablePlan plan, String payload, FlatRows into) throws Rejection {
    rows = into;
    violation = null;
    FlatRow top;
    try {
      tokens.start(payload);
      JsonToken first = tokens.next();
      if (first != JsonToken.START_OBJECT) {
        if (first != null) {
          tokens.skipValue(first);
          tokens.expectEnd();
        }
        throw new Rejection(MALFORMED_JSON, "payload is not a JSON object");
      }
      top = rows.take(plan, null, null, 0);
      object(top, "", "", tokens.next());
      tokens.expectEnd();
    } catch (IOException e) {
      throw new Rejection(MALFORMED_JSON, "payload is not valid JSON");
    }
    if (violation != null) {
      throw violation;
    }
    carryParentKeys(top);
    return top;
  }

  /** Reads the members of an object whose first token after '{' is {@code t}, up to its '}'. */
  private void object(FlatRow row, String namePrefix, String pathPrefix, JsonToken t)
      throws IOException, Rejection {
    for (; t != JsonToken.END_OBJECT; t = tokens.next()) {
      if (t == null) {
        throw new Rejection(MALFORMED_JSON, "payload is not valid JSON");
      }
      String key = tokens.parser().currentName();
      String name = namePrefix.isEmpty() ? key : namePrefix + "_" + key;
      String path = pathPrefix.isEmpty() ? key : pathPrefix + "." + key;
      JsonToken v = tokens.next();
      if (v == null) {
        throw new Rejection(MALFORMED_JSON, "payload is not valid JSON");
      }
      if (violation != null) {
        tokens.skipValue(v);
        continue;
      }
      int child = row.plan.childPlans.length == 0 ? -1 : row.plan.childAt(path);
      if (child >= 0) {
        if (v == JsonToken.START_ARRAY) {
          childArray(row, child);
        } else {
          if (v != JsonToken.VALUE_NULL) {
            violate(row.where(path) + ": child array expected");
          }
          tokens.skipValue(v);
        }
      } else if (v == JsonToken.START_OBJECT) {
        JsonToken inner = tokens.next();
        if (inner == JsonToken.END_OBJECT) {
          put(row, name, "{}");
        } else {
          object(row, name, path, inner);
        }
      } else if (v == JsonToken.START_ARRAY) {
        text.setLength(0);
        tokens.appendValue(v, text);
        put(row, name, text.toString());
      } else {
        put(row, name, tokens.scalar(v));
      }
    }
  }

  private void childArray(FlatRow row, int child) throws IOException, Rejection {
    TablePlan childPlan = row.plan.childPlans[child];
    String specPath = row.plan.schema.children().get(child).path();
    int i = 0;
    for (JsonToken t = tokens.next(); t != JsonToken.END_ARRAY; t = tokens.next(), i++) {
      if (t == null) {
        throw new Rejection(MALFORMED_JSON, "payload is not valid JSON");
      }
      if (violation != null) {
        tokens.skipValue(t);
        continue;
      }
      if (t != JsonToken.START_OBJECT) {
        String loc = row.location();
        violate(row.plan.table() + "." + (loc.isEmpty() ? "" : loc + ".") + specPath + "[" + i + "]"
            + ": child element is not an object");
        tokens.skipValue(t);
        continue;
      }
      FlatRow element = rows.take(childPlan, row, specPath, i);
      row.children.add(element);
      row.childSpecs.add(child);
      object(element, "", "", tokens.next());
    }
  }

  private void put(FlatRow row, String name, Object value) {
    Integer at = row.plan.positions.get(name);
    if (at != null) {
      if (row.values[at] != null) {
        violate(row.where(name) + ": column name collision");
      } else {
        row.values[at] = value;
      }
    } else if (row.extraNames.contains(name)) {
      violate(row.where(name) + ": column name collision");
    } else {
      row.extraNames.add(name);
      row.extraValues.add(value);
    }
  }

  private void violate(String detail) {
    if (violation == null) {
      violation = new Rejection(SCHEMA_VIOLATION, detail);
    }
  }

  /**
   * Copies the parent key columns onto each child row, top down; a child that carries a key
   * column of its own with another value breaks the rule.
   */
  private static void carryParentKeys(FlatRow row) throws Rejection {
    for (int c = 0; c < row.children.size(); c++) {
      FlatRow child = row.children.get(c);
      int spec = row.childSpecs.get(c);
      int[] here = row.plan.parentKeyHere[spec];
      int[] there = row.plan.parentKeyThere[spec];
      for (int k = 0; k < here.length; k++) {
        Object parentValue = row.values[here[k]];
        if (parentValue == null) {
          parentValue = FlatRow.JSON_NULL;
        }
        Object own = child.values[there[k]];
        if (own != null && own != FlatRow.JSON_NULL && !sameJson(own, parentValue)) {
          throw new Rejection(
              SCHEMA_VIOLATION, child.where(child.plan.columns[there[k]].name()) + ": differs from the parent key");
        }
        child.values[there[k]] = parentValue;
      }
      carryParentKeys(child);
    }
  }

  /** JSON value equality as Jackson's nodes have it (decimals by numeric value). */
  static boolean sameJson(Object a, Object b) {
    if (a instanceof BigDecimal x && b instanceof BigDecimal y) {
      return x.compareTo(y) == 0;
    }
    return a.equals(b);
  }
}
