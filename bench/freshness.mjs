// Benchmark of freshness (issue 13): `npm run bench:freshness`, after `npm run build`.
//
// On one embedded PostgreSQL in a temporary folder (source database `adjust`, warehouse `warehouse`, fsync
// on, as the service runs), with the history of bench:metrics (bench/history.mjs: 90 days of realistic
// activities whose devices come back along a retention curve):
//   1. the rollup step of one arrival run at 1× and 4× the history: a quarter of the history (a quarter of
//      the traffic over the same 90 days), its first full load (`node dist/cli/etl.js --once`), then
//      --runs arrival runs (`etl --once`, after one uncounted warm-up), each after a batch of --batch new
//      activities (default 10 s at --rate) COPYed into mob.adjust; then the other three quarters (other
//      devices, same 90 days, another seed), loaded by `etl --once --rebuild` (timed), and the same runs
//      again at 4×, alternating with runs of 10× the batch. Medians of the run records' rollup step
//      (stepMs.rollups), run time and wall time; the ratios against the targets;
//   2. continuous: the service (`node dist/main.js` on that PostgreSQL, API keys and CALLBACK_TOKEN set,
//      DEMO=false, RATE_LIMIT=off, the nightly repair off, ETL_SCHEDULE unset: the default, continuous)
//      takes --duration seconds of realistic callbacks (bench/adjust-traffic.mjs) at --rate per second,
//      paced evenly by this process on kept-alive connections, plus one PROBE a second: an install and a
//      session (last_time_spent > 0, last_session_time now) of a new device of its own app
//      (app_name=probe.<run>.<n>). This process watches the loads (GET /api/v1/etl/runs every 200 ms) and,
//      after each one that ends, asks each probe not yet counted once per klip
//      (GET /api/v1/metrics/installs|dau|session-duration?from=<its day>&to=<its day>&app=<its app>): the
//      lag of a probe in a klip is the time from its later callback's 200 to the first answer counting it
//      exactly (installs 1, DAU 1, the session's length). Up to 200 ms of it is this watcher's polling;
//      Then the same schedule, traffic and probes while a repair works beside the live loads: a window run
//      of 7 days (POST /api/v1/etl/runs {"mode":"window","windowDays":7}, 5 s into the traffic), then a
//      rebuild; each phase ends with its repair, and its probes' lag is the lag "during" it (issue 17);
//   3. the original schedule next to it: the service restarted with ETL_SCHEDULE=--cron (default
//      "*/10 * * * *"), the same traffic and probes from just after a tick to the tick --cron-duration
//      later (default 1,200 s: two ticks), then until that tick's load has counted every probe.
// Printed: per schedule and klip the probes' lag p50 / p95 / max, the collector's achieved rate and
// latency, and per load its rows, duration and steps (live, one line per load, then their medians and
// maxima); against the targets of the issue: lag p95 ≤ 30 s and max ≤ 60 s (continuous, at 10M
// activities; max ≤ 60 s also while a window run of 7 days and a rebuild work); the rollup step flat as history grows (4× history ≤ 1.5× the time) and proportional to the
// rows (10× the rows ≤ 10× the time); the answer cache's re-warm after a load ≤ 1 s, read from each run's
// record as the time after its steps: finished_at − started_at − the steps (extract, stage, load, merge —
// which holds the rollups — and maintain; not the lease, which mostly comes before started_at): the
// re-warm plus the run record's own writes, an upper bound of the re-warm.
//
// Flags: --rows <n> (history, default 10,000,000)  --quick (400,000 rows, 200/s, 60 s, cron every 30 s for
//        60 s, 3 runs: about 6 minutes in all)  --seed <n> (default 42)  --rate <n> (callbacks/s, default 1,000)
//        --duration <s> (continuous traffic, default 600)  --cron <expression> (default "*/10 * * * *")
//        --cron-duration <s> (default 1,200: two ticks of the default)  --runs <n> (arrival runs per
//        rollup measurement, default 5)  --batch <n> (rows per arrival batch, default 10 s at --rate)
//        --connections <n> (the traffic's kept-alive connections, default 32)
//        --log-level <level> (the service's LOG_LEVEL, default warn)
//        --lag-only (the whole history at once, its full load, then the continuous phases only: no rollup-step
//        runs, no cron phase)  --no-repairs (no phases beside a window run and a rebuild)  --keep (leave the temp folder)  --no-results (do not write bench/results/freshness-<timestamp>.json)
//
// A full run takes about 75–90 minutes on this project's 2-core machine (estimated from --quick runs and
// the 10M runs of bench:metrics): ~20 min to generate and COPY the 10M activities, ~15 min for the 1× full
// load and the 4× rebuild, ~2 min of arrival runs, 10 min continuous, up to 10 min waiting for a tick,
// 20 min on the cron schedule and its last load; --quick takes about 6 minutes. The ETL and the service
// run from a private copy of dist/, sql/ and the generator modules taken at start. Not part of `npm test`.

import { randomBytes } from 'node:crypto';
import http from 'node:http';
import os from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { CronTime } from 'cron';
import { KLIP_ENTRIES } from '../dist/metrics/klips.js';
import { addArrivals, DAYS, historyStream, loadHistory, runEtl, scalar, setUpHistory, startService, tableMb } from './history.mjs';
import { describeBuild, formatTable, int, median, percentiles, secs } from './format.mjs';
import { gitState, httpRequest, machineLine, machineTicks, parseBenchFlags, runBench, writeResults } from './support.mjs';

