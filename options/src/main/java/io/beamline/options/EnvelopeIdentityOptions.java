package io.beamline.options;

import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.Validation;

/**
 * The tenant, source and table given to every record of a source that has no envelopes of its own
 * (an HTTP API, a database table): the ingest commands wrap each record in an envelope naming them.
 */
public interface EnvelopeIdentityOptions extends PipelineOptions {
  @Description("Tenant of every record read, [a-z0-9_]{1,64}.")
  @Validation.Required
  String getTenant();

  void setTenant(String value);

  @Description("Source of every record read, [a-z0-9_]{1,64}; with --table it names the schema.")
  @Validation.Required
  String getSource();

  void setSource(String value);

  @Description(
      "Table of every record read, [a-z0-9_]{1,64}; <schemaDir>/<source>/<table>.json must exist.")
  @Validation.Required
  String getTable();

  void setTable(String value);
}
