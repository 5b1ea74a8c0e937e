// Realistic rows of mob.adjust at chosen arrival times, as COPY text lines: the seeded callback stream of
// bench/adjust-traffic.mjs, moved in time to each activity's arrival, parsed by the service's own parser
// (dist/collector/callback-parser.js, so columns, dedup keys and `extra` are exactly what the collector
// stores) and deduplicated as the collector's unique dedup_key would. Used by bench/etl.mjs and bench/metrics.mjs.
//
//   const stream = createActivityStream({ seed: 42 });
//   createActivityStream({ seed: 42, devices })  → `devices.assign(params)` may rewrite each callback's query
//                                                 parameters before parsing (bench/metrics-population.mjs)
//   stream.next(arrivalMs)  → one COPY line (received_at = arrivalMs) for COPY_ACTIVITIES_SQL
//   stream.summary()        → the mix, in the shape describeTraffic() prints

import { ACTIVITY_COLUMNS, parseCallback } from '../dist/collector/callback-parser.js';
import { createTraffic, MIX } from './adjust-traffic.mjs';

// received_at first (the collector leaves it to the database clock; here it is the simulated arrival)
export const SOURCE_COLUMNS = Object.freeze(['received_at', ...ACTIVITY_COLUMNS]);
export const COPY_ACTIVITIES_SQL = `COPY mob.adjust (${SOURCE_COLUMNS.join(', ')}) FROM STDIN`;

// Unix-seconds parameters that move with the activity (the generator writes them relative to its `now`).
const TIME_KEYS = new Set(['created_at', 'installed_at', 'click_time', 'reattributed_at', 'attribution_updated_at', 'last_session_time']);
const SECONDS = /^\d+$/;

export const DAY_MS = 86_400_000;
export const SLOT_MS = 600_000; // one ETL schedule interval: 10 minutes

// Arrivals per 10-minute slot over `days` days ending at `endMs`: a daily cycle (busiest around 14:00 UTC,
// quietest around 02:00 at a third of the peak), `total` rows in all. Returns one count per slot, oldest first.
export function diurnalSlots(total, endMs, days) {
  const slots = Math.round((days * DAY_MS) / SLOT_MS);
  const startMs = endMs - slots * SLOT_MS;
  const weights = [];
  for (let slot = 0; slot < slots; slot++) {
    const hour = (((startMs + (slot + 0.5) * SLOT_MS) % DAY_MS) / 3_600_000 + 24) % 24;
    weights.push(1 + 0.5 * Math.sin((2 * Math.PI * (hour - 8)) / 24));
  }
  const sum = weights.reduce((a, b) => a + b, 0);
  const counts = [];
  let given = 0;
  let cumulative = 0;
  for (const weight of weights) {
    cumulative += weight;
    const upTo = Math.round((total * cumulative) / sum);
    counts.push(upTo - given);
    given = upTo;
  }
  return { startMs, slotMs: SLOT_MS, counts };
}

export function createActivityStream({ seed = 42, now = Math.floor(Date.now() / 1000), devices = null } = {}) {
  const traffic = createTraffic({ seed, now });
  const seen = new Set(); // dedup keys stored so far (latin1 strings of the 16 bytes)
  const categoryNames = MIX.map((m) => m.category);
  const stats = {
    generated: 0,
    rows: 0,
    exactDuplicates: 0,
    keyCollisions: 0,
    rejected: 0,
    lateActivities: 0,
    withUnsubstitutedPlaceholder: 0,
    urlBytes: 0,
    rowBytes: 0,
    byCategory: Object.fromEntries(categoryNames.map((name) => [name, 0])),
    byApp: {},
  };

  // The next distinct activity, arrived at arrivalMs: its COPY text line (with the newline).
  function next(arrivalMs) {
    const offset = Math.floor(arrivalMs / 1000) - now;
    for (;;) {
      const item = traffic.next();
      stats.generated++;
      stats.urlBytes += item.path.length;
      // a byte-for-byte repeat: the collector answers "duplicate" and stores nothing
      if (item.duplicate) {
        stats.exactDuplicates++;
        continue;
      }
      const params = queryParams(item.path, offset);
      devices?.assign(params);
      const parsed = parseCallback(params);
      if (parsed.kind !== 'activity') {
        stats.rejected++;
        continue;
      }
      const key = parsed.activity.dedup_key.toString('latin1');
      // moving activities by different offsets can, rarely, give two of one device the same second
      if (seen.has(key)) {
        stats.keyCollisions++;
        continue;
      }
      seen.add(key);
      stats.rows++;
      stats.byCategory[item.category]++;
      const appKey = `${item.app.name} (${item.app.platform})`;
      stats.byApp[appKey] = (stats.byApp[appKey] ?? 0) + 1;
      if (item.late) stats.lateActivities++;
      if (item.path.includes('={')) stats.withUnsubstitutedPlaceholder++;
      const line = copyLine(arrivalMs, parsed.activity);
      stats.rowBytes += line.length;
      return line;
    }
  }

  // In the shape of generateCallbacks().summary, for describeTraffic().
  function summary() {
    return {
      seed,
      now,
      generated: stats.generated,
      distinctActivities: stats.rows,
      exactDuplicates: stats.exactDuplicates,
      keyCollisionsSkipped: stats.keyCollisions,
      rejected: stats.rejected,
      lateActivities: stats.lateActivities,
      withUnsubstitutedPlaceholder: stats.withUnsubstitutedPlaceholder,
      averageUrlBytes: Math.round(stats.urlBytes / Math.max(1, stats.generated)),
      averageCopyLineChars: Math.round(stats.rowBytes / Math.max(1, stats.rows)),
      byCategory: { ...stats.byCategory },
      byApp: { ...stats.byApp },
    };
  }

  return { next, summary, stats };
}

// The query string as Fastify hands it to the controller (a repeated key becomes an array), with every
// Unix-seconds time moved by `offset` seconds.
function queryParams(path, offset) {
  const params = {};
  for (const [key, value] of new URLSearchParams(path.slice(path.indexOf('?') + 1))) {
    const moved = offset !== 0 && TIME_KEYS.has(key) && SECONDS.test(value) ? String(Number(value) + offset) : value;
    if (!(key in params)) params[key] = moved;
    else params[key] = [].concat(params[key], moved);
  }
  return params;
}

function copyLine(arrivalMs, activity) {
  let line = new Date(arrivalMs).toISOString();
  for (let i = 1; i < SOURCE_COLUMNS.length; i++) {
    const column = SOURCE_COLUMNS[i];
    line += `\t${copyValue(column === 'extra' ? JSON.stringify(activity.extra) : activity[column])}`;
  }
  return `${line}\n`;
}

// PostgreSQL COPY text format: \N for NULL; backslash, tab, newline and carriage return escaped.
function copyValue(value) {
  if (value === null || value === undefined) return '\\N';
  if (typeof value === 'string') return /[\\\t\n\r]/.test(value) ? value.replace(/[\\\t\n\r]/g, escapeChar) : value;
  if (typeof value === 'number') return String(value);
  if (typeof value === 'boolean') return value ? 't' : 'f';
  if (value instanceof Date) return value.toISOString();
  if (Buffer.isBuffer(value)) return `\\\\x${value.toString('hex')}`; // bytea hex, its backslash escaped
  throw new Error(`no COPY text form for ${typeof value}`);
}

const ESCAPES = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };
const escapeChar = (char) => ESCAPES[char];
