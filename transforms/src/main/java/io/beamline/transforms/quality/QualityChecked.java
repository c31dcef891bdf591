package io.beamline.transforms.quality;

import com.fasterxml.jackson.databind.JsonNode;
import io.beamline.transforms.Json;
import io.beamline.transforms.model.EtlRow;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PInput;
import org.apache.beam.sdk.values.POutput;
import org.apache.beam.sdk.values.PValue;
import org.apache.beam.sdk.values.TupleTag;

/** The outputs of {@link CheckQuality}. */
public final class QualityChecked implements POutput {
  private final PCollection<EtlRow> passed;
  private final PCollection<EtlRow> quarantined;
  private final PCollection<String> verdicts;

  QualityChecked(PCollection<EtlRow> passed, PCollection<EtlRow> quarantined, PCollection<String> verdicts) {
    this.passed = passed;
    this.quarantined = quarantined;
    this.verdicts = verdicts;
  }

  /** Rows of tables (and windows) whose critical rules held: for the etl zone and the warehouse. */
  public PCollection<EtlRow> passed() {
    return passed;
  }

  /** Rows of tables (and windows) that tripped the circuit breaker: for the quarantine zone. */
  public PCollection<EtlRow> quarantined() {
    return quarantined;
  }

  /** One {@link TableVerdict} JSON per table (per run, or per window pane). */
  public PCollection<String> verdicts() {
    return verdicts;
  }

  static KV<String, Boolean> quarantineFlag(String verdictJson) {
    try {
      JsonNode v = Json.MAPPER.readTree(verdictJson);
      return KV.of(
          QualitySuites.key(v.path("source").asText(), v.path("table").asText()),
          v.path("quarantined").asBoolean());
    } catch (Exception e) {
      throw new IllegalStateException("a verdict is not JSON", e);
    }
  }

  @Override
  public Pipeline getPipeline() {
    return verdicts.getPipeline();
  }

  @Override
  public Map<TupleTag<?>, PValue> expand() {
    return Map.of(
        new TupleTag<EtlRow>("passed"), passed,
        new TupleTag<EtlRow>("quarantined"), quarantined,
        new TupleTag<String>("verdicts"), verdicts);
  }

  @Override
  public void finishSpecifyingOutput(String transformName, PInput input, PTransform<?, ?> transform) {}
}
