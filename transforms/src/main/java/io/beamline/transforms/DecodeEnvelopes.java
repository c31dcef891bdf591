package io.beamline.transforms;

import io.beamline.transforms.model.DeadLetter;
import io.beamline.transforms.model.DecodedEvent;
import io.beamline.transforms.model.Envelope;
import io.beamline.transforms.model.FlatEvent;
import io.beamline.transforms.model.ValidatedEvent;
import io.beamline.transforms.schema.TableSchemas;
import java.security.GeneralSecurityException;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.WithFailures;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TupleTag;

/**
 * {@link DecryptPayload}, {@link FlattenRecord}, {@link ValidateAgainstSchema} and {@link
 * ProtectPersonalData} fused into one DoFn with one dead-letter output: the same rows, dead
 * letters (each under the stage that rejected it) and {@code records_out} counts as the four
 * stages applied in turn. Its events are {@link ValidatedEvent#trimmed() trimmed}: neither the
 * payload nor the raw line travels on (each alone is as large as the event's rows).
 *
 * <p>Why fused: a runner that does not chain multi-output ParDos (Flink's batch translation sends
 * each through a tagged union and one filter per output) encodes and decodes every element between
 * the stages. Profiled on Flink, that was 56 % of the CPU of {@code etl}.
 */
public final class DecodeEnvelopes
    extends PTransform<PCollection<Envelope>, WithFailures.Result<PCollection<ValidatedEvent>, DeadLetter>> {
  private static final TupleTag<ValidatedEvent> DECODED = new TupleTag<ValidatedEvent>("decoded") {};

  private final Keyring keyring;
  private final TableSchemas schemas;
  private final RecordLimits limits;

  private DecodeEnvelopes(Keyring keyring, TableSchemas schemas, RecordLimits limits) {
    this.keyring = keyring;
    this.schemas = schemas;
    this.limits = limits;
  }

  /** Decodes with the keyring and schemas, holding payloads to {@link RecordLimits#defaults()}. */
  public static DecodeEnvelopes with(Keyring keyring, TableSchemas schemas) {
    return new DecodeEnvelopes(keyring, schemas, RecordLimits.defaults());
  }

  /** Holds payloads to these limits, as {@link DecryptPayload} and {@link FlattenRecord} do. */
  public DecodeEnvelopes withLimits(RecordLimits recordLimits) {
    return new DecodeEnvelopes(keyring, schemas, recordLimits);
  }

  @Override
  public WithFailures.Result<PCollection<ValidatedEvent>, DeadLetter> expand(
      PCollection<Envelope> envelopes) {
    return DeadLetters.route(
        envelopes,
        "DecryptFlattenValidateProtect",
        new DecodeFn(
            new DecryptPayload.Decrypt(keyring, limits.maxRecordBytes()),
            new FlattenRecord.Flatten(schemas, limits),
            new ValidateAgainstSchema.Validate(schemas),
            new ProtectPersonalData.Protect(keyring, schemas)),
        DECODED);
  }

  static final class DecodeFn extends DoFn<Envelope, ValidatedEvent> {
    private final DecryptPayload.Decrypt decrypt;
    private final FlattenRecord.Flatten flatten;
    private final ValidateAgainstSchema.Validate validate;
    private final ProtectPersonalData.Protect protect;

    DecodeFn(
        DecryptPayload.Decrypt decrypt,
        FlattenRecord.Flatten flatten,
        ValidateAgainstSchema.Validate validate,
        ProtectPersonalData.Protect protect) {
      this.decrypt = decrypt;
      this.flatten = flatten;
      this.validate = validate;
      this.protect = protect;
    }

    @Setup
    public void setup() throws GeneralSecurityException {
      decrypt.setup();
      flatten.setup();
      validate.setup();
      protect.setup();
    }

    @ProcessElement
    public void process(ProcessContext c) {
      Envelope e = c.element();
      RecordStep<?, ?> step = decrypt;
      try {
        DecodedEvent decoded = decrypt.apply(e);
        decrypt.countPassed();
        step = flatten;
        FlatEvent flat = flatten.apply(decoded);
        flatten.countPassed();
        step = validate;
        ValidatedEvent valid = validate.apply(flat);
        validate.countPassed();
        step = protect;
        ValidatedEvent safe = protect.apply(valid);
        c.output(safe.trimmed());
        protect.countPassed();
      } catch (RejectedRecordException r) {
        DeadLetters.emit(c, step.rejected(e, r));
      } catch (RuntimeException r) {
        DeadLetters.emit(c, step.failed(e, r));
      }
    }
  }
}
