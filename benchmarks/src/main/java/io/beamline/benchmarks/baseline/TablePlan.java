package io.beamline.benchmarks.baseline;

import com.fasterxml.jackson.databind.JsonNode;
import io.beamline.io.EtlAvroSchemas;
import io.beamline.transforms.schema.ChildSpec;
import io.beamline.transforms.schema.FieldCheck;
import io.beamline.transforms.schema.FieldSpec;
import io.beamline.transforms.schema.PiiProtection;
import io.beamline.transforms.schema.TableSchema;
import io.beamline.transforms.schema.TableSchemas;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;

/**
 * One table compiled once for the hot path: its columns in Beamline's order (own fields, then
 * carried parent keys) by position, the position of each column name, the children, the
 * normalised defaults, the pii columns and the Avro schema of its rows. Rows are arrays indexed by
 * column position; nothing is looked up by name per record except flattened payload keys.
 */
final class TablePlan {
  final int index;
  final TableSchema schema;
  final FieldSpec[] columns;
  final Map<String, Integer> positions = new HashMap<>();
  /** Normalised default of each column (the value written), null when it has none. */
  final Object[] defaults;
  /** Positions of pii columns, and how each is protected. */
  final int[] piiPositions;
  final PiiProtection[] piiModes;
  final Schema avroSchema;
  /** The plan of each of {@link TableSchema#children()}, in their order; set after all plans exist. */
  TablePlan[] childPlans;
  /** For each child, the positions of its parent key columns in this table and in the child's. */
  int[][] parentKeyHere;
  int[][] parentKeyThere;

  TablePlan(int index, TableSchemas schemas, TableSchema schema, EtlAvroSchemas avro) {
    this.index = index;
    this.schema = schema;
    List<FieldSpec> cols = schemas.columnsOf(schema.source(), schema.table());
    this.columns = cols.toArray(new FieldSpec[0]);
    this.defaults = new Object[columns.length];
    List<Integer> pii = new ArrayList<>();
    for (int i = 0; i < columns.length; i++) {
      positions.put(columns[i].name(), i);
      JsonNode d = columns[i].defaultValue();
      if (d != null && !d.isNull()) {
        try {
          defaults[i] = typed(columns[i], FieldCheck.check(columns[i], d));
        } catch (FieldCheck.Violation v) {
          throw new IllegalStateException("schema default of " + columns[i].name() + " breaks its rules");
        }
      }
      if (columns[i].pii() != null) {
        pii.add(i);
      }
    }
    this.piiPositions = pii.stream().mapToInt(Integer::intValue).toArray();
    this.piiModes = new PiiProtection[piiPositions.length];
    for (int i = 0; i < piiPositions.length; i++) {
      piiModes[i] = columns[piiPositions[i]].pii();
    }
    this.avroSchema = avro.of(schema.source(), schema.table());
  }

  void linkChildren(Map<String, TablePlan> plansOfSource) {
    List<ChildSpec> children = schema.children();
    childPlans = new TablePlan[children.size()];
    parentKeyHere = new int[children.size()][];
    parentKeyThere = new int[children.size()][];
    for (int c = 0; c < children.size(); c++) {
      ChildSpec spec = children.get(c);
      childPlans[c] = plansOfSource.get(spec.table());
      List<String> key = spec.parentKey();
      parentKeyHere[c] = new int[key.size()];
      parentKeyThere[c] = new int[key.size()];
      for (int k = 0; k < key.size(); k++) {
        parentKeyHere[c][k] = positions.get(key.get(k));
        parentKeyThere[c][k] = childPlans[c].positions.get(key.get(k));
      }
    }
  }

  /** The child declared at a dotted payload path, as an index into the children, or -1. */
  int childAt(String path) {
    List<ChildSpec> children = schema.children();
    for (int c = 0; c < children.size(); c++) {
      if (children.get(c).path().equals(path)) {
        return c;
      }
    }
    return -1;
  }

  String table() {
    return schema.table();
  }

  /** A value FieldCheck normalised, in the Java type its Avro column takes. */
  static Object typed(FieldSpec field, JsonNode normalised) {
    return switch (field.type()) {
      case STRING -> normalised.textValue();
      case INT, DATE -> normalised.intValue();
      case LONG, TIMESTAMP -> normalised.longValue();
      case DOUBLE -> normalised.doubleValue();
      case BOOLEAN -> normalised.booleanValue();
      case DECIMAL -> ByteBuffer.wrap(new BigDecimal(normalised.textValue()).unscaledValue().toByteArray());
    };
  }
}
