package io.beamline.transforms;

import static io.beamline.transforms.model.DeadLetterReason.SCHEMA_VIOLATION;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.beamline.transforms.model.DeadLetter;
import io.beamline.transforms.model.Envelope;
import io.beamline.transforms.model.EtlRow;
import io.beamline.transforms.model.FlatEvent;
import io.beamline.transforms.model.FlatRow;
import io.beamline.transforms.model.ValidatedEvent;
import io.beamline.transforms.schema.FieldCheck;
import io.beamline.transforms.schema.FieldSpec;
import io.beamline.transforms.schema.TableSchemas;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.WithFailures;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TupleTag;

/**
 * Types and checks every row of an event against its table schema (type, required, default,
 * min/max, pattern, enum). Columns the schema does not know are kept in {@code _extra}. One bad
 * row rejects the whole event, so a parent never lands without its children.
 */
public final class ValidateAgainstSchema
    extends PTransform<PCollection<FlatEvent>, WithFailures.Result<PCollection<ValidatedEvent>, DeadLetter>> {
  static final String STAGE = "validate";
  /** Column holding the fields the schema does not know, as a JSON object string. */
  public static final String EXTRA_COLUMN = "_extra";

  private static final TupleTag<ValidatedEvent> VALID = new TupleTag<ValidatedEvent>("valid") {};

  private final TableSchemas schemas;

  private ValidateAgainstSchema(TableSchemas schemas) {
    this.schemas = schemas;
  }

  public static ValidateAgainstSchema with(TableSchemas schemas) {
    return new ValidateAgainstSchema(schemas);
  }

  @Override
  public WithFailures.Result<PCollection<ValidatedEvent>, DeadLetter> expand(
      PCollection<FlatEvent> events) {
    return DeadLetters.route(events, "CheckRows", new ValidateFn(schemas), VALID);
  }

  static final class ValidateFn extends RecordStep.StepFn<FlatEvent, ValidatedEvent> {
    ValidateFn(TableSchemas schemas) {
      super(new Validate(schemas));
    }
  }

  /** Types and checks every row of one event; one bad row rejects the event. */
  static final class Validate extends RecordStep<FlatEvent, ValidatedEvent> {
    private static final long serialVersionUID = 1L;

    private final TableSchemas schemas;

    Validate(TableSchemas schemas) {
      super(STAGE, SCHEMA_VIOLATION);
      this.schemas = schemas;
    }

    @Override
    ValidatedEvent apply(FlatEvent in) throws RejectedRecordException {
      Envelope e = in.envelope();
      List<EtlRow> rows = new ArrayList<>();
      Map<String, Integer> rowsPerTable = new HashMap<>();
      for (FlatRow row : in.rows()) {
        int index = rowsPerTable.merge(row.table(), 1, Integer::sum) - 1;
        rows.add(validate(schemas, e, row).withRowIndex(index));
      }
      return new ValidatedEvent(e, rows);
    }

    @Override
    Envelope envelopeOf(FlatEvent in) {
      return in.envelope();
    }
  }

  static EtlRow validate(TableSchemas schemas, Envelope e, FlatRow row)
      throws RejectedRecordException {
    ObjectNode columns = row.columns();
    List<FieldSpec> fields = schemas.columnsOf(e.source(), row.table());
    ObjectNode values = Json.MAPPER.createObjectNode();
    int known = 0;
    for (FieldSpec field : fields) {
      JsonNode value = columns.get(field.name());
      if (value != null) {
        known++;
      }
      if (value == null || value.isNull()) {
        if (field.required()) {
          throw violation(row, field, "required");
        }
        value = field.defaultValue();
      }
      try {
        values.set(field.name(), value == null ? NullNode.getInstance() : FieldCheck.check(field, value));
      } catch (FieldCheck.Violation v) {
        throw violation(row, field, v.rule());
      }
    }
    values.set(EXTRA_COLUMN, known == columns.size() ? NullNode.getInstance() : extra(columns, fields));
    return new EtlRow(e.source(), row.table(), e.tenant(), e.eventId(), e.eventTimeMillis(), values);
  }

  /** The columns the schema does not know, in their order, as one JSON object string. */
  private static TextNode extra(ObjectNode columns, List<FieldSpec> fields) {
    ObjectNode extra = Json.MAPPER.createObjectNode();
    columns.fields().forEachRemaining(
        c -> {
          if (fields.stream().noneMatch(f -> f.name().equals(c.getKey()))) {
            extra.set(c.getKey(), c.getValue());
          }
        });
    return TextNode.valueOf(extra.toString());
  }

  private static RejectedRecordException violation(FlatRow row, FieldSpec field, String rule) {
    String where = row.table() + (row.location().isEmpty() ? "" : "." + row.location());
    return new RejectedRecordException(SCHEMA_VIOLATION, where + "." + field.name() + ": " + rule);
  }
}
