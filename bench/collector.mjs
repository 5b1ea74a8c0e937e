// Benchmark of the Adjust callback collector (issue 3): `npm run bench:collector`, after `npm run build`.
//
// Sends realistic callbacks (bench/adjust-traffic.mjs) with autocannon at 50 connections to
//   1. a bare node:http server that answers 200 without storing (the ceiling),
//   2. a naive handler doing one INSERT per request into the same embedded PostgreSQL (database bench_naive),
//   3. the service itself (`node dist/main.js`) on the embedded default, full durability, loads off
//      (ETL_SCHEDULE=off: the collector alone),
//   4. a second instance of the service with its own embedded PostgreSQL and ETL_SCHEDULE=continuous, so
//      that loads of what it collects (every ETL_MIN_INTERVAL, 10 s) run beside the collector (issue 13);
//      after each of its rounds the benchmark waits until a load started after the round has ended, so
//      its loads never run during another target's round,
// in interleaved rounds (ceiling, naive, service, service with loads, ceiling, …) in the same run, so that
// every figure is printed next to baselines measured under the same conditions on this shared, noisy
// 2-core machine (medians of the rounds, ratios, and CPU time per 1,000 answers, which noise hardly
// moves). Then checks the targets of issue 3: ≥ 3,000 callbacks/s, p99 ≤ 50 ms, zero loss (rows in
// mob.adjust == "stored" answers, and every distinct activity sent answered "stored" exactly once, for
// each instance of the service), and of issue 13: the throughput with continuous loads ≥ 80 % of the
// throughput with loads off.
//
// Flags: --duration <s> (service in total, default 60)  --baseline-duration <s> (each baseline in total, default 20)
//        --rounds <n> (the durations are split into n interleaved rounds, default 3)
//        --warmup <s> (each target, before its first round, default 3)  --connections <n> (default 50)
//        --seed <n> (default 42)  --pool <n> (callback URLs to generate; default 8,000 per second of service load)
//        --only service|loads|ceiling|naive (repeatable; default all four; `loads`: the service with
//        continuous loads)  --no-results (do not write the JSON file)
//        --log-level <level> (the service's LOG_LEVEL, default warn)
//        --service <main.js> (another build of the service, e.g. a patched copy of dist/, to compare settings)
//
// The service runs from a copy of dist/ and sql/ taken at start, in its own working folder (so neither a
// concurrent `npm run build` by someone else nor a developer's .env can change it mid-run).
// Quick run: npm run bench:collector -- --duration 10 --baseline-duration 5 --rounds 1
// Full run: about 4 minutes (60 s of each service, 20 s of each baseline, warm-ups, the loads catching up).
//
// Not part of `npm test`. Results also go to bench/results/collector-<timestamp>.json (ignored by git).

import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';
import { describeTraffic, generateCallbacks } from './adjust-traffic.mjs';
import { NAIVE_TABLE_SQL } from './baseline-server.mjs';
import { median, pad } from './format.mjs';
import {
  BENCH_DIR,
  checkpoint,
  cleanups,
  CLK_TCK,
  gitState,
  machineTicks,
  parseBenchFlags,
  postgresTicks,
  procStat,
  ROOT,
  runBench,
  snapshotService,
  startChild,
  statusKb,
  stopChild,
  walBytesSince,
  walPosition,
  writeResults,
} from './support.mjs';
// the service's own helpers, from the build this benchmark runs (`npm run bench:collector` builds first)
import { freePort, readPostmasterPid } from '../dist/database/embedded-postgres.js';
import { isAlive } from '../dist/database/processes.js';

const TARGETS = { callbacksPerSecond: 3000, p99Ms: 50, withLoadsShare: 0.8 };
const TARGET_KEYS = ['ceiling', 'naive', 'service', 'loads'];
const SERVICES = ['service', 'loads'];
// The callback URLs carry a token as Adjust's do (the service refuses callbacks without one); every target
// gets the same URLs, so the baselines read the same bytes.
const CALLBACK_TOKEN = 'bench-collector-callback-token';
const POOL_PER_SECOND = 8000;

const { flags, fail, positive } = parseBenchFlags('bench:collector', {
  duration: { type: 'string', default: '60' },
  'baseline-duration': { type: 'string', default: '20' },
  rounds: { type: 'string', default: '3' },
  warmup: { type: 'string', default: '3' },
  connections: { type: 'string', default: '50' },
  seed: { type: 'string', default: '42' },
  pool: { type: 'string' },
  only: { type: 'string', multiple: true },
  'no-results': { type: 'boolean', default: false },
  'log-level': { type: 'string', default: 'warn' },
  service: { type: 'string' },
});
const SERVICE_ENTRY = path.resolve(flags.service ?? path.join(ROOT, 'dist', 'main.js'));
const options = {
  duration: positive('duration'),
  baselineDuration: positive('baseline-duration'),
  warmup: Number(flags.warmup) >= 0 ? Number(flags.warmup) : fail('--warmup must be 0 or more seconds'),
  connections: positive('connections'),
  rounds: Math.round(positive('rounds')),
  seed: positive('seed'),
  logLevel: flags['log-level'],
  service: path.relative(ROOT, SERVICE_ENTRY),
};
const only = new Set(flags.only ?? TARGET_KEYS);
for (const target of only) if (!TARGET_KEYS.includes(target)) fail('--only accepts service, loads, ceiling or naive');
options.pool = flags.pool ? positive('pool') : Math.max(50_000, Math.ceil(POOL_PER_SECOND * (options.duration + options.warmup)));

