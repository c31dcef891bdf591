package io.beamline.pipelines.etl;

import io.beamline.io.ReadRecordsFromApi;
import io.beamline.options.IngestApiOptions;
import io.beamline.transforms.model.DeadLetter;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.transforms.WithFailures;
import org.apache.beam.sdk.values.PCollection;

/**
 * {@code ingest-api}: records of a cursor-paginated HTTP API, as unencrypted envelopes, through
 * the same batch composition as {@code etl} (the shared composite, the zones and the audit
 * record). Only the source differs.
 */
public final class ApiIngestPipeline {
  private ApiIngestPipeline() {}

  /**
   * Checks options and configuration before anything starts; throws {@link
   * IllegalArgumentException} naming the option at the first problem. The audit record's input
   * is the API's URL as {@link ReadRecordsFromApi#shownUrl} shows it.
   */
  public static BatchEtlPipeline.Plan prepare(IngestApiOptions options) {
    ReadRecordsFromApi source = source(options);
    String tokenEnv = options.getApiTokenEnv() == null ? "" : options.getApiTokenEnv().trim();
    if (!tokenEnv.isEmpty()) {
      String token = System.getenv(tokenEnv);
      if (token == null || token.isEmpty()) {
        throw new IllegalArgumentException(
            "--apiTokenEnv names environment variable " + tokenEnv + ", which is not set or empty");
      }
    }
    BatchEtlPipeline.Plan plan = BatchEtlPipeline.plan(options, source.shownUrl());
    if (plan.schemas().get(options.getSource(), options.getTable()) == null) {
      throw new IllegalArgumentException(
          "--source and --table: --schemaDir has no schema " + options.getSource() + "/"
              + options.getTable() + ".json");
    }
    return plan;
  }

  /** The source the options describe; throws naming the option at a bad value. */
  static ReadRecordsFromApi source(IngestApiOptions options) {
    return ReadRecordsFromApi.from(
            BatchEtlPipeline.required(options.getApiUrl(), "--apiUrl"),
            BatchEtlPipeline.required(options.getTenant(), "--tenant"),
            BatchEtlPipeline.required(options.getSource(), "--source"),
            BatchEtlPipeline.required(options.getTable(), "--table"))
        .withCursorParam(options.getCursorParam())
        .withItemsPointer(options.getItemsPointer())
        .withCursorPointer(options.getCursorPointer())
        .withIdField(options.getIdField())
        .withEventTimeField(options.getEventTimeField())
        .withMaxRequestsPerSecond(options.getMaxRequestsPerSecond())
        .withMaxRetries(options.getMaxRetries())
        .withInitialBackoffMillis(options.getInitialBackoffMillis())
        .withMaxBackoffMillis(options.getMaxBackoffMillis())
        .withRequestTimeoutSeconds(options.getRequestTimeoutSeconds())
        .withApiTokenEnv(options.getApiTokenEnv())
        .withMaxRecordBytes(options.getMaxRecordBytes());
  }

  /** Builds the pipeline for a prepared plan. */
  public static Pipeline build(IngestApiOptions options, BatchEtlPipeline.Plan plan) {
    Pipeline p = Pipeline.create(options);
    WithFailures.Result<PCollection<String>, DeadLetter> read =
        p.apply("ReadRecordsFromApi", source(options));
    BatchEtlPipeline.processAndWrite(read, plan, options, false);
    return p;
  }

  /** Prepares, runs to completion and audits one run. */
  public static EtlRunSummary run(IngestApiOptions options) {
    BatchEtlPipeline.Plan plan = prepare(options);
    return BatchEtlPipeline.runToEnd("ingest-api", build(options, plan), plan, plan.inputPattern());
  }
}
