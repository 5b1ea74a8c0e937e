// The original setup's way of answering a klip, the baseline of bench/metrics.mjs: one hand-written SQL
// statement per klip, straight on the raw event table (stg.adjust), implementing the metric definitions
// for one date range and one set of filters — and only what that set needs (no install_update join when no
// dynamic channel is asked for, no filter clause for an absent filter), as an analyst writes it for one klip.
// The portable subset of SQL (Redshift and PostgreSQL): no generate_series (the day spine is a VALUES
// list of offsets, the small calendar an app fills), no COUNT(DISTINCT) OVER, no FILTER, no DISTINCT ON.
//
//   const { text, values } = rawStatement('mau', { from: '2026-10-30', to: '2026-11-28' }, { app: 'com.example.fitapp' });
//   rawAnswer('mau', range, rows) → { data, summary } in the API's shape (zero-filled, means rounded to 2)
//   compareAnswers('mau', api, raw) → [] or the differences, one line each
//
// The klips and their kinds come from the service's registry as built (dist/metrics/klips.js): the
// statements are written per klip, the answers are shaped per kind, as the service shapes them.

import { KLIP_ENTRIES } from '../dist/metrics/klips.js';

export const FILTER_KEYS = Object.freeze(['app', 'os', 'country', 'channel']);
const ACTIVE_KINDS = ['install', 'session', 'reattribution', 'reinstall', 'reattribution_reinstall'];

const app = (t) => `COALESCE(${t}.app_name, ${t}.app_id, ${t}.app_token)`;
// network trimmed; else the first '::' segment of tracker_name; else Organic / Unknown
const channel = (t) =>
  `COALESCE(NULLIF(TRIM(${t}.network_name), ''), NULLIF(TRIM(SPLIT_PART(${t}.tracker_name, '::', 1)), ''), ` +
  `CASE WHEN ${t}.is_organic THEN 'Organic' ELSE 'Unknown' END)`;
const production = (t) => `COALESCE(${t}.environment, '') <> 'sandbox' AND ${t}.activity_kind NOT LIKE 'rejected\\_%'`;
const createdIn = (t) => `${t}.created_at >= CAST($1 AS DATE) AND ${t}.created_at < CAST($2 AS DATE) + INTERVAL '1 day'`;
const quoteList = (names) => names.map((name) => `'${name.replace(/'/g, "''")}'`).join(', ');
const kindIn = (t, kinds) => `${t}.activity_kind IN (${quoteList(kinds)})`;

// The latest install_update's channel per app and device (Adjust's dynamic attribution).
const LATEST_UPDATE = `latest_update AS (
  SELECT app, adid, channel
  FROM (
    SELECT ${app('u')} AS app, u.adid, ${channel('u')} AS channel,
           ROW_NUMBER() OVER (PARTITION BY ${app('u')}, u.adid ORDER BY u.created_at DESC, u.id DESC) AS position
    FROM stg.adjust u
    WHERE u.activity_kind = 'install_update' AND ${production('u')}
  ) ranked
  WHERE position = 1
)`;

