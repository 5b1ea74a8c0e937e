-- Purpose: in the extract's transaction, after set-bounds.sql: name its snapshot, which the summary's
--          own connection imports (import-snapshot.sql) to describe the same rows while the COPY streams
--          them. The name is valid until this transaction ends.
-- Returns: snapshot, e.g. 00000003-0000001B-1.
SELECT pg_export_snapshot() AS snapshot