const TARGETS = { lagP95Ms: 30_000, lagMaxMs: 60_000, flatWithHistory: 1.5, rowsScale: 10, rewarmMs: 1000 };
// The klips a probe moves by a known amount (one install, one active device, its session's length): a
// choice of this benchmark among the registry's klips (dist/metrics/klips.js), whose kinds say what to expect.
const KLIPS = ['installs', 'dau', 'session-duration'];
for (const klip of KLIPS) if (!KLIP_ENTRIES[klip]) throw new Error(`bench:freshness probes ${klip}, which the service does not answer`);
const API_KEY = `bench-freshness-key-${randomBytes(6).toString('hex')}`;
const ADMIN_KEY = `bench-freshness-admin-${randomBytes(6).toString('hex')}`;
const CALLBACK_TOKEN = `bench-freshness-token-${randomBytes(6).toString('hex')}`;
const RUN_TAG = randomBytes(3).toString('hex'); // probe apps of this run: probe.<tag>.<n>, n counting across phases
const WATCH_MS = 200;
// The repairs measured beside the continuous loads, each started after this much traffic; a phase ends with
// its repair (or after the limit).
const REPAIRS = [
  ['during a window run of 7 days', { mode: 'window', windowDays: 7 }],
  ['during a rebuild', { mode: 'rebuild' }],
];
const REPAIR_LEAD_MS = 5_000;
const REPAIR_LIMIT_MS = 3 * 3600_000;
const PROBE_MS = 1000;
const CHECK_CONCURRENCY = 4;
// the steps that follow each other after a run's record opens (rollups happens inside merge; most of the
// lease step, taking the lock and opening the record, comes before the record's started_at)
const RUN_STEPS = ['extract', 'stage', 'load', 'merge', 'maintain'];

const { flags, fail, positive } = parseBenchFlags('bench:freshness', {
  rows: { type: 'string' },
  quick: { type: 'boolean', default: false },
  seed: { type: 'string', default: '42' },
  rate: { type: 'string' },
  duration: { type: 'string' },
  cron: { type: 'string' },
  'cron-duration': { type: 'string' },
  runs: { type: 'string' },
  batch: { type: 'string' },
  connections: { type: 'string', default: '32' },
  'log-level': { type: 'string', default: 'warn' },
  keep: { type: 'boolean', default: false },
  'lag-only': { type: 'boolean', default: false },
  'no-repairs': { type: 'boolean', default: false },
  'no-results': { type: 'boolean', default: false },
});
const quick = flags.quick;
// --lag-only: the whole history at once, one full load, then the continuous phase; no rollup-step runs, no cron
const lagOnly = flags['lag-only'];
const options = {
  rows: Math.round(positive('rows', quick ? 400_000 : 10_000_000)),
  seed: Math.round(positive('seed')),
  rate: positive('rate', quick ? 200 : 1000),
  durationS: positive('duration', quick ? 60 : 600),
  cron: flags.cron ?? (quick ? '*/30 * * * * *' : '*/10 * * * *'),
  cronDurationS: positive('cron-duration', quick ? 60 : 1200),
  runs: Math.round(positive('runs', quick ? 3 : 5)),
  connections: Math.round(positive('connections')),
  logLevel: flags['log-level'],
};
options.batch = Math.round(positive('batch', options.rate * 10));
options.quarter = Math.round(options.rows / 4);
if (options.quarter < 1000) fail('--rows must be at least 4,000');
const cron = cronTime(options.cron);