// `range`: { from, to } as YYYY-MM-DD (inclusive); `filters`: { app, os, country, channel }, absent = no filter.
export function rawStatement(klip, range, filters = {}, { registrationEvents = ['registration'] } = {}) {
  const values = [range.from, range.to];
  const param = (value) => {
    values.push(value);
    return `$${values.length}`;
  };
  // the activity's own values; `dynamic` replaces its channel by the install's dynamic channel
  const own = (t, dynamic = null) =>
    [
      filters.app !== undefined && `${app(t)} = ${param(filters.app)}`,
      filters.os !== undefined && `LOWER(${t}.os_name) = LOWER(${param(filters.os)})`,
      filters.country !== undefined && `LOWER(${t}.country) = LOWER(${param(filters.country)})`,
      filters.channel !== undefined && `${dynamic ?? channel(t)} = ${param(filters.channel)}`,
    ]
      .filter(Boolean)
      .map((condition) => `\n  AND ${condition}`)
      .join('');
  const dynamicChannel = `COALESCE(lu.channel, ${channel('a')})`;
  const withUpdates = `WITH ${LATEST_UPDATE}\n`;
  const joinUpdates = `LEFT JOIN latest_update lu ON lu.app = ${app('a')} AND lu.adid = a.adid`;
  // the activities of the range that `where` selects, counted per day
  const countPerDay = (where, join = '', conditions = own('a')) => `SELECT CAST(a.created_at AS DATE) AS day, COUNT(*) AS value
FROM stg.adjust a${join}
WHERE ${where} AND ${production('a')} AND ${createdIn('a')}${conditions}
GROUP BY CAST(a.created_at AS DATE)`;
  let text;
  switch (klip) {
    case 'installs': {
      const dynamic = filters.channel !== undefined;
      text = dynamic
        ? `${withUpdates}${countPerDay(`a.activity_kind = 'install'`, ` ${joinUpdates}`, own('a', dynamicChannel))}`
        : countPerDay(`a.activity_kind = 'install'`);
      break;
    }
    case 'sessions':
      text = countPerDay(kindIn('a', ACTIVE_KINDS));
      break;
    case 'installs-by-channel':
      text = `${withUpdates}SELECT ${dynamicChannel} AS channel, COUNT(*) AS value
FROM stg.adjust a ${joinUpdates}
WHERE a.activity_kind = 'install' AND ${production('a')} AND ${createdIn('a')}${own('a', dynamicChannel)}
GROUP BY ${dynamicChannel}
ORDER BY 2 DESC, 1`;
      break;
    case 'session-duration': {
      const sessionDay = 'COALESCE(a.last_session_time, a.created_at)';
      text = `SELECT CAST(${sessionDay} AS DATE) AS day, SUM(CAST(a.last_time_spent AS DOUBLE PRECISION)) AS seconds, COUNT(*) AS lengths
FROM stg.adjust a
WHERE a.activity_kind = 'session' AND ${production('a')} AND a.last_time_spent > 0
  AND ${sessionDay} >= CAST($1 AS DATE) AND ${sessionDay} < CAST($2 AS DATE) + INTERVAL '1 day'${own('a')}
GROUP BY CAST(${sessionDay} AS DATE)`;
      break;
    }
    case 'registrations': {
      const names = quoteList(registrationEvents);
      text = countPerDay(`a.activity_kind = 'event' AND (a.event IN (${names}) OR a.event_name IN (${names}))`);
      break;
    }
    case 'revenue':
      // revenue_usd, else revenue_float in USD; and each day's DAU, the denominator of ARPDAU
      text = `SELECT CAST(a.created_at AS DATE) AS day,
       SUM(CASE WHEN a.activity_kind <> 'event' THEN 0
                WHEN a.revenue_usd IS NOT NULL THEN a.revenue_usd
                WHEN UPPER(a.currency) = 'USD' THEN a.revenue_float
                ELSE 0 END) AS value,
       COUNT(DISTINCT CASE WHEN a.activity_kind <> 'event' THEN a.adid END) AS dau
FROM stg.adjust a
WHERE ${kindIn('a', ['event', ...ACTIVE_KINDS])} AND ${production('a')} AND ${createdIn('a')}${own('a')}
GROUP BY CAST(a.created_at AS DATE)`;
      break;
    case 'retention': {
      // each app's devices by their first install (all history), the cohorts of the range among them, and
      // whether each was active in the same app 1, 7 and 30 days after its cohort day: the cohort's day
      // put next to the device's active days by a window, not by joins (with a filter, the planner takes
      // the cohort for a few rows and loops over every active day for each: seconds, not milliseconds);
      // the install's (dynamic) channel is taken before the ranking, where the planner knows the installs
      const dynamic = filters.channel !== undefined;
      const retained = (n) => `SUM(CASE WHEN cohort = 0 AND d = CAST(c + INTERVAL '${n} days' AS DATE) THEN 1 ELSE 0 END) AS d${n}`;
      text = `WITH ${dynamic ? `${LATEST_UPDATE}, ` : ''}installs AS (
  SELECT a.adid, a.created_at, a.app_name, a.app_id, a.app_token, a.os_name, a.country${dynamic ? `, ${dynamicChannel} AS channel` : ''},
         ROW_NUMBER() OVER (PARTITION BY ${app('a')}, a.adid ORDER BY a.created_at, a.id) AS position
  FROM stg.adjust a${dynamic ? ` ${joinUpdates}` : ''}
  WHERE a.activity_kind = 'install' AND ${production('a')} AND a.adid IS NOT NULL
), device_days AS (
  SELECT ${app('a')} AS app, a.adid, CAST(a.created_at AS DATE) AS d, 1 AS cohort
  FROM installs a
  WHERE a.position = 1 AND ${createdIn('a')}${own('a', 'a.channel').replace(/\n {2}/g, '\n    ')}
  UNION ALL
  SELECT DISTINCT ${app('a')}, a.adid, CAST(a.created_at AS DATE), 0
  FROM stg.adjust a
  WHERE ${kindIn('a', ACTIVE_KINDS)} AND ${production('a')}
    AND a.created_at >= CAST($1 AS DATE) + INTERVAL '1 day' AND a.created_at < CAST($2 AS DATE) + INTERVAL '31 days'
), with_cohort AS (
  SELECT d, cohort, MAX(CASE WHEN cohort = 1 THEN d END) OVER (PARTITION BY app, adid) AS c
  FROM device_days
)
SELECT c AS day, SUM(cohort) AS installs,
       ${[1, 7, 30].map(retained).join(',\n       ')}
FROM with_cohort
WHERE c IS NOT NULL
GROUP BY c`;
      break;
    }
    case 'dau':
      // the day rows and, with day NULL, the distinct devices of the whole range (summary.distinct)
      text = `SELECT CAST(a.created_at AS DATE) AS day, COUNT(DISTINCT a.adid) AS value
FROM stg.adjust a
WHERE ${kindIn('a', ACTIVE_KINDS)} AND ${production('a')} AND ${createdIn('a')}${own('a')}
GROUP BY GROUPING SETS ((CAST(a.created_at AS DATE)), ())`;
      break;
    case 'wau':
    case 'mau': {
      // user-days, then a day spine joined to them on the window (redshift.md §3.1)
      const width = KLIP_ENTRIES[klip].windowDays;
      const spine = Array.from({ length: daysBetween(range.from, range.to) + 1 }, (_, n) => `(${n})`).join(', ');
      text = `WITH daily AS (
  SELECT DISTINCT CAST(a.created_at AS DATE) AS d, a.adid
  FROM stg.adjust a
  WHERE ${kindIn('a', ACTIVE_KINDS)} AND ${production('a')} AND a.adid IS NOT NULL
    AND a.created_at >= CAST($1 AS DATE) - INTERVAL '${width - 1} days' AND a.created_at < CAST($2 AS DATE) + INTERVAL '1 day'${own('a').replace(/\n {2}/g, '\n    ')}
), days AS (
  SELECT CAST(CAST($1 AS DATE) + n * INTERVAL '1 day' AS DATE) AS d FROM (VALUES ${spine}) AS spine (n)
)
SELECT days.d AS day, COUNT(DISTINCT daily.adid) AS value
FROM days JOIN daily ON daily.d <= days.d AND daily.d > days.d - INTERVAL '${width} days'
GROUP BY days.d
UNION ALL
SELECT NULL, COUNT(DISTINCT daily.adid) FROM daily WHERE daily.d >= CAST($1 AS DATE)`;
      break;
    }
    default:
      throw new Error(`unknown klip ${klip}`);
  }
  return { text, values };
}

