-- Purpose: keep the load's session from looking idle while the extract writes the staged parts (the
--          session waits between CREATE TEMP TABLE and COPY): a user's SESSION TIMEOUT (ALTER USER) or
--          a network device could otherwise end it, and its staging table with it. Runs on the leader
--          node only; touches no table.
SELECT 1 AS alive
