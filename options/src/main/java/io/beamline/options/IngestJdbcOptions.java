package io.beamline.options;

/**
 * Options of the {@code ingest-jdbc} command: the source table, the warehouse (which keeps the
 * high-water mark, and loads the rows when its URL is given), and the output, keyring, schema and
 * run options of {@code etl}.
 */
public interface IngestJdbcOptions
    extends JdbcSourceOptions,
        WarehouseOptions,
        RecordLimitOptions,
        OutputOptions,
        ObjectStoreOptions,
        CryptoOptions,
        SchemaOptions,
        RunOptions,
        LineageOptions,
        QualityOptions {}