// ---------------------------------------------------------------------------------------------- answers

// half away from zero, as decimals round (metrics.md: means and money to 2 decimals, shares to 4)
const round = (n, decimals) => (Math.sign(n) * Math.round(Math.abs(n) * 10 ** decimals + 1e-7)) / 10 ** decimals;
const sum = (values) => values.reduce((total, value) => total + value, 0);
const utcToday = () => new Date().toISOString().slice(0, 10);

export function daysBetween(from, to) {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

export const shiftDays = (date, days) => new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

export function datesOf(range) {
  const start = Date.parse(`${range.from}T00:00:00Z`);
  return Array.from({ length: daysBetween(range.from, range.to) + 1 }, (_, n) =>
    new Date(start + n * 86_400_000).toISOString().slice(0, 10),
  );
}

const dayText = (day) => (day instanceof Date ? day.toISOString().slice(0, 10) : day === null ? null : String(day).slice(0, 10));

// The rows of rawStatement(klip) in the API's shape: every day of the range, 0 (or null for a mean) where
// nothing happened; summary as metrics.md's "over a bucket or range" column. `today` (the report time
// zone's, UTC in the benchmarks) decides which retention days have ended.
export function rawAnswer(klip, range, rows, today = utcToday()) {
  const dates = datesOf(range);
  const { kind } = KLIP_ENTRIES[klip];
  if (kind === 'by-channel') {
    const data = rows.map((r) => ({ channel: r.channel, value: Number(r.value) }));
    return { data, summary: { total: sum(data.map((r) => r.value)) } };
  }
  if (kind === 'average') {
    const byDay = new Map(rows.map((r) => [dayText(r.day), { seconds: Number(r.seconds), lengths: Number(r.lengths) }]));
    const data = dates.map((date) => {
      const day = byDay.get(date);
      return { date, value: day ? round(day.seconds / day.lengths, 2) : null };
    });
    const seconds = sum([...byDay.values()].map((d) => d.seconds));
    const lengths = sum([...byDay.values()].map((d) => d.lengths));
    return { data, summary: { average: lengths > 0 ? round(seconds / lengths, 2) : null } };
  }
  if (kind === 'retention') {
    const cohorts = rows.map((r) => ({
      date: dayText(r.day),
      installs: Number(r.installs),
      d1: Number(r.d1),
      d7: Number(r.d7),
      d30: Number(r.d30),
    }));
    const data = dates.map((date) => ({
      date,
      ...retention(
        cohorts.filter((cohort) => cohort.date === date),
        today,
      ),
    }));
    return { data, summary: retention(cohorts, today) };
  }
  const byDay = new Map(rows.filter((r) => r.day !== null).map((r) => [dayText(r.day), Number(r.value)]));
  if (kind === 'revenue') {
    const total = sum([...byDay.values()]);
    const dauDays = sum(rows.map((r) => Number(r.dau)));
    const data = dates.map((date) => ({ date, value: round(byDay.get(date) ?? 0, 2) }));
    return { data, summary: { total: round(total, 2), arpdau: dauDays === 0 ? null : round(total / dauDays, 4) } };
  }
  const data = dates.map((date) => ({ date, value: byDay.get(date) ?? 0 }));
  if (kind === 'count') return { data, summary: { total: sum(data.map((r) => r.value)) } };
  const distinct = Number(rows.find((r) => r.day === null)?.value ?? 0);
  return { data, summary: { average: round(sum(data.map((r) => r.value)) / data.length, 2), distinct } };
}

const RETENTION_DAYS = { d1: 1, d7: 7, d30: 30 };

// Cohort days ({ date, installs, d1, d7, d30 }) as one retention row: installs added up; dN the devices
// retained on c + N over the installs of the cohort days whose c + N has ended (before `today`), null when none.
function retention(cohorts, today) {
  const shares = Object.entries(RETENTION_DAYS).map(([field, n]) => {
    const ended = cohorts.filter((cohort) => shiftDays(cohort.date, n) < today);
    const installs = sum(ended.map((cohort) => cohort.installs));
    return [field, installs === 0 ? null : round(sum(ended.map((cohort) => cohort[field])) / installs, 4)];
  });
  return { installs: sum(cohorts.map((cohort) => cohort.installs)), ...Object.fromEntries(shares) };
}

// how far the API's number may be from the raw SQL's: means and ARPDAU by the last rounded digit
// (they divide sums the two sides add up in another order); everything else exactly
const SLACK = { average: 0.01, arpdau: 0.0001 };

// Differences between the API's answer and the raw SQL's, one line each (at most `limit`).
export function compareAnswers(klip, api, raw, limit = 8) {
  const problems = [];
  const { kind } = KLIP_ENTRIES[klip];
  const same = (key, a, b) => {
    const slack = SLACK[kind === 'average' ? 'average' : key];
    return slack !== undefined && typeof a === 'number' && typeof b === 'number' ? Math.abs(a - b) <= slack * 1.00001 : a === b;
  };
  for (const [key, value] of Object.entries(raw.summary)) {
    if (!same(key, api?.summary?.[key], value))
      problems.push(`summary.${key}: API ${JSON.stringify(api?.summary?.[key])}, raw SQL ${JSON.stringify(value)}`);
  }
  const apiData = Array.isArray(api?.data) ? api.data : [];
  if (kind === 'by-channel') {
    const apiByChannel = new Map(apiData.map((r) => [r.channel, r.value]));
    const rawByChannel = new Map(raw.data.map((r) => [r.channel, r.value]));
    for (const name of new Set([...apiByChannel.keys(), ...rawByChannel.keys()])) {
      if (apiByChannel.get(name) !== rawByChannel.get(name))
        problems.push(
          `channel ${JSON.stringify(name)}: API ${apiByChannel.get(name) ?? 'absent'}, raw SQL ${rawByChannel.get(name) ?? 'absent'}`,
        );
    }
    const order = apiData.map((r) => r.value);
    if (order.some((v, i) => i > 0 && v > order[i - 1])) problems.push('data: rows are not largest first');
  } else {
    const apiByDate = new Map(apiData.map((r) => [r.date, r]));
    if (apiData.length !== raw.data.length) problems.push(`data: API ${apiData.length} rows, the range has ${raw.data.length} days`);
    for (const { date, ...fields } of raw.data) {
      for (const [key, value] of Object.entries(fields)) {
        const got = apiByDate.has(date) ? apiByDate.get(date)[key] : 'absent';
        if (!same(key, got, value))
          problems.push(`${date}${key === 'value' ? '' : ` ${key}`}: API ${JSON.stringify(got)}, raw SQL ${JSON.stringify(value)}`);
      }
    }
  }
  return problems.length > limit ? [...problems.slice(0, limit), `… and ${problems.length - limit} more`] : problems;
}
