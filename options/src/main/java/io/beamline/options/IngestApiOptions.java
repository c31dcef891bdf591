package io.beamline.options;

/**
 * Options of the {@code ingest-api} command: the API source, and the output, keyring, schema and
 * run options of {@code etl}.
 */
public interface IngestApiOptions
    extends ApiSourceOptions,
        RecordLimitOptions,
        OutputOptions,
        ObjectStoreOptions,
        CryptoOptions,
        SchemaOptions,
        RunOptions,
        LineageOptions,
        QualityOptions {}
