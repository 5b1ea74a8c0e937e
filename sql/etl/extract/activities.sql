-- Purpose: stream the activities of one extract as the staged file format: PostgreSQL's COPY text
--          format with '|' between fields and \N for NULL, which Redshift's COPY … DELIMITER '|' ESCAPE
--          reads the same way once the stager has turned PostgreSQL's \n \r \t \b \f \v escapes
--          back into plain characters (or removed them, for CR and LF).
-- Grain: one line per activity, columns in stg.adjust's order.
-- Parameters: none — COPY takes no bind parameters. Which rows: fragments/extract_bounds.sql, whose
--             placeholders SourceExtractor fills with checked literals (from extract/set-bounds.sql): the
--             rows after an id, those of the transactions the previous extract could not see, and the
--             rows created at or after a time.
-- Times are written in UTC without a zone; text is cut to the warehouse's VARCHAR limits in bytes
-- (Redshift counts VARCHAR lengths in bytes and fails a longer value), never inside a character, and
-- loses its trailing blanks (Redshift compares, groups and counts 'x ' as 'x', PostgreSQL does not: with
-- none stored, both engines give the same numbers). The first '::' segment of tracker_name, a channel
-- when network_name is empty, is cut to the 256 bytes of the rollups' channel column. mob.fit_text(x, n)
-- is rtrim(mob.fit_bytes(x, n)) that returns the usual value as it is; tracker_name, an expression, keeps
-- the two calls (a function PostgreSQL writes into the statement must not repeat an expensive argument).
COPY (
  SELECT
    id,
    received_at AT TIME ZONE 'UTC',
    mob.fit_text(activity_kind, 64),
    created_at AT TIME ZONE 'UTC',
    installed_at AT TIME ZONE 'UTC',
    click_time AT TIME ZONE 'UTC',
    reattributed_at AT TIME ZONE 'UTC',
    last_session_time AT TIME ZONE 'UTC',
    mob.fit_text(adid, 64),
    mob.fit_text(gps_adid, 64),
    mob.fit_text(idfa, 64),
    mob.fit_text(idfv, 64),
    mob.fit_text(android_id, 64),
    mob.fit_text(app_token, 64),
    mob.fit_text(app_id, 256),
    mob.fit_text(app_name, 256),
    mob.fit_text(app_version, 64),
    mob.fit_text(environment, 32),
    mob.fit_text(store, 64),
    mob.fit_text(tracker, 64),
    rtrim(mob.fit_bytes(CASE WHEN octet_length(split_part(tracker_name, '::', 1)) <= 256 THEN tracker_name
                             ELSE mob.cut_to_bytes(split_part(tracker_name, '::', 1), 256)
                                  || substr(tracker_name, length(split_part(tracker_name, '::', 1)) + 1)
                        END, 1024)),
    mob.fit_text(network_name, 256),
    mob.fit_text(campaign_name, 1024),
    mob.fit_text(adgroup_name, 1024),
    mob.fit_text(creative_name, 1024),
    is_organic,
    mob.fit_text(country, 16),
    mob.fit_text(os_name, 32),
    mob.fit_text(os_version, 64),
    mob.fit_text(device_type, 64),
    mob.fit_text(device_name, 256),
    mob.fit_text(event, 64),
    mob.fit_text(event_name, 256),
    revenue,
    revenue_float,
    revenue_usd,
    mob.fit_text(currency, 16),
    reporting_revenue,
    mob.fit_text(reporting_currency, 16),
    last_time_spent,
    time_spent,
    session_count,
    lifetime_session_count,
    mob.fit_bytes(extra::text, 65535)
  FROM mob.adjust
  WHERE {extract_bounds:adjust}
) TO STDOUT WITH (FORMAT text, DELIMITER '|')