function cronTime(expression) {
  try {
    return new CronTime(expression, 'UTC');
  } catch (error) {
    return fail(`--cron is not a cron expression: ${error.message}`);
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------------------------- traffic

// Realistic callbacks at `rate` per second, paced evenly (every 5 ms what is due by then), each on the next
// free one of `connections` kept-alive connections or queued for it: a slow answer delays no later
// request's start, and its queueing counts in its latency. stop() ends the sending and waits for every
// answer. This process's own event-loop delay is measured beside it: a stall of the load generator would
// show there, not in the service.
function startTraffic({ port, rate, traffic, connections }) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  const latencies = [];
  const counts = { sent: 0, ok: 0, non2xx: 0, errors: 0, byStatus: {}, maxInFlight: 0 };
  let inFlight = 0;
  let drained = null;
  const started = performance.now();
  const send = () => {
    counts.sent++;
    counts.maxInFlight = Math.max(counts.maxInFlight, ++inFlight);
    httpRequest({ port, path: `${traffic.next().path}&token=${CALLBACK_TOKEN}`, agent })
      .then(
        ({ status, ms }) => {
          latencies.push(ms);
          counts.byStatus[status] = (counts.byStatus[status] ?? 0) + 1;
          if (status >= 200 && status < 300) counts.ok++;
          else counts.non2xx++;
        },
        () => counts.errors++,
      )
      .finally(() => {
        if (--inFlight === 0) drained?.();
      });
  };
  const timer = setInterval(() => {
    const due = Math.floor(((performance.now() - started) / 1000) * rate) - counts.sent;
    for (let i = 0; i < due; i++) send();
  }, 5);
  return {
    async stop() {
      clearInterval(timer);
      const seconds = (performance.now() - started) / 1000;
      if (inFlight > 0) await new Promise((resolve) => (drained = resolve));
      agent.destroy();
      loopDelay.disable();
      const latency = latencies.length > 0 ? latencyOf(latencies) : null;
      const clientLoopDelayMs = { p99: loopDelay.percentile(99) / 1e6, max: loopDelay.max / 1e6 };
      return { offeredPerSecond: rate, seconds, ...counts, okPerSecond: counts.ok / seconds, latencyMs: latency, clientLoopDelayMs };
    },
  };
}

function latencyOf(values) {
  const sorted = Float64Array.from(values).sort();
  const at = (p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
  return { p50: at(50), p99: at(99), max: sorted[sorted.length - 1] };
}

// ---------------------------------------------------------------------------------------------- probes

let probesSent = 0;
const probeAgent = new http.Agent({ keepAlive: true, maxSockets: 4 });
const apiAgent = new http.Agent({ keepAlive: true, maxSockets: CHECK_CONCURRENCY + 1 });

// One probe: an install and a session of a new device of its own app, both now; `ackedAt` is the later 200.
async function sendProbe(port, n) {
  const nowS = Math.floor(Date.now() / 1000);
  const probe = {
    n,
    app: `probe.${RUN_TAG}.${n}`,
    day: new Date(nowS * 1000).toISOString().slice(0, 10),
    length: 5 + Math.floor(Math.random() * 1795), // seconds, the session-duration klip's expected value
    sentAt: Date.now(),
    ackedAt: null,
    failed: null,
    counted: {},
    wrong: {},
  };
  const common = {
    app_token: `prb${randomBytes(5).toString('hex')}`,
    app_name: probe.app,
    adid: randomBytes(16).toString('hex'),
    environment: 'production',
    os_name: 'android',
    country: 'de',
    network_name: 'Organic',
    is_organic: '1',
    installed_at: String(nowS),
    token: CALLBACK_TOKEN,
  };
  const install = { ...common, activity_kind: 'install', created_at: String(nowS) };
  const session = {
    ...common,
    activity_kind: 'session',
    created_at: String(nowS),
    last_session_time: String(nowS),
    last_time_spent: String(probe.length),
  };
  const answers = await Promise.all(
    [install, session].map((params) =>
      httpRequest({ port, path: `/api/v1/adjust/callback?${new URLSearchParams(params)}`, agent: probeAgent }).catch((error) => ({
        status: error.message,
      })),
    ),
  );
  const refused = answers.find((answer) => answer.status !== 200);
  if (refused) probe.failed = `${refused.status} ${refused.body ?? ''}`.trim();
  else probe.ackedAt = Date.now();
  return probe;
}

// What one klip's answer for the probe's app and day says: true (counts it exactly), false (not yet), or
// the wrong number it shows.
function countsProbe(klip, answer, probe) {
  // one day: one row
  const value = answer.data[0]?.value;
  const expected = KLIP_ENTRIES[klip].kind === 'average' ? probe.length : 1;
  if (value === expected) return true;
  return value === 0 || value === null || value === undefined ? false : value;
}

let requestTimeouts = 0;
let requestResets = 0;

// A GET to the service's API, asked again (up to 3 times) when the kept-alive connection beneath is reset
// (a 10M run's rebuild met one: "socket hang up"); the resets are counted and printed.
async function apiGet(request) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await httpRequest(request);
    } catch (error) {
      if (attempt === 3 || !['ECONNRESET', 'EPIPE'].includes(error.code)) throw error;
      requestResets++;
      await sleep(100);
    }
  }
}

// After a load: each outstanding probe's klips, once each, CHECK_CONCURRENCY at a time.
async function checkProbes(port, probes) {
  const asks = [];
  for (const probe of probes) {
    if (probe.ackedAt === null) continue;
    for (const klip of KLIPS) if (probe.counted[klip] === undefined) asks.push({ probe, klip });
  }
  let next = 0;
  let counted = 0;
  const worker = async () => {
    while (next < asks.length) {
      const { probe, klip } = asks[next++];
      const url = `/api/v1/metrics/${klip}?from=${probe.day}&to=${probe.day}&app=${encodeURIComponent(probe.app)}`;
      const response = await apiGet({ port, path: url, headers: { 'x-api-key': API_KEY }, agent: apiAgent });
      // the service's request timeout on a kept-alive socket of this client (a 10M cron run met one): the
      // probe is asked again after the next load, as a client would, and the count is printed
      if (response.status === 408) {
        requestTimeouts++;
        continue;
      }
      if (response.status !== 200) throw new Error(`GET ${url} answered ${response.status}: ${response.body.slice(0, 300)}`);
      const verdict = countsProbe(klip, JSON.parse(response.body), probe);
      if (verdict === true) {
        probe.counted[klip] = Date.now();
        counted++;
      } else if (verdict !== false) probe.wrong[klip] = verdict;
    }
  };
  await Promise.all(Array.from({ length: CHECK_CONCURRENCY }, worker));
  return { asked: asks.length, counted };
}

const outstanding = (probes) => probes.filter((p) => p.ackedAt !== null && KLIPS.some((klip) => p.counted[klip] === undefined));

// ---------------------------------------------------------------------------------------------- loads

async function listRuns(port, limit) {
  const response = await apiGet({
    port,
    path: `/api/v1/etl/runs?limit=${limit}`,
    headers: { 'x-api-key': ADMIN_KEY },
    agent: apiAgent,
  });
  if (response.status !== 200) throw new Error(`GET /api/v1/etl/runs answered ${response.status}: ${response.body.slice(0, 300)}`);
  return JSON.parse(response.body);
}

