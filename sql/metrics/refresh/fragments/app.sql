-- Fragment (an expression, not a statement): the app an activity counts under, as every rollup counts
-- it (metrics.md): its app_name, else its app_id, else its app_token, else ''.
-- Used as {app:a} in a statement, a the alias of the stg.adjust (or stage_adjust) row; SqlCatalog
-- writes it in at start, with {alias} the statement's alias.
COALESCE({alias}.app_name, {alias}.app_id, {alias}.app_token, '')
