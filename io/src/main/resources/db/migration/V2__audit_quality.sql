-- Beamline warehouse, version 2: the quality audit's verdicts, one row per table and batch run or
-- stream window (the latest pane). window_start/window_end are null for a batch run.
CREATE TABLE audit.quality (
  run_id text NOT NULL,
  window_start timestamptz,
  window_end timestamptz,
  pane_index bigint NOT NULL,
  source text NOT NULL,
  table_name text NOT NULL,
  row_count bigint NOT NULL,
  passed boolean NOT NULL,
  quarantined boolean NOT NULL,
  completeness double precision NOT NULL,
  validity double precision NOT NULL,
  uniqueness double precision NOT NULL,
  verdict jsonb NOT NULL,
  evaluated_at timestamptz NOT NULL
);
CREATE UNIQUE INDEX quality_identity
  ON audit.quality (run_id, source, table_name, (COALESCE(window_start, '-infinity'::timestamptz)));
