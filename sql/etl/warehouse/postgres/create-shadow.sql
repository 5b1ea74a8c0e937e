-- Purpose: the table a repair builds beside a live one, with its columns, defaults, keys and indexes.
-- Placeholders: {shadow} the new table (stg.<name>_next); {table} the live one.
CREATE TABLE {shadow} (LIKE {table} INCLUDING ALL)
