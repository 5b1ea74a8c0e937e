-- Purpose: the changes of the 1-, 7- and 30-day active-device counts under one combination of filters
--          (a scope of stg.active_scope: 'all', 'app', 'os+country', …, with '' for the dimensions it
--          does not filter), from the first day on (refresh/add-active-changes.sql explains them): the
--          running sum up to a day is its DAU, WAU and MAU. The service sums them: a few hundred small
--          rows per scope and year.
-- Grain: one row per day with a change, in day order.
-- Parameters: $1 the last day wanted; $2 the scope; $3 app, $4 os, $5 country, $6 channel.
SELECT CAST(day AS VARCHAR(10)) AS day, dau, wau, mau
FROM stg.active_change
WHERE scope = $2 AND app = $3 AND os = $4 AND country = $5 AND channel = $6 AND day <= $1
ORDER BY day
