// The 90-day history that bench/metrics.mjs and bench/freshness.mjs build and load: one embedded
// PostgreSQL in a temporary folder with a source database `adjust` and a warehouse `warehouse`, a private
// copy of the built service and of the generator modules, the generated activities COPYed into mob.adjust
// (bench/adjust-activities.mjs with the devices of bench/metrics-population.mjs), and ETL runs as the
// operator starts them (`node dist/cli/etl.js --once`), with their run records.

import { existsSync } from 'node:fs';
import { cp, mkdir, readdir, rm, stat } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { int, pad, secs } from './format.mjs';
import {
  BENCH_DIR,
  checkpoint,
  cleanups,
  copyLines,
  ROOT,
  snapshotService,
  startChild,
  stopChild,
  tempFolder,
  waitForHealth,
} from './support.mjs';

export const DAYS = 90;
export const SLOTS = (DAYS * 86_400_000) / 600_000; // 12,960 ten-minute slots

// what the snapshot must hold (a build in progress deletes dist/ first)
const REQUIRED = ['main.js', 'cli/etl.js', 'collector/callback-parser.js', 'config/app-config.js', 'database/connections.js'];
const GENERATOR_MODULES = ['adjust-activities.mjs', 'adjust-traffic.mjs', 'metrics-population.mjs'];

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------------------------- the service

// A private copy of dist/, sql/ and the generator modules (which import ../dist, so the copy's). A build in
// progress (nest deletes dist/ first) is waited out for up to two minutes. `app.sqlNewerThanBuild` lists
// sql/ files edited since the build; `app.hasApi` says whether the build has the metrics API.
async function snapshotApp(appRoot) {
  for (let attempt = 1; ; attempt++) {
    await rm(appRoot, { recursive: true, force: true });
    await mkdir(path.join(appRoot, 'bench'), { recursive: true });
    try {
      const app = await snapshotService(appRoot, path.join(ROOT, 'dist'), 'main.js');
      const missing = REQUIRED.filter((file) => !existsSync(path.join(appRoot, 'dist', file)));
      if (missing.length > 0) throw new Error(`dist/ lacks ${missing.join(', ')}`);
      for (const file of GENERATOR_MODULES) await cp(path.join(BENCH_DIR, file), path.join(appRoot, 'bench', file));
      app.sqlNewerThanBuild = await newerFiles(path.join(ROOT, 'sql'), app.builtAt);
      const metricsDir = path.join(appRoot, 'dist', 'metrics');
      app.hasApi = existsSync(metricsDir) && (await readdir(metricsDir)).some((file) => file.endsWith('.js'));
      return app;
    } catch (error) {
      if (attempt === 24) throw new Error(`no complete build in dist/ (${error.message}): run npm run build first`, { cause: error });
      if (attempt === 1) process.stdout.write(`dist/ is incomplete (${error.message}), a build in progress? waiting… `);
      await sleep(5000);
    }
  }
}

// What a benchmark on the history starts with: a temp folder (`prefix`, kept with `keep`), the snapshot,
// the modules loaded from it, the server (`serverFlags`) with both databases migrated as a start of the
// service would, and `env(extra)`: the environment of the service and the command line with these keys.
export async function setUpHistory({ prefix, keep, serverFlags = [], apiKey, adminKey }) {
  const tempRoot = await tempFolder(prefix, keep);
  const { app, modules } = await prepareApp(tempRoot);
  const db = await startPostgres(modules.embedded.EmbeddedPostgres, tempRoot, serverFlags);
  const s = db.settings;
  console.log(
    `Embedded ${s.version.split(' ').slice(0, 2).join(' ')} on port ${db.port} in ${tempRoot}: fsync=${s.fsync}, shared_buffers=${s.shared_buffers}, ` +
      `work_mem=${s.work_mem}, max_parallel_workers_per_gather=${s.parallel_workers}; source and warehouse are two databases of this one server; ` +
      `service built ${app.builtAt.toISOString()}${app.hasApi ? '' : ' WITHOUT the metrics API'}`,
  );
  const keys = { db, dataDir: path.join(tempRoot, 'data'), apiKey, adminKey };
  const env = (extra) => serviceEnv(modules.config.ENVIRONMENT_KEYS, { ...keys, extra });
  const { Logger } = await import('@nestjs/common');
  Logger.overrideLogger(['error', 'warn']);
  await (await modules.connections.Connections.open(modules.config.loadConfig(env(), app.root))).close();
  return { tempRoot, app, modules, db, env };
}

// The activities of a population with retention (bench/metrics-population.mjs) sized for `rows` arrivals
// from `startMs` over DAYS days: { stream, devices }.
export function historyStream(modules, { seed, startMs, rows }) {
  const devices = modules.population.createDevicePopulation({ seed, startMs, rows, days: DAYS });
  return { stream: modules.generator.createActivityStream({ seed, devices }), devices };
}

