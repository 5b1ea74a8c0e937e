-- Purpose: the warehouse check's first question: which engine and version answers, as which user, in
--          which database.
-- Returns: one row.
SELECT version() AS version, current_user AS user_name, current_database() AS database_name
