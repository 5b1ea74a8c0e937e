-- Purpose: the work table of the devices whose active-window changes a refresh recomputes. A temporary
--          table of the merge's session.
CREATE TEMP TABLE refresh_device (
  adid VARCHAR(64) NOT NULL
)
