-- Purpose: store a batch of parsed Adjust callbacks in one statement; an activity that is already
--          stored (same dedup_key) is skipped, also when a concurrent batch inserts it first.
-- Grain: one row per activity.
-- Parameters: $1…$43, one array per column, all of the batch's length, in the column order below
--             (ACTIVITY_COLUMNS in src/collector/callback-parser.ts).
-- Returns: the dedup_key of every row inserted; a key not returned was a duplicate.
INSERT INTO mob.adjust (
  dedup_key, activity_kind, created_at, adid,
  gps_adid, idfa, idfv, android_id, app_token, app_id, app_name, app_version, environment, store, tracker, tracker_name,
  network_name, campaign_name, adgroup_name, creative_name, os_version, device_type, device_name, event, event_name, currency, reporting_currency,
  country, os_name,
  installed_at, click_time, reattributed_at, last_session_time,
  last_time_spent, time_spent, session_count, lifetime_session_count,
  revenue, revenue_float, revenue_usd, reporting_revenue,
  is_organic, extra
)
SELECT *
FROM unnest(
  $1::bytea[], $2::text[], $3::timestamptz[], $4::text[],
  $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::text[], $16::text[],
  $17::text[], $18::text[], $19::text[], $20::text[], $21::text[], $22::text[], $23::text[], $24::text[], $25::text[], $26::text[], $27::text[],
  $28::text[], $29::text[],
  $30::timestamptz[], $31::timestamptz[], $32::timestamptz[], $33::timestamptz[],
  $34::integer[], $35::integer[], $36::integer[], $37::integer[],
  $38::float8[], $39::float8[], $40::float8[], $41::float8[],
  $42::boolean[], $43::jsonb[]
)
ON CONFLICT (dedup_key) DO NOTHING
RETURNING dedup_key
