-- Purpose: stream the activities of one extract as the staged file format: PostgreSQL's COPY text
--          format with '|' between fields and \N for NULL, which Redshift's COPY … DELIMITER '|' ESCAPE
--          reads the same way once the stager has turned PostgreSQL's \n \r \t \b \f \v escapes
--          back into plain characters (or removed them, for CR and LF).
-- Grain: one line per activity, columns in stg.adjust's order.
-- Parameters: none — COPY takes no bind parameters, so the bounds come from extract/set-bounds.sql
--             (set_config in the same transaction): rows after an id, rows of the transactions the
--             previous extract could not see, and rows created at or after a time.
-- Times are written in UTC without a zone; text is cut to the warehouse's VARCHAR limits in bytes
-- (Redshift counts VARCHAR lengths in bytes and fails a longer value), never inside a character, and
-- loses its trailing blanks (Redshift compares, groups and counts 'x ' as 'x', PostgreSQL does not: with
-- none stored, both engines give the same numbers). The first '::' segment of tracker_name, a channel
-- when network_name is empty, is cut to the 256 bytes of the rollups' channel column.
COPY (
  SELECT
    id,
    received_at AT TIME ZONE 'UTC',
    rtrim(mob.fit_bytes(activity_kind, 64)),
    created_at AT TIME ZONE 'UTC',
    installed_at AT TIME ZONE 'UTC',
    click_time AT TIME ZONE 'UTC',
    reattributed_at AT TIME ZONE 'UTC',
    last_session_time AT TIME ZONE 'UTC',
    rtrim(mob.fit_bytes(adid, 64)),
    rtrim(mob.fit_bytes(gps_adid, 64)),
    rtrim(mob.fit_bytes(idfa, 64)),
    rtrim(mob.fit_bytes(idfv, 64)),
    rtrim(mob.fit_bytes(android_id, 64)),
    rtrim(mob.fit_bytes(app_token, 64)),
    rtrim(mob.fit_bytes(app_id, 256)),
    rtrim(mob.fit_bytes(app_name, 256)),
    rtrim(mob.fit_bytes(app_version, 64)),
    rtrim(mob.fit_bytes(environment, 32)),
    rtrim(mob.fit_bytes(store, 64)),
    rtrim(mob.fit_bytes(tracker, 64)),
    rtrim(mob.fit_bytes(CASE WHEN octet_length(split_part(tracker_name, '::', 1)) <= 256 THEN tracker_name
                             ELSE mob.cut_to_bytes(split_part(tracker_name, '::', 1), 256)
                                  || substr(tracker_name, length(split_part(tracker_name, '::', 1)) + 1)
                        END, 1024)),
    rtrim(mob.fit_bytes(network_name, 256)),
    rtrim(mob.fit_bytes(campaign_name, 1024)),
    rtrim(mob.fit_bytes(adgroup_name, 1024)),
    rtrim(mob.fit_bytes(creative_name, 1024)),
    is_organic,
    rtrim(mob.fit_bytes(country, 16)),
    rtrim(mob.fit_bytes(os_name, 32)),
    rtrim(mob.fit_bytes(os_version, 64)),
    rtrim(mob.fit_bytes(device_type, 64)),
    rtrim(mob.fit_bytes(device_name, 256)),
    rtrim(mob.fit_bytes(event, 64)),
    rtrim(mob.fit_bytes(event_name, 256)),
    revenue,
    revenue_float,
    revenue_usd,
    rtrim(mob.fit_bytes(currency, 16)),
    reporting_revenue,
    rtrim(mob.fit_bytes(reporting_currency, 16)),
    last_time_spent,
    time_spent,
    session_count,
    lifetime_session_count,
    mob.fit_bytes(extra::text, 65535)
  FROM mob.adjust
  WHERE id > current_setting('mob_etl.after_id')::bigint
     OR xact_id >= NULLIF(current_setting('mob_etl.in_flight_after'), '')::xid8
     OR xact_id = ANY (string_to_array(current_setting('mob_etl.in_flight'), ',')::xid8[])
     OR created_at >= current_setting('mob_etl.window_start')::timestamptz
) TO STDOUT WITH (FORMAT text, DELIMITER '|')
