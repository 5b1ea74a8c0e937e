-- Fragment (an expression, not a statement): an activity's revenue in US dollars, as the revenue klip
-- counts it (metrics.md): an event's revenue_usd; without one, its revenue_float when its currency is USD
-- (any case); other activities and currencies add nothing, and a value beyond ±10^12 (or NaN) counts 0.
-- Counted to the micro-dollar (DECIMAL(24, 6)), so that sums are exact and a load's additions equal a
-- recount.
-- Used as {revenue_usd:a} in a statement, a the alias of the stg.adjust (or stage_adjust) row; SqlCatalog
-- writes it in at start, with {alias} the statement's alias.
CASE WHEN {alias}.activity_kind <> 'event' THEN 0
     WHEN {alias}.revenue_usd IS NOT NULL
       THEN CASE WHEN {alias}.revenue_usd BETWEEN -1e12 AND 1e12 THEN CAST({alias}.revenue_usd AS DECIMAL(24, 6)) ELSE 0 END
     WHEN UPPER(TRIM({alias}.currency)) = 'USD' AND {alias}.revenue_float BETWEEN -1e12 AND 1e12 THEN CAST({alias}.revenue_float AS DECIMAL(24, 6))
     ELSE 0
END