// ---------------------------------------------------------------------------------------------- processes

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitForHttp(url, proc, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let exit = null;
  void proc.exited.then((result) => (exit = result));
  for (;;) {
    if (exit !== null) throw new Error(`${proc.label} exited (${JSON.stringify(exit)}) before answering ${url}:\n${proc.tail.join('\n')}`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
      await response.arrayBuffer();
      if (response.status === 200) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline)
      throw new Error(`${proc.label} did not answer 200 on ${url} within ${timeoutMs / 1000} s:\n${proc.tail.join('\n')}`);
    await sleep(200);
  }
}

// ---------------------------------------------------------------------------------------------- /proc sampling

async function cpuTicks(pid) {
  const times = await procStat(pid);
  return times === null ? 0 : times.utime + times.stime;
}

// Peak resident memory of a process while a phase runs, polled every 200 ms.
function rssSampler(pid) {
  let peakKb = 0;
  const timer = setInterval(() => {
    void statusKb(pid, 'VmRSS').then((kb) => {
      if (kb !== null && kb > peakKb) peakKb = kb;
    });
  }, 200);
  return {
    async stop() {
      clearInterval(timer);
      const kb = await statusKb(pid, 'VmRSS');
      return { peakRssMb: Math.max(peakKb, kb ?? 0) / 1024, hwmMb: ((await statusKb(pid, 'VmHWM')) ?? 0) / 1024 };
    },
  };
}

// CPU used by each party during a phase, in % of one core (the machine has os.cpus().length of them).
async function cpuSnapshot(targetPid, postmasterPid) {
  return {
    at: performance.now(),
    target: await cpuTicks(targetPid),
    postgres: postmasterPid ? await postgresTicks(postmasterPid) : 0,
    self: process.cpuUsage(),
    machine: await machineTicks(),
  };
}

function cpuShares(before, after, { countPostgres }) {
  const seconds = (after.at - before.at) / 1000;
  const pct = (ticks) => (100 * ticks) / CLK_TCK / seconds;
  const selfMicros = after.self.user + after.self.system - before.self.user - before.self.system;
  const target = pct(after.target - before.target);
  const postgres = countPostgres ? pct(after.postgres - before.postgres) : 0;
  const loadGenerator = selfMicros / 1e4 / seconds;
  const machine = pct(after.machine.busy - before.machine.busy);
  return {
    targetPct: target,
    postgresPct: postgres,
    loadGeneratorPct: loadGenerator,
    // everything else on the machine: other tenants, the idle service during baselines, the kernel's share
    otherPct: Math.max(0, machine - target - postgres - loadGenerator),
    machineBusyPct: machine,
    cores: os.cpus().length,
  };
}

// ---------------------------------------------------------------------------------------------- load

