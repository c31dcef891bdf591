package io.beamline.pipelines;

import io.beamline.options.StreamOptions;
import io.beamline.pipelines.etl.EtlRunSummary;
import io.beamline.pipelines.etl.StreamingEtlPipeline;
import java.io.PrintStream;
import org.apache.beam.sdk.options.PipelineOptions;

/** {@code stream}: the ETL on envelopes from Kafka, written in event-time windows. */
final class StreamCommand implements BeamlineCli.Command {
  @Override
  public Class<? extends PipelineOptions> options() {
    return StreamOptions.class;
  }

  @Override
  public String summary() {
    return "Streaming ETL: envelopes from Kafka to the zones, in event-time windows.";
  }

  @Override
  public int run(PipelineOptions options, PrintStream out) {
    EtlRunSummary summary = StreamingEtlPipeline.run(options.as(StreamOptions.class));
    return summary == null ? BeamlineCli.OK : BeamlineCli.report(summary, out);
  }
}
