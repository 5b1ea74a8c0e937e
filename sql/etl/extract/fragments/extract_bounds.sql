-- Fragment (an expression, not a statement): whether a source row is one the extract reads: every row
-- after an id; every row of a transaction the previous extract's snapshot could not see (listed in flight
-- in it, or at or after its xmax); and (window mode) every row created since a time.
-- Used as {extract_bounds:adjust}, adjust the mob.adjust row, by extract/activities.sql and
-- extract/summary.sql, so that the description counts exactly the rows the COPY streams; SqlCatalog
-- writes it in at start, with {alias} the statement's alias. Placeholders: {after_id}, {in_flight_after},
-- {in_flight} and {window_start}, which SourceExtractor fills with checked literals (set-bounds.sql).
(
  {alias}.id > {after_id}
  OR {alias}.xact_id >= {in_flight_after}
  OR {alias}.xact_id = ANY ({in_flight})
  OR {alias}.created_at >= {window_start}
)
