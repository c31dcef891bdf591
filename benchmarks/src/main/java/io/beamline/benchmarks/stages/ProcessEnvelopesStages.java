package io.beamline.benchmarks.stages;

import io.beamline.transforms.Keyring;
import io.beamline.transforms.DecodeEnvelopes;
import io.beamline.transforms.DecryptPayload;
import io.beamline.transforms.FlattenRecord;
import io.beamline.transforms.ParseEnvelope;
import io.beamline.transforms.ProcessEnvelopes;
import io.beamline.transforms.ProtectPersonalData;
import io.beamline.transforms.RecordLimits;
import io.beamline.transforms.model.DecodedEvent;
import io.beamline.transforms.model.Envelope;
import io.beamline.transforms.model.EtlRow;
import io.beamline.transforms.model.FlatEvent;
import io.beamline.transforms.model.ValidatedEvent;
import io.beamline.transforms.ValidateAgainstSchema;
import io.beamline.transforms.schema.TableSchemas;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.runners.TransformHierarchy;
import org.apache.beam.sdk.testing.CrashingRunner;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.FlatMapElements;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.util.SerializableUtils;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PValue;
import org.apache.beam.sdk.values.TypeDescriptor;

/**
 * The per-record stages of Beamline's shared composite, {@link ProcessEnvelopes}, each applied as
 * its own transform with the keyring, schemas and record limits {@code etl} gives them, taken out
 * of a pipeline that is built but never run: each stage's DoFn, ready to call one element at a
 * time, and the coder of each element type between two stages, as the pipeline infers it. (The
 * composite runs decrypt to protect fused in one DoFn, {@link DecodeEnvelopes}; {@link #chain}
 * measures that path, the single stages what each costs.)
 */
public final class ProcessEnvelopesStages {
  /** The stages' steps whose DoFns hold the per-record logic, in pipeline order. */
  static final List<String> STEPS =
      List.of(
          "ParseEnvelope/ParseEnvelopeJson",
          "DecryptPayload/DecryptAesGcm",
          "FlattenRecord/FlattenJson",
          "ValidateAgainstSchema/CheckRows",
          "ProtectPersonalData/ProtectPiiFields");

  /** Element types between the stages; only Envelope and ValidatedEvent cross a fused boundary. */
  static final List<Class<?>> BOUNDARY_TYPES =
      List.of(Envelope.class, DecodedEvent.class, FlatEvent.class, ValidatedEvent.class, EtlRow.class);

  public final StageCall<String, Envelope> parse;
  public final StageCall<Envelope, DecodedEvent> decrypt;
  public final StageCall<DecodedEvent, FlatEvent> flatten;
  public final StageCall<FlatEvent, ValidatedEvent> validate;
  public final StageCall<ValidatedEvent, ValidatedEvent> protect;
  private final Map<Class<?>, Coder<?>> coders;
  private final byte[] serialized;

  /** What a runner ships to its workers: the steps' DoFns, in {@link #STEPS} order, and the coders. */
  private record Parts(List<DoFn<?, ?>> fns, Map<Class<?>, Coder<?>> coders) implements Serializable {
    private static final long serialVersionUID = 1L;
  }

  @SuppressWarnings("unchecked")
  private ProcessEnvelopesStages(byte[] serialized) {
    this.serialized = serialized;
    Parts parts = (Parts) SerializableUtils.deserializeFromByteArray(serialized, "the stages of ProcessEnvelopes");
    this.parse = call(parts, 0);
    this.decrypt = call(parts, 1);
    this.flatten = call(parts, 2);
    this.validate = call(parts, 3);
    this.protect = call(parts, 4);
    this.coders = parts.coders();
  }

