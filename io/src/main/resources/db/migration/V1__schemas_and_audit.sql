-- Beamline warehouse, version 1: the zones as schemas, the audit tables, the hourly aggregates.
-- The etl tables of the table schema files are made by the repeatable Java migration
-- io.beamline.io.jdbc.EtlTablesMigration.

-- Flyway has made audit already (its history table lives there): no notice about that.
SET client_min_messages = warning;
CREATE SCHEMA IF NOT EXISTS raw;
CREATE SCHEMA IF NOT EXISTS etl;
CREATE SCHEMA IF NOT EXISTS audit;
RESET client_min_messages;

-- One row per run: the counts of the audit zone's run record.
CREATE TABLE audit.runs (
  run_id text PRIMARY KEY,
  command text NOT NULL,
  runner text,
  started_at timestamptz,
  finished_at timestamptz,
  records_in bigint NOT NULL,
  etl_records bigint NOT NULL,
  dead_letters bigint NOT NULL,
  duplicates_dropped bigint NOT NULL,
  conserved boolean NOT NULL,
  summary jsonb NOT NULL
);

-- One row per stream window (the latest pane): the counts of the audit zone's window record.
CREATE TABLE audit.windows (
  run_id text NOT NULL,
  window_start timestamptz NOT NULL,
  window_end timestamptz NOT NULL,
  pane_index bigint NOT NULL,
  pane_timing text NOT NULL,
  records_in bigint NOT NULL,
  etl_records bigint NOT NULL,
  dead_letters bigint NOT NULL,
  duplicates_dropped bigint NOT NULL,
  conserved boolean NOT NULL,
  counts jsonb NOT NULL,
  PRIMARY KEY (run_id, window_start)
);

-- High-water marks of incremental database ingestion, one per source.
CREATE TABLE audit.ingest_watermarks (
  source_name text PRIMARY KEY,
  watermark_column text NOT NULL,
  high_water text NOT NULL,
  updated_at timestamptz NOT NULL
);

-- Hourly sales per tenant and category (the agg zone), upserted by window key: latest pane wins.
CREATE TABLE etl.hourly_category_sales (
  tenant text NOT NULL,
  category text NOT NULL,
  window_start timestamptz NOT NULL,
  window_end timestamptz NOT NULL,
  items bigint NOT NULL,
  units bigint NOT NULL,
  revenue numeric NOT NULL,
  pane_index bigint NOT NULL,
  pane_timing text NOT NULL,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (tenant, category, window_start)
);
