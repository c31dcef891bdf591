package io.beamline.transforms;

import static io.beamline.transforms.model.DeadLetterReason.MALFORMED_JSON;
import static io.beamline.transforms.model.DeadLetterReason.SCHEMA_VIOLATION;
import static io.beamline.transforms.model.DeadLetterReason.UNKNOWN_TABLE;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.beamline.transforms.model.DeadLetter;
import io.beamline.transforms.model.DecodedEvent;
import io.beamline.transforms.model.Envelope;
import io.beamline.transforms.model.FlatEvent;
import io.beamline.transforms.model.FlatRow;
import io.beamline.transforms.schema.ChildSpec;
import io.beamline.transforms.schema.TableSchema;
import io.beamline.transforms.schema.TableSchemas;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.WithFailures;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TupleTag;

/**
 * Flattens a payload into columns: nested keys are joined with '_', arrays declared as children
 * are exploded into child-table rows carrying the parent key, other arrays become JSON strings.
 * Rows are emitted untyped; {@link ValidateAgainstSchema} types and checks them.
 */
public final class FlattenRecord
    extends PTransform<PCollection<DecodedEvent>, WithFailures.Result<PCollection<FlatEvent>, DeadLetter>> {
  static final String STAGE = "flatten";
  private static final TupleTag<FlatEvent> FLAT = new TupleTag<FlatEvent>("flat") {};

  private final TableSchemas schemas;
  private final RecordLimits limits;

  private FlattenRecord(TableSchemas schemas, RecordLimits limits) {
    this.schemas = schemas;
    this.limits = limits;
  }

  /** Flattens by these schemas, holding payloads to {@link RecordLimits#defaults()}. */
  public static FlattenRecord with(TableSchemas schemas) {
    return new FlattenRecord(schemas, RecordLimits.defaults());
  }

  /**
   * A payload over the limits (nesting depth, values, string or number length) is an {@code
   * OVERSIZED} dead letter, found in a streaming pass before its tree is built.
   */
  public FlattenRecord withLimits(RecordLimits recordLimits) {
    return new FlattenRecord(schemas, recordLimits);
  }

  @Override
  public WithFailures.Result<PCollection<FlatEvent>, DeadLetter> expand(
      PCollection<DecodedEvent> events) {
    return DeadLetters.route(events, "FlattenJson", new FlattenFn(schemas, limits), FLAT);
  }

  static final class FlattenFn extends RecordStep.StepFn<DecodedEvent, FlatEvent> {
    FlattenFn(TableSchemas schemas, RecordLimits limits) {
      super(new Flatten(schemas, limits));
    }
  }

  /** Flattens one decoded payload into its rows. */
  static final class Flatten extends RecordStep<DecodedEvent, FlatEvent> {
    private static final long serialVersionUID = 1L;

    private final TableSchemas schemas;
    private final RecordLimits limits;
    private transient BoundedJsonReader reader;

    Flatten(TableSchemas schemas, RecordLimits limits) {
      super(STAGE, SCHEMA_VIOLATION);
      this.schemas = schemas;
      this.limits = limits;
    }

    @Override
    void setup() {
      reader = BoundedJsonReader.forPayload(limits);
    }

    @Override
    FlatEvent apply(DecodedEvent in) throws RejectedRecordException {
      return new FlatEvent(in.envelope(), flatten(schemas, reader, in.envelope(), in.payloadJson()));
    }

    @Override
    Envelope envelopeOf(DecodedEvent in) {
      return in.envelope();
    }
  }

  static List<FlatRow> flatten(
      TableSchemas schemas, BoundedJsonReader reader, Envelope e, String payloadJson)
      throws RejectedRecordException {
    TableSchema schema = schemas.get(e.source(), e.table());
    if (schema == null) {
      throw new RejectedRecordException(
          UNKNOWN_TABLE, "no schema for " + e.source() + "/" + e.table());
    }
    JsonNode payload = reader.read(payloadJson);
    if (payload == null || !payload.isObject()) {
      throw new RejectedRecordException(MALFORMED_JSON, "payload is not a JSON object");
    }
    List<FlatRow> rows = new ArrayList<>();
    flattenRow(schemas, schema, (ObjectNode) payload, "", null, rows);
    return rows;
  }

  /** Appends the row of {@code node} and, after it, the rows of its children. */
  private static void flattenRow(
      TableSchemas schemas,
      TableSchema schema,
      ObjectNode node,
      String location,
      Map<String, JsonNode> parentKey,
      List<FlatRow> rows)
      throws RejectedRecordException {
    ObjectNode columns = Json.MAPPER.createObjectNode();
    List<PendingChild> children = new ArrayList<>();
    flattenObject(schema, node, "", "", location, columns, children);
    if (parentKey != null) {
      for (Map.Entry<String, JsonNode> k : parentKey.entrySet()) {
        JsonNode own = columns.get(k.getKey());
        if (own != null && !own.isNull() && !own.equals(k.getValue())) {
          throw new RejectedRecordException(
              SCHEMA_VIOLATION, where(schema, location, k.getKey()) + ": differs from the parent key");
        }
        columns.set(k.getKey(), k.getValue());
      }
    }
    rows.add(new FlatRow(schema.table(), columns, location));
    for (PendingChild pending : children) {
      ChildSpec spec = pending.spec();
      JsonNode array = pending.array();
      TableSchema childSchema = schemas.get(schema.source(), spec.table());
      Map<String, JsonNode> key = new LinkedHashMap<>();
      for (String k : spec.parentKey()) {
        key.put(k, columns.has(k) ? columns.get(k) : NullNode.getInstance());
      }
      for (int i = 0; i < array.size(); i++) {
        String childLocation = location + (location.isEmpty() ? "" : ".") + spec.path() + "[" + i + "]";
        if (!array.get(i).isObject()) {
          throw new RejectedRecordException(
              SCHEMA_VIOLATION, schema.table() + "." + childLocation + ": child element is not an object");
        }
        flattenRow(schemas, childSchema, (ObjectNode) array.get(i), childLocation, key, rows);
      }
    }
  }

  private static void flattenObject(
      TableSchema schema,
      ObjectNode node,
      String namePrefix,
      String pathPrefix,
      String location,
      ObjectNode columns,
      List<PendingChild> children)
      throws RejectedRecordException {
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      String name = namePrefix.isEmpty() ? field.getKey() : namePrefix + "_" + field.getKey();
      String path = pathPrefix.isEmpty() ? field.getKey() : pathPrefix + "." + field.getKey();
      JsonNode value = field.getValue();
      ChildSpec child = schema.childAt(path);
      if (child != null) {
        if (value.isArray()) {
          children.add(new PendingChild(child, value));
        } else if (!value.isNull()) {
          throw new RejectedRecordException(
              SCHEMA_VIOLATION, where(schema, location, path) + ": child array expected");
        }
      } else if (value.isObject() && !value.isEmpty()) {
        flattenObject(schema, (ObjectNode) value, name, path, location, columns, children);
      } else {
        if (columns.has(name)) {
          throw new RejectedRecordException(
              SCHEMA_VIOLATION, where(schema, location, name) + ": column name collision");
        }
        columns.set(name, value.isContainerNode() ? TextNode.valueOf(value.toString()) : value);
      }
    }
  }

  /** A declared child array met while flattening, exploded after its parent row is complete. */
  private record PendingChild(ChildSpec spec, JsonNode array) {}

  static String where(TableSchema schema, String location, String column) {
    return schema.table() + (location.isEmpty() ? "" : "." + location) + "." + column;
  }
}
