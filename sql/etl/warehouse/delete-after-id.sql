-- Purpose: merge step 1 (arrival and window modes): delete the warehouse rows that the staged rows
--          replace. The extract read every source row after this id, and source rows are never changed
--          or removed, so the warehouse rows after it are exactly rows that come back staged (a row
--          still being committed in the source when an earlier run read past it is among them).
-- Parameters: $1 the id after which the extract read every row.
DELETE FROM stg.adjust
WHERE id > $1
