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
const ACTIVE_KINDS = `('install', 'session', 'reattribution', 'reinstall', 'reattribution_reinstall')`;

const app = (t) => `COALESCE(${t}.app_name, ${t}.app_id, ${t}.app_token)`;
// network trimmed; else the first '::' segment of tracker_name; else Organic / Unknown
const channel = (t) =>
  `COALESCE(NULLIF(TRIM(${t}.network_name), ''), NULLIF(TRIM(SPLIT_PART(${t}.tracker_name, '::', 1)), ''), ` +
  `CASE WHEN ${t}.is_organic THEN 'Organic' ELSE 'Unknown' END)`;
const production = (t) => `COALESCE(${t}.environment, '') <> 'sandbox' AND ${t}.activity_kind NOT LIKE 'rejected\\_%'`;
const createdIn = (t) => `${t}.created_at >= CAST($1 AS DATE) AND ${t}.created_at < CAST($2 AS DATE) + INTERVAL '1 day'`;
const quoteList = (names) => names.map((name) => `'${name.replace(/'/g, "''")}'`).join(', ');

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
  let text;
  switch (klip) {
    case 'installs': {
      const dynamic = filters.channel !== undefined;
      text = `${dynamic ? withUpdates : ''}SELECT CAST(a.created_at AS DATE) AS day, COUNT(*) AS value
FROM stg.adjust a${dynamic ? ` ${joinUpdates}` : ''}
WHERE a.activity_kind = 'install' AND ${production('a')} AND ${createdIn('a')}${own('a', dynamic ? dynamicChannel : null)}
GROUP BY CAST(a.created_at AS DATE)`;
      break;
    }
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
      text = `SELECT CAST(a.created_at AS DATE) AS day, COUNT(*) AS value
FROM stg.adjust a
WHERE a.activity_kind = 'event' AND ${production('a')} AND (a.event IN (${names}) OR a.event_name IN (${names}))
  AND ${createdIn('a')}${own('a')}
GROUP BY CAST(a.created_at AS DATE)`;
      break;
    }
    case 'dau':
      // the day rows and, with day NULL, the distinct devices of the whole range (summary.distinct)
      text = `SELECT CAST(a.created_at AS DATE) AS day, COUNT(DISTINCT a.adid) AS value
FROM stg.adjust a
WHERE a.activity_kind IN ${ACTIVE_KINDS} AND ${production('a')} AND ${createdIn('a')}${own('a')}
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
  WHERE a.activity_kind IN ${ACTIVE_KINDS} AND ${production('a')} AND a.adid IS NOT NULL
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

const round2 = (n) => Math.round(n * 100) / 100;

export function daysBetween(from, to) {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

export function datesOf(range) {
  const start = Date.parse(`${range.from}T00:00:00Z`);
  return Array.from({ length: daysBetween(range.from, range.to) + 1 }, (_, n) =>
    new Date(start + n * 86_400_000).toISOString().slice(0, 10),
  );
}

const dayText = (day) => (day instanceof Date ? day.toISOString().slice(0, 10) : day === null ? null : String(day).slice(0, 10));

// The rows of rawStatement(klip) in the API's shape: every day of the range, 0 (or null for a mean) where
// nothing happened; summary as metrics.md's "over a bucket or range" column.
export function rawAnswer(klip, range, rows) {
  const dates = datesOf(range);
  const { kind } = KLIP_ENTRIES[klip];
  if (kind === 'by-channel') {
    const data = rows.map((r) => ({ channel: r.channel, value: Number(r.value) }));
    return { data, summary: { total: data.reduce((sum, r) => sum + r.value, 0) } };
  }
  if (kind === 'average') {
    const byDay = new Map(rows.map((r) => [dayText(r.day), { seconds: Number(r.seconds), lengths: Number(r.lengths) }]));
    const data = dates.map((date) => {
      const day = byDay.get(date);
      return { date, value: day ? round2(day.seconds / day.lengths) : null };
    });
    const seconds = [...byDay.values()].reduce((sum, d) => sum + d.seconds, 0);
    const lengths = [...byDay.values()].reduce((sum, d) => sum + d.lengths, 0);
    return { data, summary: { average: lengths > 0 ? round2(seconds / lengths) : null } };
  }
  const byDay = new Map(rows.filter((r) => r.day !== null).map((r) => [dayText(r.day), Number(r.value)]));
  const data = dates.map((date) => ({ date, value: byDay.get(date) ?? 0 }));
  if (kind === 'count') return { data, summary: { total: data.reduce((sum, r) => sum + r.value, 0) } };
  const distinct = Number(rows.find((r) => r.day === null)?.value ?? 0);
  return { data, summary: { average: round2(data.reduce((sum, r) => sum + r.value, 0) / data.length), distinct } };
}

// Differences between the API's answer and the raw SQL's, one line each (at most `limit`); means may differ
// by the last rounded digit.
export function compareAnswers(klip, api, raw, limit = 8) {
  const problems = [];
  const exact = (a, b) => a === b;
  const mean = (a, b) => (typeof a === 'number' && typeof b === 'number' ? Math.abs(a - b) <= 0.0100001 : a === b);
  for (const [key, value] of Object.entries(raw.summary)) {
    const same = key === 'average' ? mean : exact;
    if (!same(api?.summary?.[key], value))
      problems.push(`summary.${key}: API ${JSON.stringify(api?.summary?.[key])}, raw SQL ${JSON.stringify(value)}`);
  }
  const apiData = Array.isArray(api?.data) ? api.data : [];
  const { kind } = KLIP_ENTRIES[klip];
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
    const apiByDate = new Map(apiData.map((r) => [r.date, r.value]));
    if (apiData.length !== raw.data.length) problems.push(`data: API ${apiData.length} rows, the range has ${raw.data.length} days`);
    const same = kind === 'average' ? mean : exact;
    for (const { date, value } of raw.data) {
      const got = apiByDate.has(date) ? apiByDate.get(date) : 'absent';
      if (!same(got, value)) problems.push(`${date}: API ${JSON.stringify(got)}, raw SQL ${JSON.stringify(value)}`);
    }
  }
  return problems.length > limit ? [...problems.slice(0, limit), `… and ${problems.length - limit} more`] : problems;
}
