-- Purpose: why the session's last COPY failed, for the run's error message: the first rejected rows.
--          SYS_LOAD_ERROR_DETAIL works on provisioned clusters and Serverless alike.
-- Returns: up to 5 rows.
SELECT file_name, line_number, column_name, error_code, error_message
FROM sys_load_error_detail
WHERE query_id = pg_last_copy_id()
ORDER BY line_number
LIMIT 5
