-- Fragment (an expression, not a statement): the channel an activity counts under, as every rollup
-- counts it (metrics.md): trimmed network_name, else the first '::' segment of tracker_name, else
-- Organic or Unknown by is_organic. VARCHAR(256) counts bytes on Redshift, where a longer value fails
-- the statement: the extract cuts that segment to 256 bytes; one loaded before it did, if longer,
-- counts by its first 64 characters.
-- Used as {channel:a} in a statement, a the alias of the stg.adjust (or stage_adjust) row; SqlCatalog
-- writes it in at start, with {alias} the statement's alias.
COALESCE(NULLIF(TRIM({alias}.network_name), ''),
         NULLIF(TRIM(CASE WHEN OCTET_LENGTH(SPLIT_PART({alias}.tracker_name, '::', 1)) <= 256 THEN SPLIT_PART({alias}.tracker_name, '::', 1)
                     ELSE LEFT(SPLIT_PART({alias}.tracker_name, '::', 1), 64) END), ''),
         CASE WHEN {alias}.is_organic THEN 'Organic' ELSE 'Unknown' END)