// The snapshot in <tempRoot>/app (warning when sql/ changed after the build) and the modules the
// benchmarks load from it: the generators and the service's configuration, connections and PostgreSQL.
async function prepareApp(tempRoot) {
  const app = await snapshotApp(path.join(tempRoot, 'app'));
  if (app.sqlNewerThanBuild.length > 0) {
    console.log(
      `WARNING: ${app.sqlNewerThanBuild.length} file(s) in sql/ changed after the build (${app.sqlNewerThanBuild.slice(0, 3).join(', ')}…): ` +
        'run npm run build so that dist/ and sql/ match',
    );
  }
  const load = (file) => import(pathToFileURL(path.join(app.root, file)).href);
  const modules = {
    generator: await load('bench/adjust-activities.mjs'),
    traffic: await load('bench/adjust-traffic.mjs'),
    population: await load('bench/metrics-population.mjs'),
    config: await load('dist/config/app-config.js'),
    connections: await load('dist/database/connections.js'),
    embedded: await load('dist/database/embedded-postgres.js'),
  };
  return { app, modules };
}

// Files under `dir` changed after `time` (sql/ edited since the last build: the copy may not match dist/).
async function newerFiles(dir, time) {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const newer = [];
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath ?? entry.path, entry.name);
    if ((await stat(file)).mtime > time) newer.push(path.relative(ROOT, file));
  }
  return newer;
}

// The environment of the service and of the command line: only what the benchmark sets, the defaults for
// everything else (`environmentKeys`: the variables the service reads, removed from this process's own
// environment first). `extra` overrides; an `undefined` in it leaves that variable to its default.
function serviceEnv(environmentKeys, { db, dataDir, apiKey, adminKey, extra = {} }) {
  const env = { ...process.env };
  for (const key of Object.keys(env)) if (environmentKeys.includes(key) || key === 'NODE_OPTIONS' || key.startsWith('PG')) delete env[key];
  const chosen = {
    ...env,
    DATABASE_URL: db.sourceUrl,
    WAREHOUSE_URL: db.warehouseUrl,
    API_KEYS: apiKey,
    ADMIN_API_KEYS: adminKey,
    // the activities are written to the source directly: no callback reaches the service unless `extra`
    // sets a token for those that do
    CALLBACK_TOKEN: 'none',
    DATA_DIR: dataDir,
    ETL_SCHEDULE: 'off',
    ETL_RECONCILE_CRON: 'off',
    RATE_LIMIT: 'off',
    LOG_LEVEL: 'warn',
    ...extra,
  };
  return Object.fromEntries(Object.entries(chosen).filter(([, value]) => value !== undefined));
}

// The service (`node dist/main.js` of the snapshot) with `env` (PORT among them), once its health answers
// 200 (asked on `agent`). stop() stops it as the cleanups would: SIGTERM, then SIGKILL after `graceMs`
// (a load in progress finishes first).
export async function startService(app, env, label, { agent, graceMs = 30_000 } = {}) {
  const proc = startChild(label, [path.join(app.root, 'dist', 'main.js')], env, app.root);
  const stop = () => stopChild(proc, { graceMs });
  cleanups.push(stop);
  const started = performance.now();
  await waitForHealth(Number(env.PORT), proc, 180_000, agent);
  console.log(`  ${label} up on port ${env.PORT} in ${secs(performance.now() - started)} (health 200)`);
  return {
    proc,
    async stop() {
      if (cleanups.includes(stop)) cleanups.splice(cleanups.indexOf(stop), 1);
      await stop();
    },
  };
}

// One ETL run as the operator starts it (`node dist/cli/etl.js --once [args]`), timed from spawn to exit,
// with its run record (the record's own time and steps, rollups among them), printed as one line.
export async function runEtl({ app, env, source, label, args = [] }) {
  await checkpoint(source); // one cluster: the previous step's dirty pages are not written during this one
  const started = performance.now();
  const proc = startChild(label, [path.join(app.root, 'dist', 'cli', 'etl.js'), '--once', ...args], env, app.root);
  const stop = () => stopChild(proc);
  cleanups.push(stop);
  const exit = await proc.exited;
  const wallMs = performance.now() - started;
  cleanups.splice(cleanups.indexOf(stop), 1);
  const { rows } = await source.query(
    `SELECT id, status, mode, rows_extracted::float8 AS rows_extracted, cardinality(days_refreshed) AS days, step_ms, rollup_ms, error,
            extract(epoch FROM finished_at - started_at) * 1000 AS run_ms
     FROM mob.etl_run ORDER BY id DESC LIMIT 1`,
  );
  const record = rows[0];
  if (exit.code !== 0 || record?.status !== 'succeeded') {
    throw new Error(
      `${label}: the ETL exited with ${JSON.stringify(exit)}, run ${record?.id} ${record?.status}: ${record?.error ?? ''}\n${proc.tail.join('\n')}`,
    );
  }
  const result = {
    label,
    runId: Number(record.id),
    mode: record.mode,
    wallMs,
    runMs: Number(record.run_ms),
    rowsExtracted: record.rows_extracted,
    daysRefreshed: record.days,
    stepMs: record.step_ms,
    rollupMs: record.rollup_ms,
  };
  const steps = Object.entries(result.stepMs)
    .map(([step, ms]) => `${step} ${int(ms)}`)
    .join(' · ');
  console.log(
    `  ${pad(label, 22)} ${pad(secs(wallMs), 8, true)} wall (run ${secs(result.runMs)}), ${int(result.rowsExtracted)} rows, ` +
      `${result.daysRefreshed} days refreshed; ${steps} ms`,
  );
  return result;
}

