// Benchmark of the ETL (source mob.adjust → staged gzip parts → warehouse stg.adjust): `npm run bench:etl`.
//
// On one embedded PostgreSQL in a temporary folder (source database `adjust`, warehouse `warehouse`, and
// `warehouse4x`, a copy of the warehouse made 4× larger):
//   1. generates 7 days of realistic activities (bench/adjust-traffic.mjs, seeded, moved to their arrival
//      times with a daily cycle, parsed by the service's own parser) and COPYs them into mob.adjust;
//   2. first full load: `node dist/cli/etl.js --once` on an empty warehouse, timed end to end (process
//      start to exit), with the process's peak RSS: extract, stage, load, merge *and the first build of
//      every rollup* (its rate and where its time goes, statement by statement, printed after it); next
//      to the physical limit: a bare COPY … FROM STDIN of the same rows (exported beforehand, in the
//      extract's own format, untimed) into an unindexed table with stg.adjust's columns in the warehouse;
//   3. incremental: 10 minutes' worth of new activities (rows / 1008), then `--once` (arrival mode) on the
//      warehouse and on `warehouse4x` (a copy of it after the full load with 3 more copies of its rows,
//      moved 7, 14 and 21 days back, ids below every source id), in alternating order, so that both see
//      the same rows and the same machine, after two untimed rounds: does the run stay flat at 4× the warehouse?
//   4. the original job's way on the same data: `--once --window 7` (re-extract 7 days, delete and
//      re-insert them), the baseline of the incremental run.
// Then checks the targets: full load with the rollup build ≥ 25 % of the bare COPY's rows/s (and prints
// the build's rate against ≥ 100,000 activities/s); incremental ≤ 5 % of the window run's wall time and
// flat (≤ 1.5×) at 4× the warehouse; peak RSS of the ETL process ≤ 300 MB.
//
// Flags: --rows <n> (default 2,000,000)  --quick (200,000 rows)  --seed <n> (default 42)
//        --rounds <n> (every timed phase)  --incremental-rounds <n> (default 5)
//        --full-rounds <n> (bare COPY, full load and window run; default 1)
//        --fsync on|off (default on, as the service's embedded server)  --keep (leave the temp folder)
//        --no-results (do not write bench/results/etl-<timestamp>.json, which git ignores)
//
// Every ETL run is a fresh process on a private copy of dist/ and sql/ (so a concurrent `npm run build`
// cannot change it mid-run). Before each timed step the server is CHECKPOINTed, so one step's dirty pages
// are not written during the next one's timing; before the incremental and window phases the warehouse
// gets the VACUUM ANALYZE autovacuum would have given it between runs 10 minutes apart (untimed).
// Not part of `npm test`.

