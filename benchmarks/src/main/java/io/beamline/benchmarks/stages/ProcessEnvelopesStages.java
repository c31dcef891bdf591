package io.beamline.benchmarks.stages;

import io.beamline.transforms.Keyring;
import io.beamline.transforms.ProcessEnvelopes;
import io.beamline.transforms.RecordLimits;
import io.beamline.transforms.model.DecodedEvent;
import io.beamline.transforms.model.Envelope;
import io.beamline.transforms.model.EtlRow;
import io.beamline.transforms.model.FlatEvent;
import io.beamline.transforms.model.ValidatedEvent;
import io.beamline.transforms.schema.TableSchemas;
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
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PValue;

/**
 * The per-record stages of Beamline's shared composite, {@link ProcessEnvelopes}, exactly as the
 * {@code etl} command composes them (same keyring, schemas and record limits), taken out of a
 * pipeline that is built but never run: each stage's DoFn, ready to call one element at a time, and
 * the coder of each element type that crosses a stage boundary, as the pipeline infers it.
 */
public final class ProcessEnvelopesStages {
  /** The composite's steps whose DoFns hold the per-record logic, in pipeline order. */
  static final List<String> STEPS =
      List.of(
          "ParseEnvelope/ParseEnvelopeJson",
          "DecryptPayload/DecryptAesGcm",
          "FlattenRecord/FlattenJson",
          "ValidateAgainstSchema/CheckRows",
          "ProtectPersonalData/ProtectPiiFields");

  /** Element types that cross stage boundaries, whose coders a runner may run between stages. */
  static final List<Class<?>> BOUNDARY_TYPES =
      List.of(Envelope.class, DecodedEvent.class, FlatEvent.class, ValidatedEvent.class, EtlRow.class);

  private static final String COMPOSITE = "ProcessEnvelopes";

  public final StageCall<String, Envelope> parse;
  public final StageCall<Envelope, DecodedEvent> decrypt;
  public final StageCall<DecodedEvent, FlatEvent> flatten;
  public final StageCall<FlatEvent, ValidatedEvent> validate;
  public final StageCall<ValidatedEvent, ValidatedEvent> protect;
  private final Map<Class<?>, Coder<?>> coders;

  private ProcessEnvelopesStages(Map<String, DoFn<?, ?>> fns, Map<Class<?>, Coder<?>> coders, PipelineOptions options) {
    this.parse = call(fns, 0, options);
    this.decrypt = call(fns, 1, options);
    this.flatten = call(fns, 2, options);
    this.validate = call(fns, 3, options);
    this.protect = call(fns, 4, options);
    this.coders = coders;
  }

  /** The stages of {@code ProcessEnvelopes.with(keyring, schemas).withLimits(limits)}, set up. */
  public static ProcessEnvelopesStages of(Keyring keyring, TableSchemas schemas, RecordLimits limits) {
    PipelineOptions options = PipelineOptionsFactory.create();
    // Built to be taken apart, never run: a runner that refuses to run makes sure of it.
    options.setRunner(CrashingRunner.class);
    Pipeline pipeline = Pipeline.create(options);
    pipeline
        .apply("Lines", Create.empty(StringUtf8Coder.of()))
        .apply(COMPOSITE, ProcessEnvelopes.with(keyring, schemas).withLimits(limits));

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
            if (value instanceof PCollection && producer.getFullName().startsWith(COMPOSITE + "/")) {
              PCollection<?> pc = (PCollection<?>) value;
              if (pc.getTypeDescriptor() != null
                  && BOUNDARY_TYPES.contains(pc.getTypeDescriptor().getRawType())) {
                coders.putIfAbsent(pc.getTypeDescriptor().getRawType(), pc.getCoder());
              }
            }
          }
        });
    for (Class<?> type : BOUNDARY_TYPES) {
      if (!coders.containsKey(type)) {
        throw new IllegalStateException("ProcessEnvelopes has no PCollection of " + type.getSimpleName());
      }
    }
    return new ProcessEnvelopesStages(fns, coders, options);
  }

  @SuppressWarnings("unchecked")
  private static <InT, OutT> StageCall<InT, OutT> call(
      Map<String, DoFn<?, ?>> fns, int step, PipelineOptions options) {
    String name = COMPOSITE + "/" + STEPS.get(step);
    DoFn<?, ?> fn = fns.get(name);
    if (fn == null) {
      throw new IllegalStateException("ProcessEnvelopes has no step " + name + "; steps: " + fns.keySet());
    }
    return new StageCall<>(STEPS.get(step).substring(0, STEPS.get(step).indexOf('/')), (DoFn<InT, OutT>) fn, options);
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
