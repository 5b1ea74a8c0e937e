-- Fragment (an expression, not a statement): 1 when an activity makes its device active on its day
-- (metrics.md "Active": an install, session, reattribution, reinstall or reattribution_reinstall), else 0:
-- also what the sessions klip counts.
-- Used as {active:a}, a the alias of the stg.adjust (or stage_adjust) row; SqlCatalog writes it in at
-- start, with {alias} the statement's alias.
CASE WHEN {alias}.activity_kind IN ('install', 'session', 'reattribution', 'reinstall', 'reattribution_reinstall') THEN 1 ELSE 0 END
