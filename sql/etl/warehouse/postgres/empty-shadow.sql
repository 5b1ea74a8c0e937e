-- Purpose: in a window run's copy transaction, before copy.sql fills a table beside a live one: give
--          the (empty) new table new files, so that with wal_level=minimal (the embedded server's) the
--          copy is written without WAL and its files synced at the commit, instead of logging a copy of
--          the whole warehouse. Nobody else reads the table beside the live one.
-- Placeholders: {shadow} the table beside the live one (stg.<name>_next).
TRUNCATE {shadow}