// autocannon over the pool of callback URLs: every request takes the next URL (wrapping around at the end
// of the pool). At the end of the duration no new request is started and every one in flight is awaited,
// so that the answers counted are exactly the requests the server handled (autocannon's own stop would
// cut up to `connections` requests off, which the server may still have stored).
function load({ port, traffic, cursor, seconds, connections, outcomes }) {
  const { paths, groups } = traffic;
  const counts = { handedOut: 0, stored: 0, duplicate: 0, other2xx: 0, non2xx: 0, byStatus: {}, wrapped: 0 };
  const clients = [];
  let done = 0;
  let drained;
  const allDone = new Promise((resolve) => (drained = resolve));
  const request = {
    method: 'GET',
    setupRequest(req, context) {
      const position = cursor.next++;
      const index = position % paths.length;
      if (position >= paths.length) counts.wrapped++;
      counts.handedOut++;
      context.index = index;
      req.path = `${paths[index]}&token=${CALLBACK_TOKEN}`;
      return req;
    },
    onResponse(status, body, context) {
      counts.byStatus[status] = (counts.byStatus[status] ?? 0) + 1;
      if (status < 200 || status >= 300) {
        counts.non2xx++;
      } else if (body.includes('"stored"')) {
        counts.stored++;
        if (outcomes) bump(outcomes.stored, groups[context.index]);
      } else if (body.includes('"duplicate"')) {
        counts.duplicate++;
        if (outcomes) bump(outcomes.duplicate, groups[context.index]);
      } else counts.other2xx++;
    },
  };
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let stoppedAt = null;
    let drainedAt = null;
    const stopTimer = setTimeout(() => {
      stoppedAt = performance.now();
      // a client whose request limit is reached closes after its in-flight response instead of sending more
      for (const client of clients) client.responseMax = Math.max(1, client.reqsMade);
    }, seconds * 1000);
    autocannon(
      {
        url: `http://127.0.0.1:${port}`,
        connections,
        pipelining: 1,
        duration: 86_400, // ended by the drain above, never by autocannon's timer
        timeout: 10,
        requests: [request],
        setupClient(client) {
          clients.push(client);
          client.once('done', () => {
            if (++done === connections) {
              drainedAt = performance.now();
              drained();
            }
          });
        },
      },
      (error, result) => {
        clearTimeout(stopTimer);
        if (error) return reject(error);
        void allDone.then(() => {
          const elapsed = ((drainedAt ?? performance.now()) - started) / 1000;
          const answered = counts.stored + counts.duplicate + counts.other2xx;
          resolve({
            seconds: elapsed,
            drainMs: stoppedAt === null ? 0 : drainedAt - stoppedAt,
            requests: counts.handedOut,
            ok2xx: answered,
            ok2xxPerSecond: answered / elapsed,
            stored: counts.stored,
            duplicate: counts.duplicate,
            other2xx: counts.other2xx,
            non2xx: counts.non2xx,
            byStatus: counts.byStatus,
            errors: result.errors,
            timeouts: result.timeouts,
            poolWrapped: counts.wrapped,
            latencyMs: {
              mean: result.latency.average,
              p50: result.latency.p50,
              p90: result.latency.p90,
              p99: result.latency.p99,
              max: result.latency.max,
            },
          });
        });
      },
    );
  });
}

function bump(counters, index) {
  if (counters[index] < 255) counters[index]++;
}

// One measurement of one target: optional warm-up (same URL pool, continuing), then the measured load with
// CPU, RSS and WAL sampling.
async function measure({ name, port, pid, postmasterPid, db, seconds, warmupSeconds, traffic, cursor, outcomes, countPostgres }) {
  const common = { port, traffic, cursor, connections: options.connections, outcomes };
  let warmup = null;
  if (warmupSeconds > 0) {
    process.stdout.write(`  ${name}: warm-up ${warmupSeconds} s… `);
    warmup = await load({ ...common, seconds: warmupSeconds });
    process.stdout.write(`${int(warmup.ok2xxPerSecond)}/s\n`);
  }
  if (postmasterPid) await checkpoint(db);
  process.stdout.write(`  ${name}: ${+seconds.toFixed(1)} s at ${options.connections} connections… `);
  const rss = rssSampler(pid);
  const before = await cpuSnapshot(pid, postmasterPid);
  const walBefore = postmasterPid ? await walPosition(db) : null;
  const run = await load({ ...common, seconds });
  const after = await cpuSnapshot(pid, postmasterPid);
  const memory = await rss.stop();
  const wal = walBefore === null ? null : { bytes: await walBytesSince(db, walBefore) };
  const cpu = cpuShares(before, after, { countPostgres });
  cpu.msPerThousand = (((cpu.targetPct + cpu.postgresPct) / 100) * run.seconds * 1000) / Math.max(1, run.ok2xx / 1000);
  process.stdout.write(`${int(run.ok2xxPerSecond)}/s, p99 ${ms(run.latencyMs.p99)} ms, other work ${int(cpu.otherPct)} % of a core\n`);
  return { name, warmup, ...run, ...memory, cpu, wal };
}