// What a run's record says, with the time after its steps (the answer cache's re-warm and the record's writes).
function describeRun(run) {
  const runMs = run.finishedAt === null ? null : Date.parse(run.finishedAt) - Date.parse(run.startedAt);
  const stepsMs = RUN_STEPS.reduce((sum, step) => sum + (run.stepMs[step] ?? 0), 0);
  return {
    id: run.id,
    status: run.status,
    trigger: run.trigger,
    mode: run.mode,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    rows: run.rowsExtracted,
    runMs,
    stepMs: run.stepMs,
    afterStepsMs: run.status === 'succeeded' && runMs !== null ? runMs - stepsMs : null,
    error: run.error,
  };
}

function printLoad(load, check) {
  const steps = Object.entries(load.stepMs)
    .map(([step, ms]) => `${step} ${int(ms)}`)
    .join(' · ');
  const after = load.afterStepsMs === null ? '' : `; after the steps ${int(load.afterStepsMs)} ms`;
  const probes = check ? `; ${check.counted} of ${check.asked} probe klips now count` : '';
  console.log(
    `    load ${load.id} (${load.status}): ${int(load.rows)} rows in ${fmtMs(load.runMs)} (${steps} ms${after})${probes}` +
      `${load.error ? ` — ${load.error}` : ''}`,
  );
}

// Runs that ended since `lastId`, oldest first (finished ones; a cron tick's skipped ones too).
async function endedRuns(port, lastId) {
  const runs = await listRuns(port, 5);
  return runs.filter((run) => run.id > lastId && run.status !== 'running').sort((a, b) => a.id - b.id);
}

// ---------------------------------------------------------------------------------------------- a phase

// Traffic and probes from `startAt` to `endAt` (epoch ms; probes stop `probeMargin` ms before the end), or
// until `ended` resolves, while every load that ends is recorded and followed by one look at each outstanding
// probe; then the loads go on until every probe counts or `settleUntil` (or `settleMs` after the end) passes.
async function runPhase({ port, makeTraffic, startAt, endAt, ended, probeMarginMs, settleUntil, settleMs, lastRunId }) {
  await sleep(Math.max(0, startAt - Date.now()));
  const traffic = makeTraffic(); // its activities are "now" from here on
  const probes = [];
  const loads = [];
  const busyBefore = await machineTicks();
  const load = startTraffic({ port, rate: options.rate, traffic, connections: options.connections });
  const sending = [];
  let end = endAt;
  const probeTimer = setInterval(() => {
    if (Date.now() < end - probeMarginMs) sending.push(sendProbe(port, ++probesSent).then((probe) => probes.push(probe)));
  }, PROBE_MS);
  let lastId = lastRunId;
  let trafficResult = null;
  const stop = () => {
    clearInterval(probeTimer);
    trafficResult ??= load.stop();
  };
  const stopAt = setTimeout(stop, end - Date.now());
  void ended?.then(() => {
    end = Date.now();
    clearTimeout(stopAt);
    stop();
  });
  try {
    for (;;) {
      for (const run of await endedRuns(port, lastId)) {
        lastId = run.id;
        const record = describeRun(run);
        loads.push(record);
        record.check = run.status === 'succeeded' ? await checkProbes(port, outstanding(probes)) : null;
        printLoad(record, record.check);
      }
      if (trafficResult !== null && Date.now() >= end) {
        await Promise.all(sending);
        if (outstanding(probes).length === 0 || Date.now() > (settleUntil ?? end + settleMs)) break;
      }
      await sleep(WATCH_MS);
    }
  } finally {
    clearTimeout(stopAt);
    clearInterval(probeTimer);
    trafficResult ??= load.stop();
  }
  const busyAfter = await machineTicks();
  const collector = await trafficResult;
  collector.machineBusyPct = (100 * os.cpus().length * (busyAfter.busy - busyBefore.busy)) / (busyAfter.total - busyBefore.total);
  return { probes, loads, collector, lastRunId: lastId };
}

// The lag of each probe per klip and in all three (the latest of the three), with what did not count.
function lagsOf(probes) {
  const sent = probes.length;
  const failed = probes.filter((p) => p.failed !== null);
  const acked = probes.filter((p) => p.ackedAt !== null);
  const perKlip = {};
  for (const klip of [...KLIPS, 'all three']) {
    const lags = [];
    let notCounted = 0;
    let wrong = 0;
    for (const probe of acked) {
      const times = klip === 'all three' ? KLIPS.map((k) => probe.counted[k]) : [probe.counted[klip]];
      if (times.some((t) => t === undefined)) notCounted++;
      else lags.push(Math.max(...times) - probe.ackedAt);
      if ((klip === 'all three' ? KLIPS : [klip]).some((k) => probe.wrong[k] !== undefined)) wrong++;
    }
    perKlip[klip] = { counted: lags.length, notCounted, wrong, ...(lags.length > 0 ? percentiles(lags) : {}) };
  }
  return { sent, failed: failed.length, failures: failed.slice(0, 5).map((p) => p.failed), perKlip };
}

// Medians and maxima of the loads that brought rows, and how many found nothing.
function loadsSummary(loads) {
  const ok = loads.filter((l) => l.status === 'succeeded');
  const busy = ok.filter((l) => l.rows > 0);
  const stat = (pick) => {
    const values = busy.map(pick).filter((v) => v !== undefined && v !== null);
    return values.length > 0 ? { p50: median(values), max: Math.max(...values) } : null;
  };
  const steps = Object.fromEntries(['extract', 'load', 'merge', 'rollups'].map((step) => [step, stat((l) => l.stepMs[step])]));
  return {
    loads: loads.length,
    withRows: busy.length,
    empty: ok.length - busy.length,
    failed: loads.filter((l) => l.status === 'failed').length,
    skipped: loads.filter((l) => l.status === 'skipped').length,
    rows: stat((l) => l.rows),
    runMs: stat((l) => l.runMs),
    stepMs: steps,
    afterStepsMs: stat((l) => l.afterStepsMs),
  };
}

