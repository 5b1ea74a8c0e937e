-- Purpose: store a batch of parsed Adjust callbacks in one statement; an activity that is already
--          stored (same dedup_key) is skipped, also when a concurrent batch inserts it first.
-- Grain: one row per activity.
-- Parameters: $1…$43, one array per column, all of the batch's length, in the column order below.
-- Returns: the dedup_key of every row inserted; a key not returned was a duplicate.
INSERT INTO mob.adjust (
  dedup_key, activity_kind, created_at,
  installed_at, click_time, reattributed_at, last_session_time,
  adid, gps_adid, idfa, idfv, android_id,
  app_token, app_id, app_name, app_version, environment, store,
  tracker, tracker_name, network_name, campaign_name, adgroup_name, creative_name, is_organic,
  country, os_name, os_version, device_type, device_name,
  event, event_name,
  revenue, revenue_float, revenue_usd, currency, reporting_revenue, reporting_currency,
  last_time_spent, time_spent, session_count, lifetime_session_count,
  extra
)
SELECT *
FROM unnest(
  $1::bytea[], $2::text[], $3::timestamptz[],
  $4::timestamptz[], $5::timestamptz[], $6::timestamptz[], $7::timestamptz[],
  $8::text[], $9::text[], $10::text[], $11::text[], $12::text[],
  $13::text[], $14::text[], $15::text[], $16::text[], $17::text[], $18::text[],
  $19::text[], $20::text[], $21::text[], $22::text[], $23::text[], $24::text[], $25::boolean[],
  $26::text[], $27::text[], $28::text[], $29::text[], $30::text[],
  $31::text[], $32::text[],
  $33::float8[], $34::float8[], $35::float8[], $36::text[], $37::float8[], $38::text[],
  $39::integer[], $40::integer[], $41::integer[], $42::integer[],
  $43::jsonb[]
)
ON CONFLICT (dedup_key) DO NOTHING
RETURNING dedup_key
