-- Purpose: the devices whose active days an arrival-mode load may change: those of the rows it brought
--          (ids after its bound; the rows it re-read come back unchanged, so their devices' days stay as
--          they were). Only their contributions to the active-window changes are recomputed: a few
--          hundred devices per load instead of everyone active on the days it touched.
-- Parameters: $1 the extract's id bound.
INSERT INTO stg.refresh_device (adid)
SELECT DISTINCT adid
FROM stg.adjust
WHERE id > $1
  AND activity_kind IN ('install', 'session', 'reattribution', 'reinstall', 'reattribution_reinstall')
  AND adid IS NOT NULL
  AND COALESCE(environment, '') <> 'sandbox'
