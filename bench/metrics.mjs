// Benchmark of the metrics API (one endpoint per klip, answered from the rollups): `npm run bench:metrics`.
//
// On one embedded PostgreSQL in a temporary folder (source database `adjust`, warehouse `warehouse`):
//   1. generates 90 days of realistic activities ending now (bench/adjust-traffic.mjs through
//      bench/adjust-activities.mjs, seeded, with a daily cycle) whose devices come back along a retention
//      curve (bench/metrics-population.mjs), and COPYs them into mob.adjust;
//   2. full load: `node dist/cli/etl.js --once` on the empty warehouse (rollups included), timed,
//      informational, with the rollup build's rate (against ≥ 100,000 activities/s) and statement table;
//   3. incremental: 10 minutes' worth of new activities (rows / 12,960, a few of them hours late as the
//      generator makes them), then `--once` again, timed: the ETL with the rollup refresh at this size;
//   4. prints the DAU (mean of the last 30 days), WAU, MAU and D1/D7/D30 retention the data yields (the
//      retention klip's raw SQL for the cohorts of today − 44 … today − 38);
//   5. starts the service (`node dist/main.js`, cron off, rate limit off) and measures every klip of the
//      registry (dist/metrics/klips.js) for the last 30 days (today − 29 … today, UTC) in five variants —
//      unfiltered, per app (the busiest), per channel (the top row of installs-by-channel), and two
//      seeded random filter combinations (os + country; app + channel + country) with values drawn from
//      the data:
//        cold: DELETE /api/v1/metrics/cache before each request, then one timed GET (sequential samples,
//              node:http on a kept-alive connection, which adds ~0.2 ms of client time to each);
//        warm: one priming GET, then autocannon at 1 connection (each answer's own latency: p50/p95 from
//              every response, not autocannon's histogram) and at 10 connections (throughput, latency
//              under load, informational);
//        raw SQL, the baseline: the original setup's one hand-written statement per klip straight on
//              stg.adjust (bench/metrics-raw-sql.mjs), timed on the warehouse connection;
//      and checks that the API's answer equals the raw SQL's (every day, every channel, the summary), and
//      retention's for the cohort week of step 4 too (the last 30 days' cohorts have no D30 yet).
// Then a table of p50/p95 per klip and variant with the ratios raw p50 / API p50, and the targets of the
// issue: warm p95 ≤ 5 ms; cold p95 ≤ 50 ms unfiltered and per app, ≤ 500 ms for any filter combination;
// ≥ 50× faster than raw SQL (judged on cold, the harder side; warm printed too); the incremental ETL run
// with the rollup refresh ≤ 5 s (median, wall time of the command).
//
// Flags: --rows <n> (default 10,000,000)  --quick (500,000 rows)  --seed <n> (default 42)
//        --cold-samples <n> (per klip and variant, default 20)  --raw-runs <n> (default 5)
//        --warm-seconds <s> (each autocannon run, default 3)  --connections <n> (the load run, default 10)
//        --incremental-rounds <n> (default 3, after one uncounted warm-up round)
//        --raw-only (no service: generation, ETL and raw SQL only, e.g. before the API is built)
//        --etl-only (generation, full load and incremental runs only, with the incremental target)
//        --log-slow <ms> (PostgreSQL logs every statement slower than this to <temp>/postgres.log; with --keep)
//        --keep (leave the temp folder)  --no-results (do not write bench/results/metrics-<timestamp>.json)
//
// The ETL and the service run from a private copy of dist/, sql/ and the generator modules taken at start
// (so a concurrent `npm run build` cannot change them mid-run). PostgreSQL's own buffers and the OS page
// cache are warm for both sides: "cold" means the service's answer cache was cleared. Not part of `npm test`.