  /**
   * The stages of {@code ProcessEnvelopes.with(keyring, schemas).withLimits(limits)}, each DoFn a
   * deserialized copy (as a runner's worker gets it), set up.
   */
  public static ProcessEnvelopesStages of(Keyring keyring, TableSchemas schemas, RecordLimits limits) {
    PipelineOptions options = PipelineOptionsFactory.create();
    // Built to be taken apart, never run: a runner that refuses to run makes sure of it.
    options.setRunner(CrashingRunner.class);
    Pipeline pipeline = Pipeline.create(options);
    PCollection<Envelope> envelopes =
        pipeline
            .apply("Lines", Create.empty(StringUtf8Coder.of()))
            .apply("ParseEnvelope", ParseEnvelope.create().withLimits(limits))
            .output();
    envelopes
        .apply("DecryptPayload", DecryptPayload.with(keyring).withLimits(limits))
        .output()
        .apply("FlattenRecord", FlattenRecord.with(schemas).withLimits(limits))
        .output()
        .apply("ValidateAgainstSchema", ValidateAgainstSchema.with(schemas))
        .output()
        .apply("ProtectPersonalData", ProtectPersonalData.with(keyring, schemas))
        .output()
        .apply("ExplodeRows", FlatMapElements.into(TypeDescriptor.of(EtlRow.class)).via(ValidatedEvent::rows));

    Map<String, DoFn<?, ?>> fns = new HashMap<>();
    Map<Class<?>, Coder<?>> coders = new HashMap<>();
    pipeline.traverseTopologically(
        new Pipeline.PipelineVisitor.Defaults() {
          @Override
          public CompositeBehavior enterCompositeTransform(TransformHierarchy.Node node) {
            take(node);
            return CompositeBehavior.ENTER_TRANSFORM;
          }

          @Override
          public void visitPrimitiveTransform(TransformHierarchy.Node node) {
            take(node);
          }

          private void take(TransformHierarchy.Node node) {
            if (node.getTransform() instanceof ParDo.MultiOutput) {
              fns.put(node.getFullName(), ((ParDo.MultiOutput<?, ?>) node.getTransform()).getFn());
            }
          }

          @Override
          public void visitValue(PValue value, TransformHierarchy.Node producer) {
            if (value instanceof PCollection) {
              PCollection<?> pc = (PCollection<?>) value;
              if (pc.getTypeDescriptor() != null
                  && BOUNDARY_TYPES.contains(pc.getTypeDescriptor().getRawType())) {
                coders.putIfAbsent(pc.getTypeDescriptor().getRawType(), pc.getCoder());
              }
            }
          }
        });
    List<DoFn<?, ?>> steps = new ArrayList<>();
    for (String step : STEPS) {
      DoFn<?, ?> fn = fns.get(step);
      if (fn == null) {
        throw new IllegalStateException("the stages have no step " + step + "; steps: " + fns.keySet());
      }
      steps.add(fn);
    }
    for (Class<?> type : BOUNDARY_TYPES) {
      if (!coders.containsKey(type)) {
        throw new IllegalStateException("the stages have no PCollection of " + type.getSimpleName());
      }
    }
    return new ProcessEnvelopesStages(SerializableUtils.serializeToByteArray(new Parts(steps, coders)));
  }

  /** The stages from {@link #toBytes()}, in another JVM too: no pipeline is built again. */
  public static ProcessEnvelopesStages fromBytes(byte[] serialized) {
    return new ProcessEnvelopesStages(serialized);
  }

  /** The stages' DoFns and coders, serialized (they hold the keyring and schemas). */
  public byte[] toBytes() {
    return serialized.clone();
  }

  @SuppressWarnings("unchecked")
  private static <InT, OutT> StageCall<InT, OutT> call(Parts parts, int step) {
    String name = STEPS.get(step);
    return new StageCall<>(name.substring(0, name.indexOf('/')), (DoFn<InT, OutT>) parts.fns().get(step));
  }

  /** The coder the pipeline runs for PCollections of {@code type} (one of {@link #BOUNDARY_TYPES}). */
  @SuppressWarnings("unchecked")
  public <T> Coder<T> coderOf(Class<T> type) {
    Coder<?> coder = coders.get(type);
    if (coder == null) {
      throw new IllegalArgumentException(type.getSimpleName() + " does not cross a stage boundary");
    }
    return (Coder<T>) coder;
  }

  /** The per-record chain parse..protect on one line, as fused stages run it (no coder between). */
  public ValidatedEvent chain(String line) {
    return protect.apply(validate.apply(flatten.apply(decrypt.apply(parse.apply(line)))));
  }

  public void teardown() {
    parse.teardown();
    decrypt.teardown();
    flatten.teardown();
    validate.teardown();
    protect.teardown();
  }
}
