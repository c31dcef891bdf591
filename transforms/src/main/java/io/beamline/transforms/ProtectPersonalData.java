package io.beamline.transforms;

import static io.beamline.transforms.model.DeadLetterReason.UNKNOWN_KEY;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.beamline.transforms.model.DeadLetter;
import io.beamline.transforms.model.DeadLetterReason;
import io.beamline.transforms.model.Envelope;
import io.beamline.transforms.model.EtlRow;
import io.beamline.transforms.model.ValidatedEvent;
import io.beamline.transforms.schema.FieldSpec;
import io.beamline.transforms.schema.PiiProtection;
import io.beamline.transforms.schema.TableSchemas;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.WithFailures;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TupleTag;

/**
 * Replaces the values of fields a schema marks {@code "pii"} with their protected text, right
 * after validation, so that every zone, topic and table downstream only ever sees protected
 * values: {@code hash} with the tenant's keyed HMAC-SHA256 (hex, stable for joins), {@code
 * encrypt} with AES-256-GCM under the tenant's key (base64; {@link RevealPersonalData} opens it).
 * An event of a table with pii fields whose tenant has no pii key in the keyring is a dead letter
 * ({@code UNKNOWN_KEY}, stage {@code protect}).
 */
public final class ProtectPersonalData
    extends PTransform<PCollection<ValidatedEvent>, WithFailures.Result<PCollection<ValidatedEvent>, DeadLetter>> {
  static final String STAGE = "protect";
  private static final TupleTag<ValidatedEvent> PROTECTED = new TupleTag<ValidatedEvent>("protected") {};

  private final Keyring keyring;
  private final TableSchemas schemas;

  private ProtectPersonalData(Keyring keyring, TableSchemas schemas) {
    this.keyring = keyring;
    this.schemas = schemas;
  }

  public static ProtectPersonalData with(Keyring keyring, TableSchemas schemas) {
    return new ProtectPersonalData(keyring, schemas);
  }

  @Override
  public WithFailures.Result<PCollection<ValidatedEvent>, DeadLetter> expand(
      PCollection<ValidatedEvent> events) {
    return DeadLetters.route(events, "ProtectPiiFields", new ProtectFn(keyring, schemas), PROTECTED);
  }

  static final class ProtectFn extends RecordStep.StepFn<ValidatedEvent, ValidatedEvent> {
    ProtectFn(Keyring keyring, TableSchemas schemas) {
      super(new Protect(keyring, schemas));
    }
  }

  /** Encrypts or hashes one event's personal-data fields. */
  static final class Protect extends RecordStep<ValidatedEvent, ValidatedEvent> {
    private static final long serialVersionUID = 1L;

    private final Keyring keyring;
    private final TableSchemas schemas;
    private transient PersonalDataCipher cipher;
    private transient Map<String, List<FieldSpec>> piiFieldsByTable;

    Protect(Keyring keyring, TableSchemas schemas) {
      super(STAGE, DeadLetterReason.SCHEMA_VIOLATION);
      this.keyring = keyring;
      this.schemas = schemas;
    }

    @Override
    void setup() throws GeneralSecurityException {
      cipher = new PersonalDataCipher(keyring);
      piiFieldsByTable = new HashMap<>();
    }

    @Override
    ValidatedEvent apply(ValidatedEvent event) throws RejectedRecordException {
      List<EtlRow> rows = new ArrayList<>(event.rows().size());
      boolean changed = false;
      for (EtlRow row : event.rows()) {
        EtlRow out = protect(row);
        changed |= out != row;
        rows.add(out);
      }
      return changed ? new ValidatedEvent(event.envelope(), rows) : event;
    }

    @Override
    Envelope envelopeOf(ValidatedEvent in) {
      return in.envelope();
    }

    private EtlRow protect(EtlRow row) throws RejectedRecordException {
      List<FieldSpec> pii =
          piiFieldsByTable.computeIfAbsent(
              row.source() + "/" + row.table(),
              t ->
                  schemas.columnsOf(row.source(), row.table()).stream()
                      .filter(f -> f.pii() != null)
                      .toList());
      if (pii.isEmpty()) {
        return row;
      }
      if (!cipher.hasKeyFor(row.tenant())) {
        throw new RejectedRecordException(
            UNKNOWN_KEY, row.table() + ": no pii key for tenant " + row.tenant() + " in the keyring");
      }
      // A copy: the row's own tree stays as validation made it.
      ObjectNode values = Json.MAPPER.createObjectNode().setAll(row.values());
      for (FieldSpec field : pii) {
        JsonNode value = values.get(field.name());
        if (value == null || value.isNull()) {
          continue;
        }
        values.put(
            field.name(),
            field.pii() == PiiProtection.HASH
                ? cipher.hash(row.tenant(), value.asText())
                : cipher.encrypt(
                    row.tenant(),
                    value.asText(),
                    row.eventId(),
                    row.table(),
                    Integer.toString(row.rowIndex()),
                    field.name()));
      }
      return new EtlRow(
              row.source(), row.table(), row.tenant(), row.eventId(), row.eventTimeMillis(), values)
          .withRowIndex(row.rowIndex());
    }
  }
}