import { randomBytes } from 'node:crypto';
import http from 'node:http';
import os from 'node:os';
import autocannon from 'autocannon';
import { addArrivals, DAYS, historyStream, loadHistory, runEtl, scalar, setUpHistory, SLOTS, startService, tableMb } from './history.mjs';
import { KLIP_ENTRIES, KLIPS } from '../dist/metrics/klips.js';
import { compareAnswers, FILTER_KEYS, rawAnswer, rawStatement, shiftDays } from './metrics-raw-sql.mjs';
import { describeBuild, formatTable, int, median, pad, percentiles, secs } from './format.mjs';
import { gitState, httpRequest, machineLine, parseBenchFlags, runBench, writeResults } from './support.mjs';

const TARGETS = { warmP95Ms: 5, coldP95Ms: 50, coldP95FilteredMs: 500, speedup: 50, incrementalSeconds: 5 };
const RANGE_DAYS = 30;
// the active-user klips (DAU, WAU, MAU), whose raw answers also describe the generated population
const ACTIVE_USERS = KLIPS.filter((klip) => KLIP_ENTRIES[klip].kind === 'active-users');
const RETENTION = KLIPS.find((klip) => KLIP_ENTRIES[klip].kind === 'retention');
const API_KEY = `bench-metrics-key-${randomBytes(6).toString('hex')}`;
const ADMIN_KEY = `bench-metrics-admin-${randomBytes(6).toString('hex')}`;

const { flags, fail, positive } = parseBenchFlags('bench:metrics', {
  rows: { type: 'string' },
  quick: { type: 'boolean', default: false },
  seed: { type: 'string', default: '42' },
  'cold-samples': { type: 'string', default: '20' },
  'raw-runs': { type: 'string', default: '5' },
  'warm-seconds': { type: 'string', default: '3' },
  connections: { type: 'string', default: '10' },
  'incremental-rounds': { type: 'string', default: '3' },
  'raw-only': { type: 'boolean', default: false },
  'etl-only': { type: 'boolean', default: false },
  'log-slow': { type: 'string' },
  keep: { type: 'boolean', default: false },
  'no-results': { type: 'boolean', default: false },
});
const options = {
  rows: flags.rows !== undefined ? Math.round(positive('rows')) : flags.quick ? 500_000 : 10_000_000,
  seed: Math.round(positive('seed')),
  coldSamples: Math.round(positive('cold-samples')),
  rawRuns: Math.round(positive('raw-runs')),
  warmSeconds: positive('warm-seconds'),
  connections: Math.round(positive('connections')),
  incrementalRounds: Math.round(positive('incremental-rounds')),
  rawOnly: flags['raw-only'],
  etlOnly: flags['etl-only'],
  logSlowMs: flags['log-slow'] === undefined ? null : Math.round(positive('log-slow')),
};
options.slotRows = Math.max(1, Math.round(options.rows / SLOTS));
if (options.rows < 10 * SLOTS) fail(`--rows must be at least ${10 * SLOTS} (ten per 10-minute slot)`);

// ---------------------------------------------------------------------------------------------- data

let source = null; // pg.Client on `adjust`
let warehouse = null; // pg.Client on `warehouse`, the raw SQL's connection

// The retention klip's raw answer for the cohorts of one week that has 30 days after it (today − 44 …
// today − 38): what the population yields, and the one range whose D30 the API's answer is checked on.
async function cohortWeek(today) {
  const cohort = { from: shiftDays(today, -44), to: shiftDays(today, -38) };
  const { text, values } = rawStatement(RETENTION, cohort, {});
  const answer = rawAnswer(RETENTION, cohort, (await warehouse.query(text, values)).rows, today);
  return { cohort, answer, ...answer.summary };
}

