-- Purpose: name one report-time-zone day the refresh recounts: all its activities, or only its installs.
-- Parameters: $1 the day (YYYY-MM-DD), $2 and $3 its first instant and the next day's, UTC; $4 true for
--             all its activities, false for its installs alone (an install_update moved their channel).
INSERT INTO refresh_day (day, starts_at, ends_at, activities)
VALUES ($1, $2, $3, $4)
