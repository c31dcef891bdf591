package io.beamline.pipelines;

import io.beamline.options.IngestJdbcOptions;
import io.beamline.pipelines.etl.JdbcIngestPipeline;
import java.io.PrintStream;
import org.apache.beam.sdk.options.PipelineOptions;

/** {@code ingest-jdbc}: the new rows of a database table through the batch ETL into the warehouse. */
final class IngestJdbcCommand implements BeamlineCli.Command {
  @Override
  public Class<? extends PipelineOptions> options() {
    return IngestJdbcOptions.class;
  }

  @Override
  public String summary() {
    return "Batch ETL of the rows of a database table that are new since the last run, to the zones and the warehouse.";
  }

  @Override
  public int run(PipelineOptions options, PrintStream out) {
    return BeamlineCli.report(JdbcIngestPipeline.run(options.as(IngestJdbcOptions.class)), out);
  }
}