// The values the filters take in the range, with their activity counts (production only), busiest first.
async function filterValues(range) {
  const channel = `COALESCE(NULLIF(TRIM(network_name), ''), NULLIF(TRIM(SPLIT_PART(tracker_name, '::', 1)), ''), CASE WHEN is_organic THEN 'Organic' ELSE 'Unknown' END)`;
  const { rows } = await warehouse.query(
    `SELECT COALESCE(app_name, app_id, app_token) AS app, LOWER(os_name) AS os, LOWER(country) AS country, ${channel} AS channel,
            COUNT(*)::float8 AS n
     FROM stg.adjust
     WHERE created_at >= CAST($1 AS DATE) AND created_at < CAST($2 AS DATE) + INTERVAL '1 day' AND COALESCE(environment, '') <> 'sandbox'
       AND activity_kind NOT LIKE 'rejected\\_%' AND adid IS NOT NULL
     GROUP BY GROUPING SETS ((COALESCE(app_name, app_id, app_token)), (LOWER(os_name)), (LOWER(country)), (${channel}))`,
    [range.from, range.to],
  );
  const values = Object.fromEntries(FILTER_KEYS.map((key) => [key, []]));
  for (const row of rows) {
    const key = FILTER_KEYS.find((k) => row[k] !== null);
    if (key && row[key] !== '') values[key].push({ value: row[key], n: row.n });
  }
  for (const list of Object.values(values)) list.sort((a, b) => b.n - a.n);
  return values;
}

// ---------------------------------------------------------------------------------------------- HTTP

const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

const request = (port, method, url, key) => httpRequest({ port, method, path: url, headers: { 'x-api-key': key }, agent });

async function getJson(port, url) {
  const response = await request(port, 'GET', url, API_KEY);
  if (response.status !== 200) throw new Error(`GET ${url} answered ${response.status}: ${response.body.slice(0, 300)}`);
  return { ...response, json: JSON.parse(response.body) };
}

async function clearCache(port) {
  const response = await request(port, 'DELETE', '/api/v1/metrics/cache', ADMIN_KEY);
  if (response.status !== 204) throw new Error(`DELETE /api/v1/metrics/cache answered ${response.status}: ${response.body.slice(0, 300)}`);
}

// Cold: the answer cache cleared before each sample, then one timed GET. The last answer is returned for
// the comparison with the raw SQL.
async function measureCold(port, url) {
  const times = [];
  let last = null;
  for (let i = 0; i < options.coldSamples; i++) {
    await clearCache(port);
    last = await getJson(port, url);
    times.push(last.ms);
  }
  return { ...percentiles(times), samples: times.length, answer: last.json };
}

// Warm: autocannon on the same URL after one priming request; latency of every answer from autocannon's
// per-response event (hrtime, fractional ms), so p95 is exact rather than read off its histogram.
async function measureWarm(port, url, connections) {
  await getJson(port, url);
  const times = [];
  const result = await new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: `http://127.0.0.1:${port}${url}`,
        connections,
        pipelining: 1,
        duration: options.warmSeconds,
        headers: { 'x-api-key': API_KEY },
      },
      (error, res) => (error ? reject(error) : resolve(res)),
    );
    instance.on('response', (_client, _status, _bytes, responseTime) => times.push(responseTime));
  });
  if (result.non2xx > 0 || result.errors > 0 || result.timeouts > 0) {
    throw new Error(`autocannon on ${url}: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts`);
  }
  return { ...percentiles(times), requests: times.length, perSecond: times.length / options.warmSeconds, connections };
}

// The baseline: the raw SQL statement, `rawRuns` times on the warehouse connection.
async function measureRaw(klip, range, filters) {
  const { text, values } = rawStatement(klip, range, filters);
  const times = [];
  let rows = null;
  for (let i = 0; i < options.rawRuns; i++) {
    const started = performance.now();
    rows = (await warehouse.query(text, values)).rows;
    times.push(performance.now() - started);
  }
  return { ...percentiles(times), runs: times.length, answer: rawAnswer(klip, range, rows), statement: text };
}

function metricsUrl(klip, range, filters) {
  const query = new URLSearchParams({ from: range.from, to: range.to });
  for (const key of FILTER_KEYS) if (filters[key] !== undefined) query.set(key, filters[key]);
  return `/api/v1/metrics/${klip}?${query}`;
}

// ---------------------------------------------------------------------------------------------- output

