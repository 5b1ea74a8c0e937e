-- Purpose: the event tokens and names from REGISTRATION_EVENTS, all in one multi-row INSERT (Redshift
--          writes single-row INSERTs slowest).
-- Placeholders: rows (the VALUES list below), one "($n)" per name (src/etl/rollups/settings.ts).
-- Parameters: the tokens or names, one per row.
INSERT INTO stg.registration_event (name)
VALUES {rows}