// ---------------------------------------------------------------------------------------------- databases

// DATE as its YYYY-MM-DD text, not a local-midnight Date
const types = { getTypeParser: (oid, format) => (oid === 1082 ? (value) => value : pg.types.getTypeParser(oid, format)) };

export async function connect(url) {
  const client = new pg.Client({ connectionString: url, options: '-c TimeZone=UTC -c statement_timeout=0', types });
  await client.connect();
  return client;
}

export const withDatabase = (url, name) => Object.assign(new URL(url), { pathname: `/${name}` }).toString();

// The server (fsync on unless `serverFlags` say otherwise, as the service's embedded server runs), its two
// databases, and a client on each: `db.source` on `adjust`, `db.warehouse` on `warehouse` (a benchmark
// that reconnects one sets it there). Stopped and closed by the cleanups.
export async function startPostgres(EmbeddedPostgres, tempRoot, serverFlags = []) {
  const server = new EmbeddedPostgres(path.join(tempRoot, 'postgres'), randomBytes(18).toString('base64url'), serverFlags);
  await server.start();
  cleanups.push(() => server.stop());
  const admin = await connect(server.url);
  await admin.query('CREATE DATABASE adjust');
  await admin.query('CREATE DATABASE warehouse');
  const settings = (
    await admin.query(
      `SELECT version() AS version, current_setting('fsync') AS fsync, current_setting('synchronous_commit') AS synchronous_commit,
              current_setting('shared_buffers') AS shared_buffers, current_setting('work_mem') AS work_mem,
              current_setting('max_parallel_workers_per_gather') AS parallel_workers, current_setting('max_wal_size') AS max_wal_size,
              current_setting('wal_level') AS wal_level, current_setting('autovacuum') AS autovacuum`,
    )
  ).rows[0];
  await admin.end();
  const db = {
    adminUrl: server.url,
    sourceUrl: withDatabase(server.url, 'adjust'),
    warehouseUrl: withDatabase(server.url, 'warehouse'),
    settings,
    port: server.port,
  };
  db.source = await connect(db.sourceUrl);
  db.warehouse = await connect(db.warehouseUrl);
  cleanups.push(() => Promise.allSettled([db.source, db.warehouse].map((client) => client.end())));
  return db;
}

export const scalar = async (client, sql, params) => Object.values((await client.query(sql, params)).rows[0])[0];
export const tableMb = async (client, table) =>
  Number(await scalar(client, 'SELECT pg_total_relation_size($1::regclass)::float8', [table])) / 2 ** 20;

// ---------------------------------------------------------------------------------------------- data

// `rows` arrivals over the `days` days that end at `endMs`, slot by slot with the daily cycle, from
// `stream` (createActivityStream of the app's bench/adjust-activities.mjs, `generator`) into mob.adjust.
export async function loadHistory(source, generator, stream, { rows, endMs, days = DAYS }) {
  const { startMs, slotMs, counts } = generator.diurnalSlots(rows, endMs, days);
  const arrivals = new Float64Array(rows);
  let i = 0;
  for (let slot = 0; slot < counts.length; slot++) {
    for (let k = 0; k < counts[slot]; k++) arrivals[i++] = startMs + slot * slotMs + Math.floor(((k + 0.5) * slotMs) / counts[slot]);
  }
  let shown = 0;
  const copied = await copyLines(source, generator.COPY_ACTIVITIES_SQL, rows, (n) => {
    if (process.stdout.isTTY && n - shown >= 250_000) {
      shown = n;
      process.stdout.write(`\r  ${int(n)} / ${int(rows)}…`);
    }
    return stream.next(arrivals[n]);
  });
  if (process.stdout.isTTY) process.stdout.write('\r');
  return { rows: copied, startMs, endMs };
}

// `count` new activities that arrived evenly over the last `spanMs` (the generator makes ~3 % of them
// hours late, with their original created_at), as the collector would have stored them between two runs.
export function addArrivals(source, generator, stream, count, spanMs) {
  const endMs = Date.now();
  return copyLines(source, generator.COPY_ACTIVITIES_SQL, count, (k) =>
    stream.next(endMs - spanMs + Math.floor(((k + 1) * spanMs) / count)),
  );
}