// ---------------------------------------------------------------------------------------------- repairs

// A repair started through the API once the traffic has run `leadMs`; resolves with its record once it ended.
async function repairRun(port, body, leadMs) {
  await sleep(leadMs);
  const headers = { 'x-api-key': ADMIN_KEY, 'content-type': 'application/json' };
  const started = await httpRequest({
    port,
    method: 'POST',
    path: '/api/v1/etl/runs',
    headers,
    body: JSON.stringify(body),
    agent: apiAgent,
  });
  if (started.status !== 202)
    throw new Error(`POST /api/v1/etl/runs ${JSON.stringify(body)} answered ${started.status}: ${started.body.slice(0, 300)}`);
  const { id } = JSON.parse(started.body);
  for (;;) {
    await sleep(WATCH_MS);
    const response = await apiGet({ port, path: `/api/v1/etl/runs/${id}`, headers: { 'x-api-key': ADMIN_KEY }, agent: apiAgent });
    const run = JSON.parse(response.body);
    if (run.status !== 'running') return run;
  }
}

// ---------------------------------------------------------------------------------------------- the service

// The latest run's id once a scheduled load has ended after the service started.
async function firstScheduledLoad(port, sinceId, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ended = (await endedRuns(port, sinceId)).filter((run) => run.trigger === 'schedule' && run.status === 'succeeded');
    if (ended.length > 0) return ended.at(-1).id;
    if (Date.now() > deadline) throw new Error(`no scheduled load ended within ${timeoutMs / 1000} s of the service's start`);
    await sleep(WATCH_MS);
  }
}

// ---------------------------------------------------------------------------------------------- output

const fmtMs = (ms) => (ms === undefined || ms === null ? '—' : secs(ms));
const verdict = (ok) => (ok ? 'PASS' : 'FAIL');
const ratio = (a, b) => (b > 0 ? a / b : NaN);

function rollupRows(sets) {
  return sets.map((set) => [
    set.label,
    int(set.historyRows),
    int(set.batch),
    int(set.rollupsMs),
    int(set.runMs),
    secs(set.wallMs),
    set.runs.map((r) => int(r.stepMs.rollups ?? 0)).join(' / '),
  ]);
}

function lagRows(phases) {
  const rows = [];
  for (const phase of phases) {
    const { perKlip, sent, failed } = phase.lags;
    for (const klip of [...KLIPS, 'all three']) {
      const k = perKlip[klip];
      rows.push([
        klip === KLIPS[0] ? phase.label : '',
        klip,
        klip === KLIPS[0] ? `${int(sent)}${failed > 0 ? ` (${failed} refused)` : ''}` : '',
        int(k.counted),
        k.notCounted + k.wrong > 0 ? `${k.notCounted} / ${k.wrong}` : '0',
        fmtMs(k.p50),
        fmtMs(k.p95),
        fmtMs(k.max),
      ]);
    }
  }
  return rows;
}

function loadRows(phases) {
  const cell = (stat) => (stat ? `${int(stat.p50)} / ${int(stat.max)}` : '—');
  return phases.map((phase) => {
    const s = phase.loadStats;
    return [
      phase.label,
      `${s.withRows} + ${s.empty} empty${s.failed ? `, ${s.failed} FAILED` : ''}${s.skipped ? `, ${s.skipped} skipped` : ''}`,
      cell(s.rows),
      cell(s.runMs),
      cell(s.stepMs.extract),
      cell(s.stepMs.load),
      cell(s.stepMs.merge),
      cell(s.stepMs.rollups),
      cell(s.afterStepsMs),
    ];
  });
}

function collectorRows(phases) {
  return phases.map(({ label, collector: c }) => [
    label,
    int(c.offeredPerSecond),
    int(c.okPerSecond),
    `${int(c.non2xx)} / ${int(c.errors)}`,
    c.latencyMs ? `${c.latencyMs.p50.toFixed(1)} / ${c.latencyMs.p99.toFixed(1)} / ${int(c.latencyMs.max)}` : '—',
    int(c.maxInFlight),
    `${int(c.clientLoopDelayMs.p99)} / ${int(c.clientLoopDelayMs.max)}`,
    `${int(c.machineBusyPct)} %`,
  ]);
}

// ---------------------------------------------------------------------------------------------- main