// The rounds of one target: medians of the rates, latencies and CPU shares; sums of the counts (warm-up
// included where answers are compared with rows); maxima of memory.
function aggregate(rounds) {
  const med = (pick) => median(rounds.map(pick));
  const sum = (pick) => rounds.reduce((total, r) => total + pick(r), 0);
  const withWarmup = (pick) => sum(pick) + (rounds[0].warmup ? pick(rounds[0].warmup) : 0);
  return {
    rounds: rounds.length,
    seconds: sum((r) => r.seconds),
    ok2xx: sum((r) => r.ok2xx),
    ok2xxPerSecond: med((r) => r.ok2xxPerSecond),
    overallPerSecond: sum((r) => r.ok2xx) / sum((r) => r.seconds),
    latencyMs: {
      mean: med((r) => r.latencyMs.mean),
      p50: med((r) => r.latencyMs.p50),
      p90: med((r) => r.latencyMs.p90),
      p99: med((r) => r.latencyMs.p99),
      worstP99: Math.max(...rounds.map((r) => r.latencyMs.p99)),
      max: Math.max(...rounds.map((r) => r.latencyMs.max)),
    },
    requestsInclWarmup: withWarmup((r) => r.requests),
    storedInclWarmup: withWarmup((r) => r.stored),
    duplicateInclWarmup: withWarmup((r) => r.duplicate),
    non2xxInclWarmup: withWarmup((r) => r.non2xx),
    errorsInclWarmup: withWarmup((r) => r.errors),
    non2xx: sum((r) => r.non2xx),
    errors: sum((r) => r.errors),
    timeouts: sum((r) => r.timeouts),
    byStatus: rounds.reduce((all, r) => {
      for (const [code, n] of Object.entries(r.byStatus)) all[code] = (all[code] ?? 0) + n;
      return all;
    }, {}),
    poolWrapped: sum((r) => r.poolWrapped),
    drainMs: Math.max(...rounds.map((r) => r.drainMs)),
    peakRssMb: Math.max(...rounds.map((r) => r.peakRssMb)),
    hwmMb: Math.max(...rounds.map((r) => r.hwmMb)),
    cpu: {
      targetPct: med((r) => r.cpu.targetPct),
      postgresPct: med((r) => r.cpu.postgresPct),
      loadGeneratorPct: med((r) => r.cpu.loadGeneratorPct),
      otherPct: med((r) => r.cpu.otherPct),
      machineBusyPct: med((r) => r.cpu.machineBusyPct),
      msPerThousand: med((r) => r.cpu.msPerThousand),
      cores: rounds[0].cpu.cores,
    },
    walBytes: rounds[0].wal === null ? null : sum((r) => r.wal.bytes),
    perRound: rounds,
  };
}

// ---------------------------------------------------------------------------------------------- database

let admin = null; // pg.Client to database adjust of the service (loads off) as postgres
let naiveDb = null; // pg.Client to database bench_naive (the naive baseline's own, so its commits are counted apart)

// A client on database adjust of a service's embedded PostgreSQL, as postgres.
async function connectEmbedded(dataDir) {
  const { pid: postmasterPid, port } = await readPostmasterPid(path.join(dataDir, 'postgres'));
  const password = (await readFile(path.join(dataDir, 'postgres-password'), 'utf8')).trim();
  const url = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/adjust`;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  cleanups.push(() => client.end());
  return { client, url, postmasterPid, port, naiveUrl: url.replace(/\/adjust$/, '/bench_naive') };
}

async function createNaiveDatabase(db) {
  const exists = await admin.query(`SELECT 1 FROM pg_database WHERE datname = 'bench_naive'`);
  if (exists.rowCount === 0) await admin.query('CREATE DATABASE bench_naive');
  naiveDb = new pg.Client({ connectionString: db.naiveUrl });
  await naiveDb.connect();
  cleanups.push(() => naiveDb.end());
  await naiveDb.query(NAIVE_TABLE_SQL);
  await naiveDb.query('TRUNCATE public.bench_naive');
}

async function commitsInAdjust(client) {
  // backends report to pg_stat_database at most once a second: read it a second after the load
  const { rows } = await client.query(`SELECT xact_commit::float8 AS commits FROM pg_stat_database WHERE datname = 'adjust'`);
  return rows[0].commits;
}

// ---------------------------------------------------------------------------------------------- the service

// One instance of the service on the embedded default in its own data folder (its own PostgreSQL), with
// ETL_SCHEDULE `schedule`; stopped, with its PostgreSQL, by the cleanups.
async function startService(app, label, schedule) {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'collector-bench-'));
  cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
  const port = await freePort();
  const env = { ...process.env, DATA_DIR: dataDir, PORT: String(port), DEMO: 'false', LOG_LEVEL: options.logLevel };
  Object.assign(env, { ETL_SCHEDULE: schedule, ETL_RECONCILE_CRON: 'off' });
  const unset = ['DATABASE_URL', 'WAREHOUSE_URL', 'STAGE_URL', 'CALLBACK_TOKEN', 'API_KEYS', 'ADMIN_API_KEYS', 'NODE_OPTIONS'];
  for (const key of [...unset, 'ETL_CRON', 'ETL_MIN_INTERVAL']) delete env[key];
  env.CALLBACK_TOKEN = CALLBACK_TOKEN;
  const service = startChild(label, [app.entry], env, app.root);
  let postmasterPid = null;
  cleanups.push(async () => {
    await stopChild(service);
    // the service stops its PostgreSQL on SIGTERM; after a crash or a kill it would be left running
    if (postmasterPid && isAlive(postmasterPid)) {
      process.kill(postmasterPid, 'SIGINT');
      for (let waited = 0; isAlive(postmasterPid) && waited < 30_000; waited += 200) await sleep(200);
    }
  });
  let startup = performance.now();
  await waitForHttp(`http://127.0.0.1:${port}/api/v1/health`, service, 180_000);
  startup = (performance.now() - startup) / 1000;
  const db = await connectEmbedded(dataDir);
  postmasterPid = db.postmasterPid;
  return { service, port, dataDir, db, startup };
}

