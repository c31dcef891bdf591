package io.beamline.options;

/** Options of the batch {@code etl} command. */
public interface EtlOptions
    extends InputOptions,
        OutputOptions,
        ObjectStoreOptions,
        CryptoOptions,
        SchemaOptions,
        RunOptions,
        LineageOptions,
        WarehouseOptions,
        AggregateOptions,
        MetricsOptions,
        QualityOptions {}
