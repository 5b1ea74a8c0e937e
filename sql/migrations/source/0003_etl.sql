-- What the ETL needs in the source database: the run record's mode and step timings, and the
-- functions its extract uses to fit text into the warehouse's VARCHAR limits.
ALTER TABLE mob.etl_run
  ADD COLUMN mode    TEXT  NOT NULL DEFAULT 'arrival' CHECK (mode IN ('arrival', 'window', 'rebuild')),
  ADD COLUMN step_ms JSONB NOT NULL DEFAULT '{}';

-- Cuts a text to at most max_bytes bytes of UTF-8 without splitting a character: Redshift counts
-- VARCHAR lengths in bytes and refuses a longer value. Only called for the rare value that is too long.
CREATE FUNCTION mob.cut_to_bytes(value TEXT, max_bytes INTEGER) RETURNS TEXT
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
  cut TEXT := left(value, max_bytes);
BEGIN
  WHILE octet_length(cut) > max_bytes LOOP
    -- a character is at most 4 bytes: dropping excess/4 characters never overshoots
    cut := left(cut, -greatest(1, (octet_length(cut) - max_bytes) / 4));
  END LOOP;
  RETURN cut;
END
$$;

-- The extract's per-value check: a plain SQL expression, so the planner inlines it and the common case
-- (the value fits) costs one length comparison.
CREATE FUNCTION mob.fit_bytes(value TEXT, max_bytes INTEGER) RETURNS TEXT
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN octet_length(value) <= max_bytes THEN value ELSE mob.cut_to_bytes(value, max_bytes) END
$$;
