-- Purpose: the table a repair builds beside a live one: LIKE keeps the columns, their encodings, NOT
--          NULL, the distribution and sort keys (AWS's deep copy recipe,
--          https://docs.aws.amazon.com/redshift/latest/dg/performing-a-deep-copy.html), and the defaults.
-- Placeholders: {shadow} the new table (stg.<name>_next); {table} the live one.
CREATE TABLE {shadow} (LIKE {table} INCLUDING DEFAULTS)
