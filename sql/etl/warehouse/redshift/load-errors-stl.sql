-- Purpose: why the session's last COPY failed, for the run's error message: the first rejected rows,
--          from STL_LOAD_ERRORS by PG_LAST_COPY_ID(), as AWS documents for provisioned clusters.
--          Serverless refuses STL views; load-errors-sys.sql is read then.
-- Returns: up to 5 rows, named as load-errors-sys.sql names them.
SELECT filename AS file_name, line_number, colname AS column_name, err_code AS error_code, err_reason AS error_message
FROM stl_load_errors
WHERE query = pg_last_copy_id()
ORDER BY line_number
LIMIT 5
