-- Purpose: the values the metric filters can take (app, os, country, channel), offered as choices by
--          the dashboard page: those of the devices active and of the installs (under their dynamic
--          channel) since a day. '' (a value the callbacks did not carry) is left out: no filter selects it.
-- Grain: one row per dimension and value, ordered by dimension then value.
-- Parameters: $1 the first day read (report time zone).
WITH combinations AS (
  SELECT app, os, country, channel FROM stg.active_device WHERE day >= $1 GROUP BY app, os, country, channel
  UNION
  SELECT app, os, country, channel FROM stg.daily_installs WHERE day >= $1 GROUP BY app, os, country, channel
)
SELECT 'app' AS dimension, app AS value FROM combinations WHERE app <> '' GROUP BY app
UNION ALL
SELECT 'os' AS dimension, os AS value FROM combinations WHERE os <> '' GROUP BY os
UNION ALL
SELECT 'country' AS dimension, country AS value FROM combinations WHERE country <> '' GROUP BY country
UNION ALL
SELECT 'channel' AS dimension, channel AS value FROM combinations WHERE channel <> '' GROUP BY channel
ORDER BY dimension, value