// After a round of the service with loads: until a load that started after the round has ended, so that
// its loads do not run during the next target's round. The loads that started during the round, too.
async function loadsCatchUp(client, roundStart, roundEnd) {
  const waited = performance.now();
  for (;;) {
    const { rows } = await client.query(
      `SELECT count(*)::int AS n FROM mob.etl_run WHERE started_at >= $1 AND status IN ('succeeded', 'failed')`,
      [roundEnd],
    );
    if (rows[0].n > 0) break;
    if (performance.now() - waited > 600_000) throw new Error('the continuous loads did not catch up within 10 minutes of the round');
    await sleep(500);
  }
  const { rows } = await client.query(
    `SELECT status, rows_extracted::float8 AS rows, extract(epoch FROM finished_at - started_at)::float8 * 1000 AS ms
     FROM mob.etl_run WHERE started_at >= $1 AND started_at < $2 AND status <> 'skipped' ORDER BY id`,
    [roundStart, roundEnd],
  );
  return { catchUpMs: performance.now() - waited, loads: rows };
}

// Rows in an instance's mob.adjust against its "stored" answers, and every distinct activity sent against
// its answers: each accepted one must have exactly one "stored" answer (its other copies "duplicate").
async function lossOf({ db, outcomes, commitsBefore }, s, traffic) {
  const commits = (await commitsInAdjust(db)) - commitsBefore;
  const rows = Number((await db.query('SELECT count(*) AS n FROM mob.adjust')).rows[0].n);
  const rejected = Number((await db.query('SELECT count(*) AS n FROM mob.rejected_callback')).rows[0].n);
  const sentUpTo = Math.min(traffic.paths.length, s.requestsInclWarmup);
  let activitiesSent = 0;
  let storedOnce = 0;
  let storedTwice = 0;
  let duplicateNeverStored = 0;
  let notAccepted = 0;
  for (let i = 0; i < sentUpTo; i++) {
    if (traffic.groups[i] !== i) continue;
    activitiesSent++;
    if (outcomes.stored[i] === 1) storedOnce++;
    else if (outcomes.stored[i] > 1) storedTwice++;
    else if (outcomes.duplicate[i] > 0) duplicateNeverStored++;
    else notAccepted++; // every copy got a non-2xx (e.g. 503, which Adjust retries)
  }
  return {
    rows,
    storedAnswers: s.storedInclWarmup,
    duplicateAnswers: s.duplicateInclWarmup,
    rejectedRows: rejected,
    non2xx: s.non2xxInclWarmup,
    errors: s.errorsInclWarmup,
    activitiesSent,
    storedOnce,
    storedTwice,
    duplicateNeverStored,
    notAccepted,
    commits,
    rowsPerCommit: commits > 0 ? s.storedInclWarmup / commits : null,
  };
}

// ---------------------------------------------------------------------------------------------- output

// The loads that started during the rounds of the service with loads (per round: a round shorter than
// ETL_MIN_INTERVAL may see none, and then measures the collector without them), and how long the last one
// of each round took to end after it.
function describeLoads(loadRounds) {
  const loads = loadRounds.flatMap((round) => round.loads);
  const done = loads.filter((l) => l.status === 'succeeded');
  const failed = loads.length - done.length;
  const rows = done.reduce((sum, l) => sum + l.rows, 0);
  const runs = done.map((l) => l.ms);
  return (
    `with loads, the loads that started during its rounds: ${loadRounds.map((round) => round.loads.length).join(' + ')} ` +
    `(${failed > 0 ? `${failed} FAILED, ` : ''}${int(rows)} rows` +
    `${runs.length > 0 ? `, ${int(median(runs))} ms median, ${int(Math.max(...runs))} ms max` : ''}); after each round they caught up in ` +
    `${loadRounds.map((round) => `${(round.catchUpMs / 1000).toFixed(1)} s`).join(', ')}`
  );
}

const int = (n) => Math.round(n).toLocaleString('en-US');
// autocannon's latency histogram has whole milliseconds: 0 means under 1 ms
const ms = (n) => (n === 0 ? '<1' : Number.isInteger(n) || n >= 10 ? String(Math.round(n)) : n.toFixed(1));
const mb = (n) => (n > 0 ? `${Math.round(n)} MB` : '—');
const ratio = (a, b) => (b > 0 ? `${(a / b).toFixed(2)}×` : '—');