async function main() {
  const startedAt = new Date();
  console.log(machineLine('Freshness benchmark'));
  console.log(
    `Tree: ${gitState()}; history ${int(options.rows)} activities over ${DAYS} days (seed ${options.seed}), built as ${int(options.quarter)} (1×) + ` +
      `${int(options.rows - options.quarter)} (4×); arrival batches of ${int(options.batch)} and ${int(10 * options.batch)} rows, ${options.runs} runs each; ` +
      `${int(options.rate)} callbacks/s + 1 probe/s for ${options.durationS} s continuous and ${options.cronDurationS} s on "${options.cron}"`,
  );

  const { app, modules, db, env } = await setUpHistory({
    prefix: 'freshness-bench-',
    keep: flags.keep,
    apiKey: API_KEY,
    adminKey: ADMIN_KEY,
  });
  if (!app.hasApi) throw new Error('dist/metrics is missing (the metrics API is not built): run npm run build');
  const { source, warehouse } = db;
  const { generator } = modules;
  const { createTraffic, describeTraffic } = modules.traffic;
  const cliEnv = env();

  // 1. A quarter of the history, its full load, arrival runs at 1×.
  const endMs = Date.now() - 15 * 60_000;
  const startMs = endMs - DAYS * 86_400_000;
  const streamOf = (seed, rows) => historyStream(modules, { seed, startMs, rows }).stream;
  const firstRows = lagOnly ? options.rows : options.quarter;
  let streamA = streamOf(options.seed, firstRows);
  console.log('');
  console.log(`Generating and loading ${int(firstRows)} activities (${lagOnly ? 'all' : '1×'}) into mob.adjust…`);
  let phase = performance.now();
  await loadHistory(source, generator, streamA, { rows: firstRows, endMs });
  // --lag-only reads no more of the history: its generator's state (gigabytes at 10M) goes before the live
  // phases, whose traffic it stalled in garbage collection (a 10M run's client grew to 6.3 GB and stopped)
  const historySummary = streamA.summary();
  if (lagOnly) streamA = null;
  await source.query('VACUUM (ANALYZE) mob.adjust');
  const generation1 = (performance.now() - phase) / 1000;
  console.log(`  in ${generation1.toFixed(1)} s`);
  console.log('');
  console.log('ETL (`node dist/cli/etl.js --once`, wall time from spawn to exit; "run": the run record\'s own time):');
  const full1 = await runEtl({ app, env: cliEnv, source, label: lagOnly ? 'full load' : 'full load (1×)' });
  for (const line of describeBuild(full1)) console.log(`    ${line}`);
  await warehouse.query('VACUUM (ANALYZE)'); // what autovacuum does after a big load, untimed
  const batchSpanMs = (options.batch / options.rate) * 1000;
  const arrivalRun = async (label, rows) => {
    await addArrivals(source, generator, streamA, rows, (rows / options.batch) * batchSpanMs);
    return runEtl({ app, env: cliEnv, source, label });
  };
  const set = (label, historyRows, batch, runs) => ({
    label,
    historyRows,
    batch,
    runs,
    rollupsMs: median(runs.map((r) => r.stepMs.rollups ?? 0)),
    runMs: median(runs.map((r) => r.runMs)),
    wallMs: median(runs.map((r) => r.wallMs)),
  });
  let sets = [];
  let history4 = Number(await scalar(warehouse, 'SELECT count(*)::float8 FROM stg.adjust'));
  let [generation4, flatRatio, rowsRatio, rebuild] = [0, NaN, NaN, null];
  if (!lagOnly) {
    await arrivalRun('1× warm-up', options.batch);
    const at1 = [];
    for (let i = 1; i <= options.runs; i++) at1.push(await arrivalRun(`1× #${i}`, options.batch));
    const history1 = Number(await scalar(warehouse, 'SELECT count(*)::float8 FROM stg.adjust'));

    // 2. The other three quarters (other devices, same days), a rebuild, arrival runs at 4× and 10× the rows.
    console.log('');
    console.log(`Generating and loading ${int(options.rows - options.quarter)} more activities (other devices, same ${DAYS} days)…`);
    phase = performance.now();
    const streamB = streamOf(options.seed + 1, options.rows - options.quarter);
    await loadHistory(source, generator, streamB, { rows: options.rows - options.quarter, endMs });
    await source.query('VACUUM (ANALYZE) mob.adjust');
    generation4 = (performance.now() - phase) / 1000;
    console.log(`  in ${generation4.toFixed(1)} s`);
    rebuild = await runEtl({ app, env: cliEnv, source, label: 'rebuild (4×)', args: ['--rebuild'] });
    await warehouse.query('VACUUM (ANALYZE)');
    await arrivalRun('4× warm-up', options.batch);
    await arrivalRun('4× 10× rows warm-up', 10 * options.batch);
    history4 = Number(await scalar(warehouse, 'SELECT count(*)::float8 FROM stg.adjust'));
    const at4 = [];
    const at4x10 = [];
    for (let i = 1; i <= options.runs; i++) {
      at4.push(await arrivalRun(`4× #${i}`, options.batch));
      at4x10.push(await arrivalRun(`4× 10× rows #${i}`, 10 * options.batch));
    }
    sets = [
      set('1×', history1, options.batch, at1),
      set('4×', history4, options.batch, at4),
      set('4×, 10× the rows', history4, 10 * options.batch, at4x10),
    ];
    flatRatio = ratio(sets[1].rollupsMs, sets[0].rollupsMs);
    rowsRatio = ratio(sets[2].rollupsMs, sets[1].rollupsMs);
  }
  const warehouseMb = await tableMb(warehouse, 'stg.adjust');

  // 3. The service on its default schedule (continuous), then on the original cron.
  const port = await modules.embedded.freePort();
  const serviceEnvFor = (schedule) =>
    env({ PORT: String(port), ETL_SCHEDULE: schedule, DEMO: 'false', CALLBACK_TOKEN, LOG_LEVEL: options.logLevel });
  let lastRunId = Number(await scalar(source, 'SELECT max(id)::float8 FROM mob.etl_run'));
  const phases = [];

  console.log('');
  console.log(
    `Continuous (ETL_SCHEDULE unset: the default; ETL_MIN_INTERVAL unset: 10 s), ${int(options.rate)} callbacks/s + 1 probe/s for ${options.durationS} s:`,
  );
  let service = await startService(app, serviceEnvFor(undefined), 'the service (continuous)', { agent: apiAgent, graceMs: 180_000 });
  lastRunId = await firstScheduledLoad(port, lastRunId, 120_000);
  let now = Date.now();
  const continuous = await runPhase({
    port,
    makeTraffic: () => createTraffic({ seed: options.seed + 2 }),
    startAt: now,
    endAt: now + options.durationS * 1000,
    probeMarginMs: 0,
    settleMs: 120_000,
    lastRunId,
  });
  phases.push({ label: 'continuous (default)', schedule: 'continuous', ...continuous });
  lastRunId = continuous.lastRunId;

  // the same schedule and traffic while a repair works beside the live loads: a window run, then a rebuild
  if (!flags['no-repairs']) {
    for (const [label, body] of REPAIRS) {
      console.log('');
      console.log(`Continuous, ${label} (POST /api/v1/etl/runs ${JSON.stringify(body)} after ${REPAIR_LEAD_MS / 1000} s of traffic):`);
      const repair = repairRun(port, body, REPAIR_LEAD_MS);
      now = Date.now();
      const during = await runPhase({
        port,
        makeTraffic: () => createTraffic({ seed: options.seed + 4 + phases.length }),
        startAt: now,
        endAt: now + REPAIR_LIMIT_MS,
        ended: repair,
        probeMarginMs: 0,
        settleMs: 120_000,
        lastRunId,
      });
      const run = await repair;
      const steps = Object.entries(run.stepMs)
        .map(([step, ms]) => `${step} ${int(ms)}`)
        .join(' · ');
      console.log(
        `  run ${run.id} (${run.mode}): ${run.status} in ${secs(Date.parse(run.finishedAt) - Date.parse(run.startedAt))} (${steps} ms)${run.error ? ` — ${run.error}` : ''}`,
      );
      phases.push({ label: `continuous, ${label}`, schedule: 'continuous', repair: run, ...during });
      lastRunId = during.lastRunId;
    }
  }
  await service.stop();

  if (!lagOnly) {
    console.log('');
    service = await startService(app, serviceEnvFor(options.cron), `the service (ETL_SCHEDULE="${options.cron}")`, {
      agent: apiAgent,
      graceMs: 180_000,
    });
    let tick0 = cron.getNextDateFrom(new Date()).toMillis();
    if (tick0 - Date.now() < 3000) tick0 = cron.getNextDateFrom(new Date(tick0)).toMillis();
    const intervalMs = cron.getNextDateFrom(new Date(tick0)).toMillis() - tick0;
    let lastTick = tick0;
    for (let k = 0; k < Math.max(1, Math.round((options.cronDurationS * 1000) / intervalMs)); k++) {
      lastTick = cron.getNextDateFrom(new Date(lastTick)).toMillis();
    }
    console.log(
      `Cron "${options.cron}": waiting ${secs(tick0 - Date.now())} for the tick at ${new Date(tick0).toISOString()}, then ${int(options.rate)} callbacks/s ` +
        `+ 1 probe/s until the tick at ${new Date(lastTick).toISOString()} and its load:`,
    );
    const cronPhase = await runPhase({
      port,
      makeTraffic: () => createTraffic({ seed: options.seed + 3 }),
      startAt: tick0 + 1000,
      endAt: lastTick,
      probeMarginMs: 2000,
      settleUntil: cron.getNextDateFrom(new Date(lastTick)).toMillis() + 120_000,
      lastRunId,
    });
    phases.push({ label: `cron "${options.cron}"`, schedule: options.cron, ...cronPhase });
    await service.stop();
  }
  now = Date.now();

  // ------------------------------------------------------------------------------------------ report
  for (const p of phases) {
    p.lags = lagsOf(p.probes);
    p.loadStats = loadsSummary(p.loads);
  }
  const lines = [];
  if (lagOnly) {
    lines.push(`--lag-only: no rollup-step runs; first full load: ${secs(full1.wallMs)} (rollups ${secs(full1.stepMs.rollups ?? 0)})`);
    lines.push(...describeBuild(full1).map((line) => `  ${line}`));
  } else {
    lines.push(`Rollup step of one arrival run (\`etl --once\`), medians of ${options.runs} after a warm-up, ms:`);
    lines.push(
      ...formatTable(
        ['history', 'warehouse rows', 'batch rows', 'rollups', 'run', 'wall', 'rollups of each run'],
        rollupRows(sets),
        (i) => i > 0 && i < 6,
      ),
    );
    lines.push(
      `  grown to 4× by \`etl --once --rebuild\` of ${int(rebuild.rowsExtracted)} rows: ${secs(rebuild.wallMs)} (rollups ${secs(rebuild.stepMs.rollups ?? 0)}); ` +
        `first full load at 1×: ${secs(full1.wallMs)} (rollups ${secs(full1.stepMs.rollups ?? 0)})`,
    );
  }
  lines.push('');
  lines.push('Lag from a probe\'s 200 to the first answer counting it (probes: sent; "missed": never counted / counted wrong):');
  lines.push(...formatTable(['schedule', 'klip', 'probes', 'counted', 'missed', 'p50', 'p95', 'max'], lagRows(phases), (i) => i > 2));
  lines.push('');
  lines.push('Loads that brought rows (+ empty ones): median / max; ms except rows; "after steps" = answer re-warm + run record writes:');
  lines.push(
    ...formatTable(
      ['schedule', 'loads', 'rows', 'run', 'extract', 'load', 'merge', 'rollups', 'after steps'],
      loadRows(phases),
      (i) => i > 1,
    ),
  );
  lines.push('');
  lines.push(`Collector during the test (${options.connections} kept-alive connections, paced):`);
  lines.push(
    ...formatTable(
      [
        'schedule',
        'offered/s',
        '2xx/s',
        'non-2xx / errors',
        'latency ms p50 / p99 / max',
        'max in flight',
        'client loop delay ms p99 / max',
        `machine busy (of ${100 * os.cpus().length} %)`,
      ],
      collectorRows(phases),
      (i) => i > 0,
    ),
  );

  const c = phases[0];
  const all = c.lags.perKlip['all three'];
  const complete = all.notCounted === 0 && all.wrong === 0 && c.lags.failed === 0;
  const rewarm = c.loadStats.afterStepsMs;
  const checks = {
    lagP95: complete && all.p95 <= TARGETS.lagP95Ms,
    lagMax: complete && all.max <= TARGETS.lagMaxMs,
    flatWithHistory: flatRatio <= TARGETS.flatWithHistory,
    proportionalToRows: rowsRatio <= TARGETS.rowsScale,
    rewarm: rewarm !== null && rewarm.max <= TARGETS.rewarmMs,
  };
  // beside a repair: every probe sent while it worked counted, none later than the lag max
  const repairRows = phases
    .filter((p) => p.repair)
    .map((p) => {
      const lags = p.lags.perKlip['all three'];
      const counted = lags.notCounted === 0 && lags.wrong === 0 && p.lags.failed === 0 && p.repair.status === 'succeeded';
      const took = secs(Date.parse(p.repair.finishedAt) - Date.parse(p.repair.startedAt));
      const what = counted
        ? `${fmtMs(lags.max)} (p95 ${fmtMs(lags.p95)}; ${p.repair.mode} run ${p.repair.status} in ${took})`
        : `${p.repair.status}; ${lags.notCounted} never counted`;
      return [
        `lag max, all three klips, ${p.label.replace('continuous, ', '')}`,
        what,
        '≤ 60 s',
        verdict(counted && lags.max <= TARGETS.lagMaxMs),
      ];
    });
  const atScale = `${int(history4)} activities`;
  const missed = complete ? '' : ` — ${all.notCounted} probe(s) never counted, ${all.wrong} counted wrong, ${c.lags.failed} refused`;
  lines.push('');
  lines.push('Targets:');
  lines.push(
    ...formatTable(
      ['', 'measured', 'target', ''],
      [
        [`lag p95, all three klips, continuous, at ${atScale}`, `${fmtMs(all.p95)}${missed}`, '≤ 30 s', verdict(checks.lagP95)],
        [`lag max, all three klips, continuous`, fmtMs(all.max), '≤ 60 s', verdict(checks.lagMax)],
        ...repairRows,
        [
          'rollup step at 4× the history / at 1×',
          lagOnly ? 'not measured (--lag-only)' : `${flatRatio.toFixed(2)}× (${int(sets[1].rollupsMs)} / ${int(sets[0].rollupsMs)} ms)`,
          `≤ ${TARGETS.flatWithHistory}×`,
          lagOnly ? '—' : verdict(checks.flatWithHistory),
        ],
        [
          'rollup step with 10× the rows / 1×',
          lagOnly ? 'not measured (--lag-only)' : `${rowsRatio.toFixed(2)}× (${int(sets[2].rollupsMs)} / ${int(sets[1].rollupsMs)} ms)`,
          `≤ ${TARGETS.rowsScale}×`,
          lagOnly ? '—' : verdict(checks.proportionalToRows),
        ],
        [
          `answer re-warm after a load (after steps), continuous, max`,
          rewarm ? `${int(rewarm.max)} ms (median ${int(rewarm.p50)})` : '—',
          '≤ 1 s',
          verdict(checks.rewarm),
        ],
      ],
      () => false,
    ),
  );
  lines.push('');
  lines.push(
    `Data: ${int(history4)} activities in stg.adjust at the service phases (${Math.round(warehouseMb)} MB); generation and COPY ${generation1.toFixed(0)} s + ` +
      `${generation4.toFixed(0)} s; total ${secs(now - startedAt.getTime())}; probe checks answered 408 (asked again after the next load): ${requestTimeouts}; API requests asked again after a reset connection: ${requestResets}`,
  );
  lines.push(...describeTraffic(lagOnly ? historySummary : streamA.summary()).map((line) => `  history (1×): ${line}`));
  console.log('');
  console.log(lines.join('\n'));

  if (!flags['no-results']) {
    await writeResults('freshness', startedAt, {
      serviceBuiltAt: app.builtAt.toISOString(),
      options,
      postgres: db.settings,
      rollups: { sets, full1, rebuild, flatRatio, rowsRatio },
      phases: phases.map(({ probes, ...rest }) => ({
        ...rest,
        probes: probes.map(({ n, ackedAt, sentAt, counted, wrong, failed }) => ({ n, sentAt, ackedAt, counted, wrong, failed })),
      })),
      targets: TARGETS,
      checks,
      printed: lines,
    });
  }
}

await runBench('bench:freshness', main, 'stopping the service and PostgreSQL, removing the temp folder');
