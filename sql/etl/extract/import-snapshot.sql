-- Purpose: first statement of the summary's REPEATABLE READ transaction: read the extract's snapshot
--          (export-snapshot.sql), so summary.sql counts exactly the rows activities.sql streams, and
--          lift the source pool's 30 s statement timeout for this transaction, as set-bounds.sql does
--          for the extract's.
-- Placeholders: {snapshot}, the exported snapshot's name as a checked literal.
SET TRANSACTION SNAPSHOT {snapshot};
SET LOCAL statement_timeout = 0