// "CPU ms/1k": CPU time of the server and its PostgreSQL per 1,000 answers. Unlike req/s it hardly moves
// when other work competes for the machine, so it is the figure to compare between runs and settings.
function table(rows) {
  const header = [
    '',
    '2xx/s',
    'p50 ms',
    'p99 ms',
    'max ms',
    'non-2xx',
    'peak RSS',
    'CPU ms/1k',
    'CPU % of a core: server / postgres / autocannon / other',
  ];
  const lines = rows.map((r) => [
    r.label,
    int(r.ok2xxPerSecond),
    ms(r.latencyMs.p50),
    ms(r.latencyMs.p99),
    ms(r.latencyMs.max),
    int(r.non2xx + r.errors),
    mb(r.peakRssMb),
    int(r.cpu.msPerThousand),
    `${int(r.cpu.targetPct)} / ${r.cpu.postgresPct > 0 ? int(r.cpu.postgresPct) : '—'} / ${int(r.cpu.loadGeneratorPct)} / ${int(r.cpu.otherPct)}`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => String(l[i]).length)));
  const format = (cells) =>
    cells
      .map((c, i) => pad(c, widths[i], i > 0 && i < 8))
      .join('  ')
      .trimEnd();
  return [format(header), ...lines.map(format)];
}

// ---------------------------------------------------------------------------------------------- main

