-- Purpose: why the session's last COPY failed, for the run's error message: the first rejected rows,
--          from SYS_LOAD_ERROR_DETAIL, the view Serverless answers (it refuses STL views) and that also
--          covers concurrency-scaling clusters. Read after load-errors-stl.sql failed or found nothing.
--          SYS views number queries differently from PG_LAST_COPY_ID (which is documented with
--          STL_LOAD_ERRORS), so the COPY is found by its session: the session's latest query with
--          rejected rows (a session that saw a failed COPY is closed after it).
-- Returns: up to 5 rows.
SELECT file_name, line_number, column_name, error_code, error_message
FROM sys_load_error_detail
WHERE session_id = pg_backend_pid()
  AND query_id = (SELECT MAX(query_id) FROM sys_load_error_detail WHERE session_id = pg_backend_pid())
ORDER BY line_number
LIMIT 5
