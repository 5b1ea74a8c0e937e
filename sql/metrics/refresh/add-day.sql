-- Purpose: name one report-time-zone day whose activities the refresh recounts.
-- Parameters: $1 the day (YYYY-MM-DD), $2 and $3 its first instant and the next day's, UTC.
INSERT INTO stg.refresh_day (day, starts_at, ends_at)
VALUES ($1, $2, $3)
