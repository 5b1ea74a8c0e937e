-- Purpose: the changes of the 1-, 7- and 30-day active-device counts under no filter (dimension 'all',
--          value '') or one (app, os, country or channel = value), from the first day on
--          (refresh/add-active-changes.sql explains them): the running sum up to a day is its DAU, WAU
--          and MAU. The service sums them: a few hundred small rows per scope and year.
-- Grain: one row per day with a change, in day order.
-- Parameters: $1 the last day wanted; $2 the dimension; $3 the value.
SELECT CAST(day AS VARCHAR(10)) AS day, dau, wau, mau
FROM stg.active_change
WHERE dimension = $2 AND value = $3 AND day <= $1
ORDER BY day