async function main() {
  if (!existsSync(SERVICE_ENTRY)) fail(`${path.relative(process.cwd(), SERVICE_ENTRY)} is missing: run npm run build first`);
  const startedAt = new Date();
  const cores = os.cpus().length;
  console.log(
    `Collector benchmark — ${cores} CPUs (${os.cpus()[0]?.model.trim()}), Node ${process.version}, load average ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  console.log(`Tree: ${gitState()}; service ${options.service}, LOG_LEVEL=${options.logLevel}`);
  console.log(
    `autocannon, ${options.connections} connections, pipelining 1; service ${options.duration} s, baselines ${options.baselineDuration} s each, ` +
      `in ${options.rounds} interleaved round${options.rounds > 1 ? 's' : ''} (${TARGET_KEYS.filter((t) => only.has(t)).join(', ')}), ` +
      `${options.warmup} s warm-up of each before the first`,
  );

  let generation = performance.now();
  const traffic = generateCallbacks({ count: options.pool, seed: options.seed });
  generation = (performance.now() - generation) / 1000;
  console.log(`Generated ${int(options.pool)} callback URLs in ${generation.toFixed(1)} s.`);

  const app = await snapshotService(
    await mkdtemp(path.join(os.tmpdir(), 'collector-bench-app-')),
    path.dirname(SERVICE_ENTRY),
    path.basename(SERVICE_ENTRY),
  );
  cleanups.push(() => rm(app.root, { recursive: true, force: true }));

  // 1. The service on the embedded default, loads off (its PostgreSQL also serves the naive baseline), and
  //    a second instance with continuous loads.
  const first = await startService(app, 'service', 'off');
  const { service, db, startup, dataDir } = first;
  const postmasterPid = db.postmasterPid;
  admin = db.client;
  const withLoads = only.has('loads') ? await startService(app, 'service with loads', 'continuous') : null;
  const settings = (
    await admin.query(`SELECT current_setting('synchronous_commit') AS sc, current_setting('fsync') AS fsync, version() AS version`)
  ).rows[0];
  const idle = await machineTicks();
  await sleep(2000);
  const idleAfter = await machineTicks();
  const busyBefore = (100 * (idleAfter.busy - idle.busy)) / ((idleAfter.total - idle.total) / cores);
  console.log(
    `Service (${options.service} built ${app.builtAt.toISOString()}) up in ${startup.toFixed(1)} s (pid ${service.child.pid}); embedded ${settings.version.split(' ').slice(0, 2).join(' ')} on port ${db.port}, ` +
      `synchronous_commit=${settings.sc}, fsync=${settings.fsync}; data in ${dataDir}`,
  );
  if (withLoads) {
    console.log(
      `Service with loads (ETL_SCHEDULE=continuous, ETL_MIN_INTERVAL unset: 10 s) up in ${withLoads.startup.toFixed(1)} s (pid ${withLoads.service.child.pid}); ` +
        `its own embedded PostgreSQL on port ${withLoads.db.port}; data in ${withLoads.dataDir}`,
    );
  }
  console.log(
    `Machine busy before the load (service idle): ${int(busyBefore)} % of ${100 * cores} %` +
      `${busyBefore > 20 ? ' — other work is running on this machine; compare ratios, not absolute figures' : ''}`,
  );
  console.log('');

  // 2. The baselines, started once and kept up (idle) while the others are measured.
  const targets = [];
  for (const mode of ['ceiling', 'naive']) {
    if (!only.has(mode)) continue;
    if (mode === 'naive') await createNaiveDatabase(db);
    const port = await freePort();
    const baseline = startChild(`${mode} baseline`, [path.join(BENCH_DIR, 'baseline-server.mjs')], {
      ...process.env,
      BASELINE: mode,
      PORT: String(port),
      DATABASE_URL: db.naiveUrl,
    });
    cleanups.push(() => stopChild(baseline, { graceMs: 10_000 }));
    await waitForHttp(`http://127.0.0.1:${port}/ready`, baseline, 30_000);
    targets.push({
      key: mode,
      name: mode === 'ceiling' ? 'bare HTTP ceiling' : 'naive INSERT',
      port,
      pid: baseline.child.pid,
      postmasterPid: mode === 'naive' ? postmasterPid : null,
      db: admin,
      seconds: options.baselineDuration / options.rounds,
      countPostgres: mode === 'naive',
    });
  }
  const instances = { service: first, loads: withLoads };
  for (const key of SERVICES) {
    if (!only.has(key)) continue;
    const instance = instances[key];
    targets.push({
      key,
      name: key === 'service' ? 'service' : 'service with loads',
      port: instance.port,
      pid: instance.service.child.pid,
      postmasterPid: instance.db.postmasterPid,
      db: instance.db.client,
      seconds: options.duration / options.rounds,
      countPostgres: true,
      outcomes: { stored: new Uint8Array(traffic.paths.length), duplicate: new Uint8Array(traffic.paths.length) },
      commitsBefore: await commitsInAdjust(instance.db.client),
    });
  }

  // 3. Rounds: ceiling, naive, service, service with loads, again and again, so that a burst of other work
  //    on the machine hits all alike; each target continues through the URL pool where its previous round
  //    stopped. The loads that a round of the service with loads leaves behind end before the next round.
  for (const target of targets) {
    target.cursor = { next: 0 };
    target.rounds = [];
    target.loadRounds = [];
  }
  for (let round = 0; round < options.rounds; round++) {
    if (options.rounds > 1) console.log(`Round ${round + 1} of ${options.rounds}`);
    for (const target of targets) {
      const roundStart = new Date();
      target.rounds.push(await measure({ ...target, traffic, warmupSeconds: round === 0 ? options.warmup : 0 }));
      if (target.key !== 'loads') continue;
      const loads = await loadsCatchUp(target.db, roundStart, new Date());
      target.loadRounds.push(loads);
      console.log(`  its loads caught up ${(loads.catchUpMs / 1000).toFixed(1)} s after the round`);
    }
  }
  const results = Object.fromEntries(targets.map((target) => [target.key, aggregate(target.rounds)]));

  await sleep(1100); // let pg_stat_database catch up (backends report at most once a second)
  const loss = {};
  for (const target of targets) if (SERVICES.includes(target.key)) loss[target.key] = await lossOf(target, results[target.key], traffic);
  if (results.loads) results.loads.loadRounds = targets.find((t) => t.key === 'loads').loadRounds;
  if (results.naive) {
    results.naive.rows = Number((await naiveDb.query('SELECT count(*) AS n FROM public.bench_naive')).rows[0].n);
  }

  // ------------------------------------------------------------------------------------------ report
  const labels = {
    service: 'service (NestJS + embedded PG)',
    loads: 'service with continuous loads',
    ceiling: 'bare HTTP ceiling',
    naive: 'naive INSERT per request',
  };
  const rows = ['service', 'loads', 'ceiling', 'naive'].filter((t) => results[t]).map((t) => ({ ...results[t], label: labels[t] }));
  const s = results.service;
  const lines = [];
  if (options.rounds > 1) lines.push(`Medians of ${options.rounds} rounds (max ms and peak RSS: the highest round):`);
  lines.push(...table(rows));
  if (s) {
    const parts = [];
    if (results.ceiling)
      parts.push(
        `service/ceiling ${ratio(s.ok2xxPerSecond, results.ceiling.ok2xxPerSecond)} throughput, ${ratio(s.latencyMs.p99, results.ceiling.latencyMs.p99)} p99`,
      );
    if (results.naive)
      parts.push(
        `service/naive ${ratio(s.ok2xxPerSecond, results.naive.ok2xxPerSecond)} throughput, ${ratio(s.latencyMs.p99, results.naive.latencyMs.p99)} p99`,
      );
    if (parts.length > 0) lines.push(parts.join('; '));
  }
  if (options.rounds > 1) {
    lines.push('per round (2xx/s · p99 ms · CPU % of a core taken by other work):');
    for (const r of rows) {
      const cells = r.perRound.map((round) => `${int(round.ok2xxPerSecond)} · ${ms(round.latencyMs.p99)} · ${int(round.cpu.otherPct)}`);
      lines.push(`  ${pad(r.label, 32)}${cells.join('   ')}`);
    }
  }
  const verdict = (ok) => (ok ? 'PASS' : 'FAIL');
  for (const key of SERVICES) {
    const r = results[key];
    if (!r) continue;
    const l = loss[key];
    lines.push('');
    r.checks = { zeroLoss: l.rows === l.storedAnswers && l.storedTwice === 0 && l.duplicateNeverStored === 0 };
    if (key === 'service') {
      const rate = r.ok2xxPerSecond;
      r.checks.throughput = rate >= TARGETS.callbacksPerSecond;
      r.checks.p99 = r.latencyMs.p99 <= TARGETS.p99Ms; // the median round; the worst round is printed next to it
      lines.push(
        `≥ ${int(TARGETS.callbacksPerSecond)} callbacks/s: ${verdict(r.checks.throughput)} (${int(rate)}/s${options.rounds > 1 ? ' median' : ''}; ` +
          `${int(r.ok2xx)} answers in ${r.seconds.toFixed(1)} s = ${int(r.overallPerSecond)}/s overall)`,
      );
      lines.push(
        `p99 ≤ ${TARGETS.p99Ms} ms: ${verdict(r.checks.p99)} (p99 ${ms(r.latencyMs.p99)} ms${options.rounds > 1 ? ` median, worst round ${ms(r.latencyMs.worstP99)} ms` : ''}; ` +
          `p50 ${ms(r.latencyMs.p50)} ms)`,
      );
    } else if (s) {
      const share = r.ok2xxPerSecond / s.ok2xxPerSecond;
      r.checks.withLoadsShare = share >= TARGETS.withLoadsShare;
      lines.push(
        `with continuous loads ≥ ${100 * TARGETS.withLoadsShare} % of the throughput with loads off: ${verdict(r.checks.withLoadsShare)} ` +
          `(${(100 * share).toFixed(1)} %: ${int(r.ok2xxPerSecond)}/s against ${int(s.ok2xxPerSecond)}/s${options.rounds > 1 ? ', medians' : ''}; ` +
          `p99 ${ms(r.latencyMs.p99)} ms against ${ms(s.latencyMs.p99)} ms)`,
      );
    }
    lines.push(
      `${key === 'service' ? '' : 'with loads, '}zero loss (rows == stored answers): ${verdict(r.checks.zeroLoss)} (${int(l.rows)} rows in mob.adjust, ${int(l.storedAnswers)} "stored" + ` +
        `${int(l.duplicateAnswers)} "duplicate" answers incl. warm-up, ${int(l.non2xx)} non-2xx, ${int(l.errors)} errors; ` +
        `${int(l.storedOnce)} of ${int(l.activitiesSent)} distinct activities sent answered "stored" exactly once` +
        `${l.storedTwice > 0 ? `, ${int(l.storedTwice)} more than once` : ''}` +
        `${l.duplicateNeverStored > 0 ? `, ${int(l.duplicateNeverStored)} only "duplicate" and never "stored"` : ''}` +
        `${l.notAccepted > 0 ? `, ${int(l.notAccepted)} refused on every copy (non-2xx)` : ''})`,
    );
    lines.push(
      `${key === 'service' ? 'service' : 'with loads'} detail: ${int(l.commits)} commits in database adjust (≈ ${l.rowsPerCommit?.toFixed(1) ?? '—'} rows per commit), ` +
        `${int(r.walBytes / 1024 / 1024)} MB WAL (${int(r.walBytes / Math.max(1, r.storedInclWarmup - (r.perRound[0].warmup?.stored ?? 0)))} bytes/row), ` +
        `VmHWM ${mb(r.hwmMb)}, machine busy ${int(r.cpu.machineBusyPct)} % of ${int(100 * r.cpu.cores)} %, drain ${int(r.drainMs)} ms` +
        `${r.poolWrapped > 0 ? `; the URL pool wrapped: ${int(r.poolWrapped)} requests re-sent earlier URLs (answered "duplicate")` : ''}`,
    );
    if (key === 'loads') lines.push(describeLoads(r.loadRounds));
  }
  if (results.naive) {
    const n = results.naive;
    lines.push(
      `naive detail: ${int(n.rows)} rows in bench_naive, ${int(n.storedInclWarmup)} "stored" answers incl. warm-up, ` +
        `${int(n.walBytes / Math.max(1, n.storedInclWarmup - (n.perRound[0].warmup?.stored ?? 0)))} bytes WAL/row`,
    );
  }
  lines.push('');
  lines.push(...describeTraffic(traffic.summary).map((line, i) => (i === 0 ? `Dataset: ${line}` : `  ${line}`)));

  console.log('');
  console.log(lines.join('\n'));

  if (!flags['no-results']) {
    await writeResults('collector', startedAt, {
      serviceBuiltAt: app.builtAt.toISOString(),
      machineBusyBeforePct: busyBefore,
      options,
      postgres: { version: settings.version, synchronousCommit: settings.sc, fsync: settings.fsync },
      serviceStartupSeconds: startup,
      dataset: { ...traffic.summary, generationSeconds: generation },
      targets: TARGETS,
      results,
      loss,
      printed: lines,
    });
  }
}

await runBench('bench:collector', main, 'stopping servers and removing the data folder');
