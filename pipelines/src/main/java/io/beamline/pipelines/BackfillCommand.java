package io.beamline.pipelines;

import io.beamline.options.BackfillOptions;
import io.beamline.pipelines.etl.BackfillPipeline;
import java.io.PrintStream;
import org.apache.beam.sdk.options.PipelineOptions;

/** {@code backfill}: days of the lake replayed through the batch ETL. */
final class BackfillCommand implements BeamlineCli.Command {
  @Override
  public Class<? extends PipelineOptions> options() {
    return BackfillOptions.class;
  }

  @Override
  public String summary() {
    return "Replays days of the raw zone and their LATE_DATA dead letters through the ETL into the zones and the warehouse.";
  }

  @Override
  public int run(PipelineOptions options, PrintStream out) {
    return BeamlineCli.report(BackfillPipeline.run(options.as(BackfillOptions.class)), out);
  }
}
