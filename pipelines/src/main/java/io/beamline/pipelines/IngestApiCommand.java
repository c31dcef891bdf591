package io.beamline.pipelines;

import io.beamline.options.IngestApiOptions;
import io.beamline.pipelines.etl.ApiIngestPipeline;
import java.io.PrintStream;
import org.apache.beam.sdk.options.PipelineOptions;

/** {@code ingest-api}: records of a cursor-paginated HTTP API through the batch ETL. */
final class IngestApiCommand implements BeamlineCli.Command {
  @Override
  public Class<? extends PipelineOptions> options() {
    return IngestApiOptions.class;
  }

  @Override
  public String summary() {
    return "Batch ETL of the JSON records of a cursor-paginated HTTP API to the zones.";
  }

  @Override
  public int run(PipelineOptions options, PrintStream out) {
    return BeamlineCli.report(ApiIngestPipeline.run(options.as(IngestApiOptions.class)), out);
  }
}