const mb = (n) => `${Math.round(n)} MB`;
const ms = (n) => (n === undefined || n === null ? '—' : n >= 100 ? int(n) : n >= 10 ? n.toFixed(1) : n.toFixed(2));
const times = (n) => (n >= 100 ? `${int(n)}×` : `${n.toFixed(1)}×`);
const pct = (n) => (n === null ? '—' : `${(100 * n).toFixed(1)} %`);
// "DAU 1,204, WAU 2,950, MAU 6,120": the active-user klips' means
const usersLine = (users) => ACTIVE_USERS.map((klip) => `${KLIP_ENTRIES[klip].label} ${int(users[klip].average)}`).join(', ');
const describeFilters = (filters) =>
  Object.keys(filters).length === 0
    ? 'no filter'
    : Object.entries(filters)
        .map(([key, value]) => `${key}=${value}`)
        .join(' & ');
// "total 1,234.5, arpdau 0.0123": an answer's summary
const describeSummary = (summary) =>
  Object.entries(summary)
    .map(([key, value]) => `${key} ${value === null ? 'null' : Number.isInteger(value) ? int(value) : value}`)
    .join(', ');

// ---------------------------------------------------------------------------------------------- main

async function main() {
  const startedAt = new Date();
  const cores = os.cpus().length;
  console.log(machineLine('Metrics API benchmark'));
  console.log(
    `Tree: ${gitState()}; ${int(options.rows)} activities over ${DAYS} days (seed ${options.seed}), ${int(options.slotRows)} per 10-minute increment; ` +
      `${options.coldSamples} cold samples, ${options.warmSeconds} s warm at 1 and ${options.connections} connections, ${options.rawRuns} raw SQL runs per klip and variant`,
  );

  const {
    app,
    modules,
    db,
    env: envWith,
  } = await setUpHistory({
    prefix: 'metrics-bench-',
    keep: flags.keep,
    serverFlags: options.logSlowMs === null ? [] : ['-c', `log_min_duration_statement=${options.logSlowMs}`],
    apiKey: API_KEY,
    adminKey: ADMIN_KEY,
  });
  if (!app.hasApi && !options.rawOnly)
    throw new Error('dist/metrics is missing (the metrics API is not built): run npm run build, or pass --raw-only');
  ({ source, warehouse } = db);
  const s = db.settings;
  const { generator } = modules;
  const { describeTraffic, createRandom } = modules.traffic;
  const { freePort } = modules.embedded;
  const env = envWith();

  // 1. The source: 90 days of activities from a population with retention.
  console.log('');
  console.log(`Generating and loading ${int(options.rows)} activities into mob.adjust…`);
  let phase = performance.now();
  const endMs = Date.now() - 15 * 60_000;
  const { stream, devices } = historyStream(modules, { seed: options.seed, startMs: endMs - DAYS * 86_400_000, rows: options.rows });
  const history = await loadHistory(source, generator, stream, { rows: options.rows, endMs });
  await source.query('VACUUM (ANALYZE) mob.adjust');
  const loadSeconds = (performance.now() - phase) / 1000;
  const sourceMb = await tableMb(source, 'mob.adjust');
  console.log(
    `  ${int(history.rows)} rows in ${loadSeconds.toFixed(1)} s (${int(history.rows / loadSeconds)} rows/s incl. generation and parsing), ` +
      `source ${mb(sourceMb)} with indexes; arrivals ${new Date(history.startMs).toISOString()} → ${new Date(history.endMs).toISOString()}`,
  );

  // 2. Full load, 3. incremental runs.
  console.log('');
  console.log('ETL (`node dist/cli/etl.js --once`, wall time from spawn to exit; "run": the run record\'s own time):');
  const full = await runEtl({ app, env, source, label: 'full load' });
  for (const line of describeBuild(full)) console.log(`    ${line}`);
  const warehouseMb = await tableMb(warehouse, 'stg.adjust');
  await warehouse.query('VACUUM (ANALYZE)'); // what autovacuum does after a big load, untimed
  const incremental = [];
  for (let round = 0; round <= options.incrementalRounds; round++) {
    await addArrivals(source, generator, stream, options.slotRows, 600_000); // 10 minutes' worth
    const run = await runEtl({ app, env, source, label: `incremental ${round === 0 ? 'warm-up' : `#${round}`}` });
    if (round > 0) incremental.push(run);
  }
  const incrementalWallMs = median(incremental.map((r) => r.wallMs));
  const incrementalRunMs = median(incremental.map((r) => r.runMs));
  const rollupMs = median(incremental.map((r) => r.stepMs.rollups ?? 0));
  const rollupTables = (
    await warehouse.query(
      `SELECT c.relname AS name, c.reltuples::float8 AS rows, pg_total_relation_size(c.oid)::float8 / 2 ^ 20 AS mb
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = 'stg' AND c.relkind = 'r' AND c.relname NOT IN ('adjust', 'load') ORDER BY mb DESC`,
    )
  ).rows.filter((t) => t.mb > 0.1);
  const warehouseRows = Number(await scalar(warehouse, 'SELECT count(*)::float8 FROM stg.adjust'));
  console.log(
    `  warehouse: ${int(warehouseRows)} rows in stg.adjust (${mb(warehouseMb)} after the full load); rollups: ` +
      (rollupTables.map((t) => `${t.name} ${int(t.rows)} rows ${mb(t.mb)}`).join(', ') || 'none'),
  );

  if (options.etlOnly) {
    const verdict = incrementalWallMs <= 5000 ? 'PASS' : 'FAIL';
    console.log(
      `\nincremental ETL run with the rollup refresh, wall (median of ${incremental.length}): ${(incrementalWallMs / 1000).toFixed(2)} s ` +
        `(run ${(incrementalRunMs / 1000).toFixed(2)} s, rollups ${int(rollupMs)} ms), target ≤ 5 s: ${verdict}`,
    );
    return;
  }

  // 4. What the data yields, by the raw SQL.
  const today = new Date().toISOString().slice(0, 10);
  const range = { from: shiftDays(today, -(RANGE_DAYS - 1)), to: today };
  await warehouse.query('ANALYZE');
  const users = {};
  for (const klip of ACTIVE_USERS) {
    const { text, values } = rawStatement(klip, range, {});
    users[klip] = rawAnswer(klip, range, (await warehouse.query(text, values)).rows).summary;
  }
  const kept = await cohortWeek(today);
  const population = devices.summary();
  console.log('');
  console.log(
    `Users the data yields (raw SQL, ${range.from} … ${range.to}, today partial): ${usersLine(users)} ` +
      `(means of the daily values); ${int(users[ACTIVE_USERS[0]].distinct)} distinct devices in the 30 days; ` +
      `retention of the ${int(kept.installs)} installs of ${kept.cohort.from} … ${kept.cohort.to}: D1 ${pct(kept.d1)}, D7 ${pct(kept.d7)}, D30 ${pct(kept.d30)}`,
  );
  console.log(
    `  population: ${int(population.installs)} installs, ${int(population.preexisting)} devices installed before the data (${int(population.materialized)} of them seen), ` +
      `${int(population.assigned)} callbacks moved onto returning devices, ${int(population.unassigned)} left on the generator's device (no active device that day)`,
  );

  // 5. The variants: values drawn from the data.
  const values = await filterValues(range);
  const random = createRandom(options.seed);
  const draw = (key) => random.weighted(values[key], (v) => v.n).value;
  const byChannel = KLIPS.find((klip) => KLIP_ENTRIES[klip].kind === 'by-channel');
  const topChannel = (await warehouse.query(rawStatement(byChannel, range, {}).text, [range.from, range.to])).rows[0]?.channel;
  const variants = [
    { name: 'unfiltered', filters: {}, target: TARGETS.coldP95Ms },
    { name: 'per app', filters: { app: values.app[0].value }, target: TARGETS.coldP95Ms },
    { name: 'per channel', filters: { channel: topChannel }, target: TARGETS.coldP95FilteredMs },
    { name: 'random 1', filters: { os: draw('os'), country: draw('country') }, target: TARGETS.coldP95FilteredMs },
    {
      name: 'random 2',
      filters: { app: draw('app'), channel: draw('channel'), country: draw('country') },
      target: TARGETS.coldP95FilteredMs,
    },
  ];
  console.log('');
  console.log(
    `Variants (last ${RANGE_DAYS} days, ${range.from} … ${range.to}): ${variants.map((v) => `${v.name}: ${describeFilters(v.filters)}`).join('; ')}`,
  );

  // 6. The service, then every klip × variant: cold, warm, load, raw SQL, comparison.
  let service = null;
  let port = 0;
  if (app.hasApi && !options.rawOnly) {
    port = await freePort();
    service = await startService(app, { ...env, PORT: String(port) }, 'the service', { agent });
  } else console.log('No service (--raw-only): raw SQL only');
  console.log('');
  console.log(
    `Measuring (cold: ${options.coldSamples} sequential GETs, cache cleared before each; warm: autocannon ${options.warmSeconds} s at 1 connection, ` +
      `then at ${options.connections}; raw SQL: ${options.rawRuns} runs). Times in ms:`,
  );
  const results = [];
  const mismatches = [];
  for (const klip of KLIPS) {
    for (const variant of variants) {
      const url = metricsUrl(klip, range, variant.filters);
      const entry = { klip, variant: variant.name, filters: variant.filters, url, coldTarget: variant.target };
      if (service) {
        entry.cold = await measureCold(port, url);
        entry.warm = await measureWarm(port, url, 1);
        entry.load = await measureWarm(port, url, options.connections);
      }
      entry.raw = await measureRaw(klip, range, variant.filters);
      if (service) {
        entry.problems = compareAnswers(klip, entry.cold.answer, entry.raw.answer);
        if (entry.problems.length > 0) mismatches.push(entry);
        entry.ratioCold = entry.raw.p50 / entry.cold.p50;
        entry.ratioWarm = entry.raw.p50 / entry.warm.p50;
      }
      console.log(
        `  ${pad(klip, 19)} ${pad(variant.name, 11)} ` +
          (service
            ? `cold ${ms(entry.cold.p50)}/${ms(entry.cold.p95)}  warm ${ms(entry.warm.p50)}/${ms(entry.warm.p95)}  ` +
              `${options.connections} conn ${int(entry.load.perSecond)}/s p95 ${ms(entry.load.p95)}  `
            : '') +
          `raw ${ms(entry.raw.p50)}/${ms(entry.raw.p95)}` +
          (service
            ? `  ${times(entry.ratioCold)} / ${times(entry.ratioWarm)}  ${entry.problems.length === 0 ? 'same numbers' : 'MISMATCH'}`
            : ''),
      );
      for (const problem of entry.problems ?? []) console.log(`      MISMATCH ${problem}`);
      results.push(entry);
    }
  }
  if (service) {
    // no cohort of the last 30 days has its D30 yet: retention's answer for the cohort week is compared too
    const check = { klip: RETENTION, variant: `cohorts ${kept.cohort.from} … ${kept.cohort.to}` };
    check.problems = compareAnswers(RETENTION, (await getJson(port, metricsUrl(RETENTION, kept.cohort, {}))).json, kept.answer);
    console.log(`  ${pad(RETENTION, 19)} ${check.variant}: ${check.problems.length === 0 ? 'same numbers' : 'MISMATCH'}`);
    for (const problem of check.problems) console.log(`      MISMATCH ${problem}`);
    if (check.problems.length > 0) mismatches.push(check);
    await service.stop();
  }

  // ------------------------------------------------------------------------------------------ report
  const lines = [];
  const verdict = (ok) => (ok ? 'PASS' : 'FAIL');
  if (service) {
    lines.push(
      `Per klip and variant, last ${RANGE_DAYS} days, ms (p50 / p95); cold = cache cleared, warm = 1 connection, ` +
        `load = ${options.connections} connections (informational); ratios = raw SQL p50 / API p50:`,
    );
    lines.push(
      ...formatTable(
        [
          'klip',
          'variant',
          'cold p50',
          'p95',
          'warm p50',
          'p95',
          `load req/s`,
          'p95',
          'raw SQL p50',
          'p95',
          'raw/cold',
          'raw/warm',
          'numbers',
        ],
        results.map((e) => [
          e.klip,
          e.variant,
          ms(e.cold.p50),
          ms(e.cold.p95),
          ms(e.warm.p50),
          ms(e.warm.p95),
          int(e.load.perSecond),
          ms(e.load.p95),
          ms(e.raw.p50),
          ms(e.raw.p95),
          times(e.ratioCold),
          times(e.ratioWarm),
          e.problems.length === 0 ? 'same' : 'MISMATCH',
        ]),
        (i) => i > 1 && i < 12,
      ),
    );
  } else {
    lines.push(`Raw SQL per klip and variant, last ${RANGE_DAYS} days, ms (p50 / p95):`);
    lines.push(
      ...formatTable(
        ['klip', 'variant', 'raw SQL p50', 'p95'],
        results.map((e) => [e.klip, e.variant, ms(e.raw.p50), ms(e.raw.p95)]),
        (i) => i > 1,
      ),
    );
  }
  const worst = (list, pick) => list.reduce((a, b) => (pick(b) > pick(a) ? b : a));
  const least = (list, pick) => list.reduce((a, b) => (pick(b) < pick(a) ? b : a));
  const name = (e) => `${e.klip} ${e.variant}`;
  const checks = { incremental: incrementalWallMs <= TARGETS.incrementalSeconds * 1000 };
  const targetRows = [
    [
      `incremental ETL run with the rollup refresh, wall (median of ${incremental.length})`,
      `${secs(incrementalWallMs)} (run ${secs(incrementalRunMs)}, rollups ${int(rollupMs)} ms)`,
      `≤ ${TARGETS.incrementalSeconds} s`,
      verdict(checks.incremental),
    ],
  ];
  if (service) {
    const base = results.filter((e) => e.coldTarget === TARGETS.coldP95Ms);
    const filtered = results.filter((e) => e.coldTarget === TARGETS.coldP95FilteredMs);
    const w = worst(results, (e) => e.warm.p95);
    const cu = worst(base, (e) => e.cold.p95);
    const cf = worst(filtered, (e) => e.cold.p95);
    const rc = least(results, (e) => e.ratioCold);
    const rw = least(results, (e) => e.ratioWarm);
    const lw = worst(results, (e) => e.load.p95);
    const compared = results.length + 1; // and retention's cohort week
    Object.assign(checks, {
      warm: w.warm.p95 <= TARGETS.warmP95Ms,
      coldUnfiltered: cu.cold.p95 <= TARGETS.coldP95Ms,
      coldFiltered: cf.cold.p95 <= TARGETS.coldP95FilteredMs,
      speedupCold: rc.ratioCold >= TARGETS.speedup,
      speedupWarm: rw.ratioWarm >= TARGETS.speedup,
      sameNumbers: mismatches.length === 0,
    });
    targetRows.push(
      [
        `warm p95, worst of ${results.length} (1 connection)`,
        `${ms(w.warm.p95)} ms (${name(w)})`,
        `≤ ${TARGETS.warmP95Ms} ms`,
        verdict(checks.warm),
      ],
      [`  at ${options.connections} connections (informational)`, `${ms(lw.load.p95)} ms (${name(lw)})`, '', ''],
      [
        `cold p95, unfiltered and per app, worst`,
        `${ms(cu.cold.p95)} ms (${name(cu)})`,
        `≤ ${TARGETS.coldP95Ms} ms`,
        verdict(checks.coldUnfiltered),
      ],
      [
        `cold p95, filter combinations, worst`,
        `${ms(cf.cold.p95)} ms (${name(cf)})`,
        `≤ ${TARGETS.coldP95FilteredMs} ms`,
        verdict(checks.coldFiltered),
      ],
      [
        `faster than raw SQL, cold p50, least`,
        `${times(rc.ratioCold)} (${name(rc)})`,
        `≥ ${TARGETS.speedup}×`,
        verdict(checks.speedupCold),
      ],
      [
        `faster than raw SQL, warm p50, least`,
        `${times(rw.ratioWarm)} (${name(rw)})`,
        `≥ ${TARGETS.speedup}×`,
        verdict(checks.speedupWarm),
      ],
      [
        `API answers equal the raw SQL's`,
        `${compared - mismatches.length} of ${compared}${mismatches.length ? ` (mismatch: ${mismatches.map(name).join(', ')})` : ''}`,
        'all',
        verdict(checks.sameNumbers),
      ],
    );
  }
  lines.push('');
  lines.push('Targets:');
  lines.push(...formatTable(['', 'measured', 'target', ''], targetRows, () => false));
  lines.push('');
  lines.push(
    `ETL: full load ${secs(full.wallMs)} (run ${secs(full.runMs)}; ${Object.entries(full.stepMs)
      .map(([step, t]) => `${step} ${int(t)}`)
      .join(' · ')} ms), informational`,
  );
  lines.push(
    `Data: ${int(warehouseRows)} activities in stg.adjust over ${DAYS} days + ${int(options.slotRows)} per increment; ${usersLine(users)} ` +
      `(30-day means), D1/D7/D30 ${pct(kept.d1)} / ${pct(kept.d7)} / ${pct(kept.d30)}`,
  );
  lines.push(`  summaries of the last ${RANGE_DAYS} days, unfiltered (raw SQL):`);
  for (const { klip, raw } of results.filter((e) => e.variant === 'unfiltered'))
    lines.push(`    ${pad(klip, 19)} ${describeSummary(raw.answer.summary)}`);
  const summary = stream.summary();
  lines.push(...describeTraffic(summary).map((line) => `  ${line}`));
  lines.push(
    `  stored in mob.adjust: ${int(summary.distinctActivities)} (exact repeats and ${int(summary.keyCollisionsSkipped)} dedup-key collisions skipped, ` +
      `as the collector's unique dedup_key would)`,
  );
  lines.push(`Machine: ${cores} CPUs, Node ${process.version}, PostgreSQL ${s.version.split(' ')[1]}, fsync=${s.fsync}`);
  console.log('');
  console.log(lines.join('\n'));
  if (mismatches.length > 0) {
    console.log('');
    console.log(
      `MISMATCH: ${mismatches.length} answer(s) of the API differ from the raw SQL's (details above, statements in the results file)`,
    );
  }

  if (!flags['no-results']) {
    await writeResults('metrics', startedAt, {
      serviceBuiltAt: app.builtAt.toISOString(),
      options,
      postgres: s,
      dataset: {
        rows: warehouseRows,
        days: DAYS,
        range,
        sourceTableMb: sourceMb,
        warehouseTableMb: warehouseMb,
        rollupTables,
        loadSeconds,
        users,
        retention: kept,
        population,
        traffic: summary,
      },
      variants,
      etl: { full, incremental, incrementalWallMs, incrementalRunMs, rollupMs },
      targets: TARGETS,
      results: results.map(({ cold, warm, load: loaded, raw, ...rest }) => ({
        ...rest,
        cold: cold && { p50: cold.p50, p95: cold.p95, max: cold.max, samples: cold.samples },
        warm: warm && { p50: warm.p50, p95: warm.p95, max: warm.max, requests: warm.requests },
        load: loaded && { p50: loaded.p50, p95: loaded.p95, max: loaded.max, requests: loaded.requests, perSecond: loaded.perSecond },
        raw: { p50: raw.p50, p95: raw.p95, max: raw.max, runs: raw.runs, statement: raw.statement },
      })),
      checks,
      printed: lines,
    });
  }
}

await runBench('bench:metrics', main, 'stopping the service and PostgreSQL, removing the temp folder');
