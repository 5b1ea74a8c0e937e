-- Purpose: merge step 1 (a rebuild, or a load without a resume point) on the stand-in: empty
--          stg.adjust inside the merge transaction. PostgreSQL's TRUNCATE is transactional (a failed
--          merge leaves the rows as they were) and gives the table new files: the COPY that follows may
--          write its rows frozen, and with wal_level=minimal (the embedded server's) it writes the table
--          and its indexes without WAL, which the commit replaces by syncing the new files. It holds
--          stg.adjust against every other session until the commit; only loads read it, and they queue
--          behind this merge anyway.
TRUNCATE stg.adjust
