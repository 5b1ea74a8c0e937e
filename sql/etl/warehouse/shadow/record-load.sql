-- Purpose: the swap's load record in the live stg.load, in the swap's transaction, before the records it
--          supersedes go (delete-superseded.sql): the repair's last load beside the live warehouse (its
--          catch-up, with the resume point the next load starts from), recorded under the repair's mode,
--          as having changed any day (first_changed_day NULL), and as maintained when one of the records
--          it supersedes was (the last maintenance stays known). Every load of the repair is recorded
--          under its id beside the live tables: its build's, then its catch-ups'.
-- Parameters: $1 the repair's run id; $2 its mode; $3 the rows it loaded in all.
INSERT INTO stg.load (run_id, mode, loaded_at, resume_after_id, resume_snapshot, data_through, rows_loaded, rows_new, first_changed_day, maintained)
SELECT run_id, $2, loaded_at, resume_after_id, resume_snapshot, data_through, $3, rows_new, NULL,
       (SELECT COUNT(*) FROM stg.load WHERE run_id > $1 AND maintained) > 0
FROM stg.load_next
WHERE run_id = $1
ORDER BY loaded_at DESC, resume_after_id DESC
LIMIT 1
