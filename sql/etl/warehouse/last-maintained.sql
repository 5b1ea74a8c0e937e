-- Purpose: when ANALYZE/VACUUM last ran after a load (NULL: never, or longer ago than the load records go).
SELECT MAX(loaded_at) AS maintained_at
FROM stg.load
WHERE maintained
