-- Purpose: the changes of the 1-, 7- and 30-day active-device counts for all apps or one app, from the
--          first day on (refresh/insert-active-changes.sql explains them): the running sum up to a day
--          is its DAU, WAU and MAU. The service sums them; a few hundred small rows per app and year.
-- Grain: one row per day with a change, in day order.
-- Parameters: $1 the last day wanted; $2 the app, or NULL for all apps.
SELECT CAST(day AS VARCHAR(10)) AS day, dau, wau, mau
FROM stg.active_change
WHERE day <= $1
  AND (app = $2 OR (app IS NULL AND CAST($2 AS VARCHAR) IS NULL))
ORDER BY day
