-- Purpose: one session setting, for the warehouse check to compare with what the service sets.
-- Parameters: none; {setting} is a name from the check's own list (warehouse-check/check-session.ts).
SHOW {setting}
