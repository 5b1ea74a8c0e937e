-- Purpose: the changes of the 1-, 7- and 30-day active-device counts under one combination of filters
--          (a scope of stg.active_scope: 'all', 'app', 'os+country', …, with '' for the dimensions it
--          does not filter; refresh/active-windows/add-active-changes.sql explains them). The running
--          sum of the changes up to a day is its DAU, WAU and MAU: the first row adds up every change
--          before the range, so the service sums at most one row per day of the range, however long the
--          history.
-- Grain: one row (part 0, day NULL) with the sums of the changes before $1, zeros when there are none;
--        then one row per day with a change from $1 to $2 (part 1), in day order.
-- Parameters: $1 the first day wanted, $2 the last; $3 the scope; $4 app, $5 os, $6 country, $7 channel.
SELECT 0 AS part, CAST(NULL AS VARCHAR(10)) AS day,
       COALESCE(SUM(dau), 0) AS dau, COALESCE(SUM(wau), 0) AS wau, COALESCE(SUM(mau), 0) AS mau
FROM stg.active_change
WHERE scope = $3 AND app = $4 AND os = $5 AND country = $6 AND channel = $7 AND day < $1
UNION ALL
SELECT 1 AS part, CAST(day AS VARCHAR(10)) AS day, dau, wau, mau
FROM stg.active_change
WHERE scope = $3 AND app = $4 AND os = $5 AND country = $6 AND channel = $7 AND day >= $1 AND day <= $2
ORDER BY part, day
