-- Purpose: with the copies of a window run, the live warehouse's latest load record: where the copied
--          rows end (the resume point the repair's extract starts from).
INSERT INTO stg.load_next
SELECT * FROM stg.load
WHERE run_id = (SELECT MAX(run_id) FROM stg.load)