import { spawn } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { mkdir, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { pathToFileURL } from 'node:url';
import { Logger } from '@nestjs/common';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { COPY_ACTIVITIES_SQL, createActivityStream, DAY_MS, diurnalSlots, SLOT_MS } from './adjust-activities.mjs';
import { describeTraffic } from './adjust-traffic.mjs';
import { connect, scalar, startPostgres, tableMb, withDatabase } from './history.mjs';
import { describeBuild, formatTable, median, pad } from './format.mjs';
import {
  BENCH_DIR,
  checkpoint,
  cleanups,
  CLK_TCK,
  copyLines,
  describeMachine,
  gitState,
  machineLine,
  machineTicks,
  parseBenchFlags,
  postgresTicks,
  ROOT,
  runBench,
  snapshotService,
  statusKb,
  tempFolder,
  walBytesSince,
  walPosition,
  writeResults,
} from './support.mjs';
// the service's own helpers, from the build this benchmark runs (`npm run bench:etl` builds first)
import { ENVIRONMENT_KEYS, loadConfig } from '../dist/config/app-config.js';
import { Connections } from '../dist/database/connections.js';
import { EmbeddedPostgres, readPostmasterPid } from '../dist/database/embedded-postgres.js';
import { SWAPPED_TABLES } from '../dist/etl/warehouse/shadow-tables.js';

const ENTRY = path.join(ROOT, 'dist', 'cli', 'etl.js');
const PROBE = pathToFileURL(path.join(BENCH_DIR, 'etl-probe.mjs')).href;
const TARGETS = { fullLoadShareOfCopy: 0.25, incrementalShareOfWindow: 0.05, flatAt4x: 1.5, peakRssMb: 300 };
const DAYS = 7;
const SLOTS_PER_WEEK = (DAYS * DAY_MS) / SLOT_MS; // 1008 ten-minute slots
// untimed incremental rounds before the timed ones, one with each warehouse first: the first round after
// the 4× copy was the slow one in every run that had a single warm-up
const WARM_UP_ROUNDS = 2;
const COPY_ID_STEP = 10_000_000_000; // the 4× copies get ids id − k·10^10: below every source id, never replaced

const { flags, fail, positive } = parseBenchFlags('bench:etl', {
  rows: { type: 'string' },
  quick: { type: 'boolean', default: false },
  seed: { type: 'string', default: '42' },
  rounds: { type: 'string' },
  'incremental-rounds': { type: 'string' },
  'full-rounds': { type: 'string' },
  fsync: { type: 'string', default: 'on' },
  keep: { type: 'boolean', default: false },
  'no-results': { type: 'boolean', default: false },
});
const options = {
  rows: flags.rows !== undefined ? Math.round(positive('rows')) : flags.quick ? 200_000 : 2_000_000,
  seed: Math.round(positive('seed')),
  incrementalRounds: Math.round(positive(flags['incremental-rounds'] !== undefined ? 'incremental-rounds' : 'rounds', 5)),
  fullRounds: Math.round(positive(flags['full-rounds'] !== undefined ? 'full-rounds' : 'rounds', 1)),
  fsync: ['on', 'off'].includes(flags.fsync) ? flags.fsync : fail('--fsync takes on or off'),
};
options.slotRows = Math.max(1, Math.round(options.rows / SLOTS_PER_WEEK));
if (options.rows < 10 * SLOTS_PER_WEEK) fail(`--rows must be at least ${10 * SLOTS_PER_WEEK} (ten per 10-minute slot)`);

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------------------------- databases

let postmasterPid = 0;
let source = null; // pg.Client, database adjust
let warehouse = null; // pg.Client, database warehouse (server.warehouse too: cloneWarehouse reconnects it)
let warehouse4x = null; // pg.Client, database warehouse4x (made by cloneWarehouse)
let server = null; // what bench/history.mjs's startPostgres started: URLs, settings, the clients above

async function startServer(tempRoot) {
  server = await startPostgres(EmbeddedPostgres, tempRoot, options.fsync === 'off' ? ['-c', 'fsync=off'] : []);
  postmasterPid = (await readPostmasterPid(path.join(tempRoot, 'postgres'))).pid;
  ({ source, warehouse } = server);
  cleanups.push(async () => warehouse4x?.end());
  return { ...server, warehouse4xUrl: withDatabase(server.adminUrl, 'warehouse4x') };
}

async function countRows(client, table) {
  return Number(await scalar(client, `SELECT count(*)::float8 FROM ${table}`));
}

// ---------------------------------------------------------------------------------------------- the service

// The ETL's environment: only what this benchmark sets, the defaults for everything else.
function serviceEnv(db, dataDir, warehouseUrl = db.warehouseUrl) {
  const env = { ...process.env };
  for (const key of Object.keys(env)) if (ENVIRONMENT_KEYS.includes(key) || key === 'NODE_OPTIONS' || key.startsWith('PG')) delete env[key];
  return {
    ...env,
    DATABASE_URL: db.sourceUrl,
    WAREHOUSE_URL: warehouseUrl,
    ADMIN_API_KEYS: 'bench-etl-admin-key-not-secret',
    // the activities are written to the source directly: no callback reaches this service
    CALLBACK_TOKEN: 'none',
    DATA_DIR: dataDir,
    ETL_SCHEDULE: 'off',
    ETL_RECONCILE_CRON: 'off',
    LOG_LEVEL: 'warn',
  };
}

// The service's migrations on both databases, exactly as a start applies them.
async function migrate(env, cwd) {
  Logger.overrideLogger(['error', 'warn']);
  const connections = await Connections.open(loadConfig(env, cwd));
  await connections.close();
}

let runCounter = 0;

// One ETL run as the operator starts it: `node dist/cli/etl.js --once [args]`, timed from spawn to exit.
// Peak RSS: VmRSS polled every 100 ms, and VmHWM read by the process itself at exit (bench/etl-probe.mjs).
async function runEtl(app, env, tempRoot, label, args = []) {
  await checkpoint(source); // one cluster: this writes the warehouse's pages too
  const probeFile = path.join(tempRoot, `probe-${++runCounter}.json`);
  const lsn = await walPosition(source);
  const pgBefore = await postgresTicks(postmasterPid);
  const machineBefore = await machineTicks();
  const started = performance.now();
  const spawnedAt = Date.now();
  const child = spawn(process.execPath, ['--import', PROBE, app.entry, '--once', ...args], {
    cwd: app.root,
    env: { ...env, BENCH_PROBE_FILE: probeFile },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = [];
  const keep = (chunk) => {
    output.push(
      ...chunk
        .toString()
        .split('\n')
        .filter((line) => line.trim() !== ''),
    );
    if (output.length > 40) output.splice(0, output.length - 40);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const stopOnCleanup = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  };
  cleanups.push(stopOnCleanup);
  let peakKb = 0;
  const poll = setInterval(() => {
    void statusKb(child.pid, 'VmRSS').then((kb) => {
      if (kb !== null && kb > peakKb) peakKb = kb;
    });
  }, 100);
  const exit = await new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const wallMs = performance.now() - started;
  const exitedAt = Date.now();
  clearInterval(poll);
  cleanups.splice(cleanups.indexOf(stopOnCleanup), 1);
  await sleep(300); // the run's backends exit after its connections close: let their CPU reach the postmaster
  const pgTicks = (await postgresTicks(postmasterPid)) - pgBefore;
  const machineAfter = await machineTicks();
  const probe = JSON.parse(await readFile(probeFile, 'utf8').catch(() => '{}'));
  const walBytes = await walBytesSince(source, lsn);
  const { rows } = await source.query(
    `SELECT id, status, mode, rows_extracted::float8 AS rows_extracted, rows_loaded::float8 AS rows_loaded, staged_files,
            staged_bytes::float8 AS staged_bytes, cardinality(days_refreshed) AS days, step_ms, rollup_ms, error,
            extract(epoch FROM finished_at - started_at) * 1000 AS run_ms,
            extract(epoch FROM started_at) * 1000 AS started_ms, extract(epoch FROM finished_at) * 1000 AS finished_ms
     FROM mob.etl_run ORDER BY id DESC LIMIT 1`,
  );
  const record = rows[0];
  if (exit.code !== 0 || record?.status !== 'succeeded') {
    throw new Error(
      `${label}: the ETL exited with ${JSON.stringify(exit)}, run ${record?.id} ${record?.status}: ${record?.error ?? ''}\n${output.join('\n')}`,
    );
  }
  const seconds = wallMs / 1000;
  const result = {
    label,
    args,
    runId: Number(record.id),
    mode: record.mode,
    wallMs,
    runMs: Number(record.run_ms),
    // the process around the run (same host clock): Node, Nest and both connections (with their migration
    // check) before the run's record opens; closing the lease, staged-file retention, the pools, exit after
    startupMs: Number(record.started_ms) - spawnedAt,
    exitMs: exitedAt - Number(record.finished_ms),
    rowsExtracted: record.rows_extracted,
    rowsLoaded: record.rows_loaded,
    stagedFiles: record.staged_files,
    stagedBytes: record.staged_bytes,
    daysRefreshed: record.days,
    stepMs: record.step_ms,
    rollupMs: record.rollup_ms,
    peakRssMb: Math.max(peakKb, probe.vmHwmKb ?? 0, probe.maxRssKb ?? 0) / 1024,
    polledPeakRssMb: peakKb / 1024,
    hwmAtExitMb: (probe.vmHwmKb ?? 0) / 1024,
    cpu: {
      etlPctOfCore: probe.cpuUs ? probe.cpuUs / 1e4 / seconds : null,
      postgresPctOfCore: (100 * pgTicks) / CLK_TCK / seconds,
      machineBusyPct: (100 * (machineAfter.busy - machineBefore.busy)) / CLK_TCK / seconds,
    },
    walBytes,
    output: output.at(-1) ?? '',
  };
  process.stdout.write(
    `  ${pad(label, 30)} ${pad(secs(wallMs), 8, true)} wall (run ${secs(result.runMs)}), ${int(result.rowsExtracted)} rows, ` +
      `peak RSS ${mb(result.peakRssMb)}; ${steps(result.stepMs)}\n`,
  );
  return result;
}

// ---------------------------------------------------------------------------------------------- data

// The 7-day history: arrivals over the 7 days that end 15 minutes ago, slot by slot with the daily cycle.
async function loadHistory(stream, endMs) {
  const { startMs, slotMs, counts } = diurnalSlots(options.rows, endMs, DAYS);
  const arrivals = new Float64Array(options.rows);
  let i = 0;
  for (let slot = 0; slot < counts.length; slot++) {
    for (let k = 0; k < counts[slot]; k++) arrivals[i++] = startMs + slot * slotMs + Math.floor(((k + 0.5) * slotMs) / counts[slot]);
  }
  const rows = await copyLines(source, COPY_ACTIVITIES_SQL, options.rows, (n) => stream.next(arrivals[n]));
  return { rows, startMs, endMs, busiestSlot: Math.max(...counts), quietestSlot: Math.min(...counts) };
}

// 10 minutes' worth of new activities (rows / 1008), arrived over the last 10 minutes: as the collector
// would have stored them between two scheduled runs.
async function addSlot(stream) {
  const endMs = Date.now();
  const count = options.slotRows;
  return copyLines(source, COPY_ACTIVITIES_SQL, count, (k) => stream.next(endMs - SLOT_MS + Math.floor(((k + 1) * SLOT_MS) / count)));
}

// The extract's own statement (sql/etl/extract/activities.sql) over every row, into a file: the input of
// the bare-COPY baseline, byte for byte what the ETL reads from the source. The statements come from the
// service's snapshot (`appRoot`), filled in by its own code: its SqlCatalog reads the sql/ beside its dist/.
async function exportActivities(appRoot, file) {
  const snapshotModule = (...parts) => import(pathToFileURL(path.join(appRoot, 'dist', ...parts)).href);
  const { SqlCatalog, fillPlaceholders } = await snapshotModule('database', 'sql-catalog.js');
  const { boundLiterals } = await snapshotModule('etl', 'extract', 'source-extractor.js');
  const sql = new SqlCatalog();
  await source.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  try {
    // everything: after id 0, no earlier snapshot, no window; the literals as the extract writes them
    const { rows } = await source.query(sql.get('etl/extract/set-bounds'), ['0', null]);
    const copy = source.query(copyTo(fillPlaceholders(sql.get('etl/extract/activities'), boundLiterals(rows[0], null))));
    await pipeline(copy, createWriteStream(file));
    await source.query('COMMIT');
    return copy.rowCount;
  } catch (error) {
    await source.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

// The physical limit: the same rows into a regular table with stg.adjust's columns and no index.
async function bareCopy(file, label) {
  await warehouse.query('DROP TABLE IF EXISTS public.bench_bare_copy');
  await warehouse.query('CREATE TABLE public.bench_bare_copy (LIKE stg.adjust)');
  await checkpoint(source);
  const lsn = await walPosition(source);
  const pgBefore = await postgresTicks(postmasterPid);
  const started = performance.now();
  const copy = warehouse.query(copyFrom(`COPY public.bench_bare_copy FROM STDIN WITH (FORMAT text, DELIMITER '|')`));
  await pipeline(createReadStream(file, { highWaterMark: 1 << 20 }), copy);
  const wallMs = performance.now() - started;
  const pgTicks = (await postgresTicks(postmasterPid)) - pgBefore;
  const result = {
    label,
    wallMs,
    rows: copy.rowCount,
    rowsPerSecond: copy.rowCount / (wallMs / 1000),
    tableMb: await tableMb(warehouse, 'public.bench_bare_copy'),
    walBytes: await walBytesSince(source, lsn),
    postgresPctOfCore: (100 * pgTicks) / CLK_TCK / (wallMs / 1000),
  };
  await warehouse.query('DROP TABLE public.bench_bare_copy');
  process.stdout.write(
    `  ${pad(label, 30)} ${pad(secs(wallMs), 8, true)} wall, ${int(result.rows)} rows, ${int(result.rowsPerSecond)} rows/s\n`,
  );
  return result;
}

// An empty warehouse again, for another round of the first full load: the rows, the rollups and their
// build record (SWAPPED_TABLES, what a repair replaces), and the load records. With the rollups left,
// the next round recounted them instead of building them (a round 1.2–1.3× slower). Then vacuum(), as
// autovacuum would: left pending, the previous round's rows made it analyze the tables during the next
// round, where it sees none of that round's uncommitted rows and records them as empty (0 rows in
// thousands of pages), and a build statement planned after that ran for over 20 minutes instead of 2 s.
async function emptyWarehouse() {
  await warehouse.query(`TRUNCATE ${[...SWAPPED_TABLES, 'stg.load'].join(', ')}`);
  await vacuum(warehouse);
}

// VACUUM ANALYZE, untimed, before timed runs: what autovacuum does between two runs 10 minutes apart
// (the service's own maintenance is a daily ANALYZE), so that no run pays for an earlier run's dead rows
// or plans with statistics autovacuum would have renewed. Every table a load changes, rollups included:
// with stg.adjust alone, the 4× copy (made from the warehouse right after its first load) had no
// statistics on stg.active_device until autovacuum came by during the timed rounds, and until then
// planned the active-window changes as a scan of every device's last 30 days (0.8 s against 0.15 s).
async function vacuum(client) {
  await client.query(`VACUUM (ANALYZE) ${SWAPPED_TABLES.join(', ')}`);
}

// warehouse4x: a copy of the warehouse database as the full load left it (same rows, same resume point).
async function cloneWarehouse(warehouse4xUrl) {
  await warehouse.end();
  const admin = await connect(server.adminUrl);
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        await admin.query('CREATE DATABASE warehouse4x TEMPLATE warehouse');
        break;
      } catch (error) {
        // an autovacuum worker may be visiting the template for a moment
        if (attempt === 20 || !/being accessed by other users/.test(error.message)) throw error;
        await sleep(500);
      }
    }
  } finally {
    await admin.end();
    warehouse = server.warehouse = await connect(server.warehouseUrl);
  }
  warehouse4x = await connect(warehouse4xUrl);
}

// The warehouse 4× larger: three more copies of its rows, 7, 14 and 21 days older, ids below every source
// id (so no incremental run ever replaces them), then VACUUM ANALYZE.
async function enlargeWarehouse(client, factor) {
  const { rows: columns } = await client.query(
    `SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'stg' AND table_name = 'adjust' ORDER BY ordinal_position`,
  );
  const names = columns.map((c) => c.column_name);
  const started = performance.now();
  for (let k = 1; k < factor; k++) {
    const expressions = columns.map(({ column_name: name, data_type: type }) => {
      if (name === 'id') return `id - ${k}::bigint * ${COPY_ID_STEP}`;
      if (type.startsWith('timestamp')) return `${name} - interval '${7 * k} days'`;
      return name;
    });
    await client.query(`INSERT INTO stg.adjust (${names.join(', ')}) SELECT ${expressions.join(', ')} FROM stg.adjust WHERE id > 0`);
  }
  await vacuum(client);
  return (performance.now() - started) / 1000;
}

// ---------------------------------------------------------------------------------------------- output

const int = (n) => Math.round(n).toLocaleString('en-US');
const secs = (ms) => (ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${(ms / 1000).toFixed(2)} s`);
const mb = (n) => `${Math.round(n)} MB`;
const pct = (n) => `${(100 * n).toFixed(n < 0.1 ? 2 : 1)} %`;
const STEP_ORDER = ['lease', 'extract', 'stage', 'load', 'merge', 'maintain'];
const steps = (stepMs) =>
  STEP_ORDER.filter((s) => stepMs[s] !== undefined)
    .map((s) => `${s} ${int(stepMs[s])}`)
    .join(' · ') + ' ms';

// Medians of the rounds of one kind of run (peak RSS: the highest round).
function summarize(runs) {
  const med = (pick) => median(runs.map(pick));
  return {
    rounds: runs.length,
    wallMs: med((r) => r.wallMs),
    runMs: med((r) => r.runMs),
    rowsExtracted: med((r) => r.rowsExtracted),
    stagedBytes: med((r) => r.stagedBytes),
    stepMs: Object.fromEntries(STEP_ORDER.filter((s) => runs[0].stepMs[s] !== undefined).map((s) => [s, med((r) => r.stepMs[s] ?? 0)])),
    startupMs: med((r) => r.startupMs),
    exitMs: med((r) => r.exitMs),
    peakRssMb: Math.max(...runs.map((r) => r.peakRssMb)),
    etlCpuPct: med((r) => r.cpu.etlPctOfCore ?? 0),
    postgresCpuPct: med((r) => r.cpu.postgresPctOfCore),
    machineBusyPct: med((r) => r.cpu.machineBusyPct),
    walMb: med((r) => r.walBytes) / 2 ** 20,
    perRound: runs,
  };
}

// ---------------------------------------------------------------------------------------------- main

async function main() {
  if (!existsSync(ENTRY)) fail(`${path.relative(process.cwd(), ENTRY)} is missing: run npm run build first`);
  const startedAt = new Date();
  const cores = os.cpus().length;
  console.log(machineLine('ETL benchmark'));
  console.log(
    `Tree: ${gitState()}; ${int(options.rows)} rows over ${DAYS} days (seed ${options.seed}), ${int(options.slotRows)} per 10-minute increment; ` +
      `rounds: ${options.fullRounds} full-size (bare COPY, full load, window run), ${options.incrementalRounds} incremental (+${WARM_UP_ROUNDS} warm-up) at 1× and 4×`,
  );

  const tempRoot = await tempFolder('etl-bench-', flags.keep);
  const appRoot = path.join(tempRoot, 'app');
  await mkdir(appRoot);
  const app = await snapshotService(appRoot, path.join(ROOT, 'dist'), path.join('cli', 'etl.js'));
  const dataDir = path.join(tempRoot, 'etl-data');

  const db = await startServer(tempRoot);
  const s = db.settings;
  console.log(
    `Embedded ${s.version.split(' ').slice(0, 2).join(' ')} on port ${db.port} in ${tempRoot}: fsync=${s.fsync}` +
      `${s.fsync === 'off' ? ' (OFF: durability is not what production has; figures are optimistic for both sides)' : ''}, ` +
      `shared_buffers=${s.shared_buffers}, max_wal_size=${s.max_wal_size}, wal_level=${s.wal_level}, autovacuum=${s.autovacuum}; ` +
      `source and warehouse are two databases of this one server`,
  );
  const env = serviceEnv(db, dataDir);
  await migrate(env, app.root);

  const idle = await machineTicks();
  await sleep(2000);
  const idleAfter = await machineTicks();
  const busyBefore = (100 * (idleAfter.busy - idle.busy)) / ((idleAfter.total - idle.total) / cores);
  console.log(
    `Machine busy before the benchmark: ${int(busyBefore)} % of ${100 * cores} %` +
      `${busyBefore > 20 ? ' — other work is running on this machine; compare ratios, not absolute figures' : ''}`,
  );

  // 1. The source: 7 days of activities.
  console.log('');
  process.stdout.write(`Generating and loading ${int(options.rows)} activities into mob.adjust… `);
  let phase = performance.now();
  const stream = createActivityStream({ seed: options.seed });
  const history = await loadHistory(stream, Date.now() - 15 * 60_000);
  await source.query('VACUUM (ANALYZE) mob.adjust');
  await checkpoint(source);
  const sourceMb = await tableMb(source, 'mob.adjust');
  const loadSeconds = (performance.now() - phase) / 1000;
  console.log(`${loadSeconds.toFixed(1)} s (${int(history.rows / loadSeconds)} rows/s incl. generation and parsing)`);
  const dataset = {
    rows: history.rows,
    arrivals: { from: new Date(history.startMs).toISOString(), to: new Date(history.endMs).toISOString() },
    rowsPerSlot: { average: options.slotRows, busiest: history.busiestSlot, quietest: history.quietestSlot },
    sourceTableMb: sourceMb,
    loadSeconds,
  };
  const createdRange = (await source.query('SELECT min(created_at) AS first, max(created_at) AS last FROM mob.adjust')).rows[0];
  console.log(
    `Source: ${int(history.rows)} rows, ${mb(sourceMb)} with indexes; arrivals ${dataset.arrivals.from} → ${dataset.arrivals.to} ` +
      `(10-minute slots from ${int(history.quietestSlot)} to ${int(history.busiestSlot)} rows), created_at ${createdRange.first.toISOString()} → ${createdRange.last.toISOString()}`,
  );

  // 2. First full load, next to a bare COPY of the same rows.
  const exportFile = path.join(tempRoot, 'extract.copy');
  phase = performance.now();
  const exported = await exportActivities(app.root, exportFile);
  const exportBytes = (await stat(exportFile)).size;
  const exportMs = performance.now() - phase;
  console.log(
    `Exported the extract's ${int(exported)} rows for the baseline (${mb(exportBytes / 2 ** 20)}, ${int(exportBytes / exported)} bytes/row) ` +
      `in ${secs(exportMs)} (not part of any figure)`,
  );
  console.log('');
  console.log('First full load (arrival mode on an empty warehouse) and the bare COPY:');
  const bare = [];
  const full = [];
  for (let round = 0; round < options.fullRounds; round++) {
    const suffix = options.fullRounds > 1 ? ` #${round + 1}` : '';
    bare.push(await bareCopy(exportFile, `bare COPY FROM STDIN${suffix}`));
    if (round > 0) await emptyWarehouse();
    full.push(await runEtl(app, env, tempRoot, `full load${suffix}`));
    for (const line of describeBuild(full.at(-1))) console.log(`    ${line}`);
  }
  await rm(exportFile, { force: true });
  const warehouseRows = await countRows(warehouse, 'stg.adjust');
  const warehouseMb = await tableMb(warehouse, 'stg.adjust');
  if (warehouseRows !== history.rows)
    throw new Error(`the full load left ${warehouseRows} rows in stg.adjust, the source has ${history.rows}`);
  console.log(`  warehouse: ${int(warehouseRows)} rows in stg.adjust, ${mb(warehouseMb)} with indexes`);

  // 3. Incremental runs on the warehouse and on a copy of it 4× larger, alternating.
  await vacuum(warehouse);
  console.log('');
  process.stdout.write(
    'Copying the warehouse to warehouse4x and making the copy 4× larger (3 more copies of its rows, 7/14/21 days older)… ',
  );
  phase = performance.now();
  await cloneWarehouse(db.warehouse4xUrl);
  await enlargeWarehouse(warehouse4x, 4);
  const enlargeSeconds = (performance.now() - phase) / 1000;
  const bigRows = await countRows(warehouse4x, 'stg.adjust');
  const bigMb = await tableMb(warehouse4x, 'stg.adjust');
  console.log(`${enlargeSeconds.toFixed(1)} s: ${int(bigRows)} rows, ${mb(bigMb)} with indexes`);
  const env4x = serviceEnv(db, dataDir, db.warehouse4xUrl);
  console.log('');
  console.log(
    `Incremental runs (arrival mode), each after ${int(options.slotRows)} new activities that arrived over the last 10 minutes, ` +
      'on the warehouse (1×) and on warehouse4x, in alternating order; the warm-up rounds (one with each warehouse first) are not counted:',
  );
  const incremental = [];
  const incremental4x = [];
  for (let round = 1 - WARM_UP_ROUNDS; round <= options.incrementalRounds; round++) {
    await addSlot(stream);
    const name = round <= 0 ? `warm-up ${round + WARM_UP_ROUNDS}` : `#${round}`;
    const runOn1x = () => runEtl(app, env, tempRoot, `incremental ${name}`);
    const runOn4x = () => runEtl(app, env4x, tempRoot, `incremental at 4× ${name}`);
    const [first, second] = round % 2 === 0 ? [runOn1x, runOn4x] : [runOn4x, runOn1x];
    const a = await first();
    const b = await second();
    if (round <= 0) continue;
    incremental.push(round % 2 === 0 ? a : b);
    incremental4x.push(round % 2 === 0 ? b : a);
  }

  // 4. The original job's way on the 1× warehouse (re-extract, delete and re-insert 7 days).
  console.log('');
  console.log(
    `The original job's way: --window ${DAYS} on the same data (re-extract ${DAYS} days, delete and re-insert them; VACUUM ANALYZE before each, untimed):`,
  );
  const windowRuns = [];
  for (let round = 0; round < options.fullRounds; round++) {
    await vacuum(warehouse);
    windowRuns.push(
      await runEtl(app, env, tempRoot, `window ${DAYS} days${options.fullRounds > 1 ? ` #${round + 1}` : ''}`, ['--window', String(DAYS)]),
    );
  }

  // ------------------------------------------------------------------------------------------ report
  const results = {
    bareCopy: {
      rounds: bare.length,
      wallMs: median(bare.map((b) => b.wallMs)),
      rowsPerSecond: median(bare.map((b) => b.rowsPerSecond)),
      tableMb: bare[0].tableMb,
      walMb: median(bare.map((b) => b.walBytes)) / 2 ** 20,
      postgresCpuPct: median(bare.map((b) => b.postgresPctOfCore)),
      perRound: bare,
    },
    fullLoad: summarize(full),
    incremental: summarize(incremental),
    window: summarize(windowRuns),
    incremental4x: summarize(incremental4x),
  };
  const f = results.fullLoad;
  f.rowsPerSecond = history.rows / (f.wallMs / 1000);
  f.runRowsPerSecond = history.rows / (f.runMs / 1000);
  const ratios = {
    fullLoadShareOfCopy: f.rowsPerSecond / results.bareCopy.rowsPerSecond,
    incrementalShareOfWindow: results.incremental.wallMs / results.window.wallMs,
    incremental4xShareOfWindow: results.incremental4x.wallMs / results.window.wallMs,
    flatAt4x: results.incremental4x.wallMs / results.incremental.wallMs,
    // the same ratios on the run record's own time (lease to finish, without the process's start and stop)
    runTime: {
      fullLoadShareOfCopy: f.runRowsPerSecond / results.bareCopy.rowsPerSecond,
      incrementalShareOfWindow: results.incremental.runMs / results.window.runMs,
      flatAt4x: results.incremental4x.runMs / results.incremental.runMs,
    },
  };
  // Targets on the operator's command (`--once`, process start to exit), as the issue times them; the same
  // ratios on the run record (what a scheduled run inside the already started service takes) beside them.
  const checks = {
    fullLoad: ratios.fullLoadShareOfCopy >= TARGETS.fullLoadShareOfCopy,
    incremental: ratios.incrementalShareOfWindow <= TARGETS.incrementalShareOfWindow,
    flat: ratios.flatAt4x <= TARGETS.flatAt4x,
    peakRss: f.peakRssMb <= TARGETS.peakRssMb,
    runRecord: {
      fullLoad: ratios.runTime.fullLoadShareOfCopy >= TARGETS.fullLoadShareOfCopy,
      incremental: ratios.runTime.incrementalShareOfWindow <= TARGETS.incrementalShareOfWindow,
      flat: ratios.runTime.flatAt4x <= TARGETS.flatAt4x,
    },
  };
  const verdict = (ok) => (ok ? 'PASS' : 'FAIL');
  const med = (n) => (n > 1 ? ` (median of ${n})` : '');
  const inc = results.incremental;
  const inc4 = results.incremental4x;
  const win = results.window;
  const lines = [];
  lines.push(
    'Targets (wall time of `node dist/cli/etl.js --once`, start to exit; "run record": the same run without the process start and exit):',
  );
  lines.push(
    ...formatTable(
      ['', 'measured', 'baseline', 'ratio', 'target', ''],
      [
        [
          `first full load with the rollup build, rows/s end to end${med(f.rounds)}`,
          `${int(f.rowsPerSecond)} rows/s (${secs(f.wallMs)})`,
          `bare COPY ${int(results.bareCopy.rowsPerSecond)} rows/s (${secs(results.bareCopy.wallMs)})`,
          pct(ratios.fullLoadShareOfCopy),
          `≥ ${pct(TARGETS.fullLoadShareOfCopy)}`,
          verdict(checks.fullLoad),
        ],
        [
          '  run record',
          `${int(f.runRowsPerSecond)} rows/s (${secs(f.runMs)})`,
          '',
          pct(ratios.runTime.fullLoadShareOfCopy),
          '',
          verdict(checks.runRecord.fullLoad),
        ],
        [
          `incremental run, wall time${med(inc.rounds)}`,
          `${secs(inc.wallMs)} (${int(inc.rowsExtracted)} rows)`,
          `--window ${DAYS}: ${secs(win.wallMs)} (${int(win.rowsExtracted)} rows)`,
          pct(ratios.incrementalShareOfWindow),
          `≤ ${pct(TARGETS.incrementalShareOfWindow)}`,
          verdict(checks.incremental),
        ],
        [
          '  run record',
          secs(inc.runMs),
          `--window ${DAYS}: ${secs(win.runMs)}`,
          pct(ratios.runTime.incrementalShareOfWindow),
          '',
          verdict(checks.runRecord.incremental),
        ],
        [
          `incremental run, warehouse 4× larger${med(inc4.rounds)}`,
          `${secs(inc4.wallMs)} (${int(inc4.rowsExtracted)} rows)`,
          `incremental at 1×: ${secs(inc.wallMs)}`,
          `${ratios.flatAt4x.toFixed(2)}×`,
          `≤ ${TARGETS.flatAt4x}× (flat)`,
          verdict(checks.flat),
        ],
        [
          '  run record',
          secs(inc4.runMs),
          `incremental at 1×: ${secs(inc.runMs)}`,
          `${ratios.runTime.flatAt4x.toFixed(2)}×`,
          '',
          verdict(checks.runRecord.flat),
        ],
        ['peak RSS of the ETL process, full load', mb(f.peakRssMb), `—`, '—', `≤ ${TARGETS.peakRssMb} MB`, verdict(checks.peakRss)],
      ],
      (i) => i === 3,
    ),
  );
  lines.push('');
  lines.push(
    "Where the time goes (medians; start-up: spawn to the run record's start — Node, Nest, both connections and their migration check; " +
      "exit: the record's end to process exit — staged-file retention, lease, pools):",
  );
  const kinds = [
    ['first full load', f],
    ['incremental', results.incremental],
    [`--window ${DAYS}`, results.window],
    ['incremental at 4×', results.incremental4x],
  ];
  lines.push(
    ...formatTable(
      ['', 'wall', 'start-up', 'run', ...STEP_ORDER, 'exit', 'rows', 'staged', 'WAL', 'peak RSS', 'CPU % of a core: ETL / PostgreSQL'],
      kinds.map(([name, k]) => [
        name,
        secs(k.wallMs),
        int(k.startupMs),
        secs(k.runMs),
        ...STEP_ORDER.map((step) => (k.stepMs[step] === undefined ? '—' : int(k.stepMs[step]))),
        int(k.exitMs),
        int(k.rowsExtracted),
        mb(k.stagedBytes / 2 ** 20),
        mb(k.walMb),
        mb(k.peakRssMb),
        `${int(k.etlCpuPct)} / ${int(k.postgresCpuPct)}`,
      ]),
      (i) => i > 0 && i < 15,
    ),
  );
  lines.push(
    `  start-up, steps and exit in ms. Bare COPY: ${secs(results.bareCopy.wallMs)}, ${mb(results.bareCopy.walMb)} WAL, table ${mb(results.bareCopy.tableMb)}, ` +
      `PostgreSQL ${int(results.bareCopy.postgresCpuPct)} % of a core. The extract's statement alone, into a plain file ` +
      `(no stage format, no gzip): ${secs(exportMs)}.`,
  );
  lines.push(`  incremental at 4× is ${pct(ratios.incremental4xShareOfWindow)} of the window run at 1× (wall).`);
  if (incremental.length > 1 || full.length > 1) {
    const walls = (runs) => runs.map((r) => secs(r.wallMs)).join(', ');
    lines.push(
      `  per round (wall): full load ${walls(full)}; incremental ${walls(incremental)}; window ${walls(windowRuns)}; incremental at 4× ${walls(incremental4x)}`,
    );
  }
  lines.push(
    `  peak RSS per kind (highest round): full load ${mb(f.peakRssMb)}, incremental ${mb(results.incremental.peakRssMb)}, ` +
      `window ${mb(results.window.peakRssMb)}, incremental at 4× ${mb(results.incremental4x.peakRssMb)} (polled VmRSS every 100 ms and VmHWM at exit)`,
  );
  lines.push('');
  const summary = stream.summary();
  lines.push(
    `Dataset: ${int(history.rows)} activities in the 7-day history + ${int(options.slotRows)} per increment; ` +
      `source ${mb(sourceMb)}, warehouse ${mb(warehouseMb)} after the full load, ${mb(bigMb)} at 4× (${int(bigRows)} rows)`,
  );
  lines.push(...describeTraffic(summary).map((line) => `  ${line}`));
  lines.push(
    `  stored in mob.adjust: ${int(summary.distinctActivities)} (history and increments; exact repeats and ${int(summary.keyCollisionsSkipped)} dedup-key collisions from ` +
      `moving activities in time skipped, as the collector's unique dedup_key would); average COPY line ${summary.averageCopyLineChars} chars`,
  );
  lines.push(
    `Machine: ${cores} CPUs, Node ${process.version}, PostgreSQL ${s.version.split(' ')[1]}, fsync=${s.fsync}; busy before the run ${int(busyBefore)} % of ${100 * cores} %`,
  );

  console.log('');
  console.log(lines.join('\n'));

  if (!flags['no-results']) {
    await writeResults('etl', startedAt, {
      serviceBuiltAt: app.builtAt.toISOString(),
      machine: { ...describeMachine(), busyBeforePct: busyBefore },
      options,
      postgres: s,
      dataset: {
        ...dataset,
        exportMs,
        exportBytes,
        warehouseMbAfterFullLoad: warehouseMb,
        warehouse4x: { rows: bigRows, mb: bigMb, seconds: enlargeSeconds },
        traffic: summary,
      },
      targets: TARGETS,
      results,
      ratios,
      checks,
      printed: lines,
    });
  }
}

await runBench('bench:etl', main, 'stopping the ETL and PostgreSQL, removing the temp folder');
