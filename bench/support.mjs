// What the benchmarks (bench/*.mjs) share: flags and usage errors, cleanup on exit and on Ctrl-C, a private
// copy of the built service, child processes, HTTP requests to the service, CPU and memory readings from
// /proc, WAL readings, the git state the figures belong to, and the results file (what they print:
// bench/format.mjs).

import { execFileSync, spawn } from 'node:child_process';
import http from 'node:http';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { pipeline } from 'node:stream/promises';
import { from as copyFrom } from 'pg-copy-streams';

export const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.dirname(BENCH_DIR);
export const CLK_TCK = 100; // Linux USER_HZ; /proc times are in these ticks on every mainstream kernel

// ---------------------------------------------------------------------------------------------- flags

// The flags of one benchmark, and its usage errors: `fail` and `positive` start every message with the
// benchmark's name (e.g. bench:etl), so that the operator sees which of them refused to start.
export function parseBenchFlags(name, options) {
  const fail = (message) => {
    process.stderr.write(`${name}: ${message}\n`);
    process.exit(2);
  };
  let flags;
  try {
    flags = parseArgs({ options }).values;
  } catch (error) {
    fail(error.message);
  }
  // the flag's number, or `fallback` when the flag is absent and a fallback is given
  const positive = (flag, fallback) => {
    if (flags[flag] === undefined && fallback !== undefined) return fallback;
    const value = Number(flags[flag]);
    if (!(value > 0)) fail(`--${flag} must be a positive number`);
    return value;
  };
  return { flags, fail, positive };
}

// ---------------------------------------------------------------------------------------------- cleanup

// Undo steps (stop a process, remove a folder), pushed as a benchmark sets things up and run last first,
// once: at the end of the run or on SIGINT/SIGTERM, whichever comes first.
export const cleanups = [];
let cleaning = null;
export function runCleanups() {
  cleaning ??= (async () => {
    while (cleanups.length > 0) {
      const step = cleanups.pop();
      await step().catch((error) => process.stderr.write(`cleanup: ${error.message}\n`));
    }
  })();
  return cleaning;
}

// Runs a benchmark's main, reports its failure under the benchmark's name, always cleans up, then exits
// (idle keep-alive sockets of fetch() would hold the process a few seconds). Ctrl-C must not leave a
// PostgreSQL or a temp folder behind: on SIGINT/SIGTERM it says what is undone (`doing`), undoes it, exits 130.
export async function runBench(name, main, doing) {
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, () => {
      process.stderr.write(`\n${signal}: ${doing}…\n`);
      void runCleanups().finally(() => process.exit(130));
    });
  }
  try {
    await main();
  } catch (error) {
    process.stderr.write(`${name} failed: ${error.stack ?? error}\n`);
    process.exitCode = 1;
  } finally {
    await runCleanups();
  }
  process.exit(process.exitCode ?? 0);
}

// ---------------------------------------------------------------------------------------------- the run

// The first line of a benchmark's printout: the machine, and how busy others keep it.
export function machineLine(title) {
  const cpus = os.cpus();
  const load = os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
  return `${title} — ${cpus.length} CPUs (${cpus[0]?.model.trim()}), ${Math.round(os.totalmem() / 2 ** 30)} GB RAM, Node ${process.version}, load average ${load}`;
}

// A temporary folder for the run (<tmp>/<prefix>XXXXXX), removed by the cleanups unless `keep`.
export async function tempFolder(prefix, keep) {
  const folder = await mkdtemp(path.join(os.tmpdir(), prefix));
  if (keep) console.log(`--keep: the temp folder ${folder} stays (its PostgreSQL is stopped at the end)`);
  else cleanups.push(() => rm(folder, { recursive: true, force: true }));
  return folder;
}

// ---------------------------------------------------------------------------------------------- the service

// A private copy of a built service in the (existing, empty) folder `root`: <root>/dist (a copy of `distDir`),
// <root>/sql, package.json (for "type": "module") and a node_modules link, laid out like the project so that
// dist/ finds ../sql; neither a concurrent `npm run build` nor a developer's .env can change it mid-run.
// `entry` is the script to start, relative to `distDir`.
export async function snapshotService(root, distDir, entry) {
  const projectDir = path.dirname(distDir);
  await cp(distDir, path.join(root, 'dist'), { recursive: true });
  await cp(path.join(projectDir, 'sql'), path.join(root, 'sql'), { recursive: true });
  await cp(path.join(projectDir, 'package.json'), path.join(root, 'package.json'));
  await symlink(path.join(ROOT, 'node_modules'), path.join(root, 'node_modules'), 'dir');
  const builtAt = (await stat(path.join(distDir, entry))).mtime;
  return { root, entry: path.join(root, 'dist', entry), builtAt };
}

// ---------------------------------------------------------------------------------------------- /proc

// utime, stime, cutime, cstime of a process (ticks), and its parent pid; null once it has exited.
export async function procStat(pid) {
  const text = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
  if (text === null) return null;
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' '); // fields[0] is field 3 (state)
  return {
    ppid: Number(fields[1]),
    utime: Number(fields[11]),
    stime: Number(fields[12]),
    cutime: Number(fields[13]),
    cstime: Number(fields[14]),
  };
}

// CPU ticks of the postmaster and all its processes; backends that exited are in the postmaster's cutime/cstime.
export async function postgresTicks(postmasterPid) {
  const postmaster = await procStat(postmasterPid);
  if (postmaster === null) return 0;
  let total = postmaster.utime + postmaster.stime + postmaster.cutime + postmaster.cstime;
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const child = await procStat(Number(entry));
    if (child?.ppid === postmasterPid) total += child.utime + child.stime;
  }
  return total;
}

// Ticks of the whole machine since boot (all cores): busy (neither idle nor waiting for I/O) and total.
export async function machineTicks() {
  const line = (await readFile('/proc/stat', 'utf8')).split('\n')[0];
  const values = line.trim().split(/\s+/).slice(1, 9).map(Number); // user nice system idle iowait irq softirq steal
  const total = values.reduce((a, b) => a + b, 0);
  return { busy: total - values[3] - values[4], total };
}

// A `<field>: <n> kB` line of /proc/<pid>/status (VmRSS, VmHWM), in kB; null once the process has exited.
export async function statusKb(pid, field) {
  const text = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text);
  return match ? Number(match[1]) : null;
}

// ---------------------------------------------------------------------------------------------- PostgreSQL

// Writes every dirty page now (for the whole cluster, whatever database `client` is on), so that one
// measured step's pages are not written during the next one's timing.
export async function checkpoint(client) {
  await client.query('CHECKPOINT');
}

// The cluster's WAL position, and the bytes of WAL written since such a position.
export async function walPosition(client) {
  return (await client.query('SELECT pg_current_wal_lsn()::text AS lsn')).rows[0].lsn;
}

export async function walBytesSince(client, lsn) {
  return Number((await client.query('SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), $1)::float8 AS bytes', [lsn])).rows[0].bytes);
}

// ---------------------------------------------------------------------------------------------- report

// Read-only: which commit the figures belong to, and whether the working tree differed from it.
// Asked once, at the benchmark's start (its header line): the results file written at the end names the
// tree the benchmark measured (a private copy of that build), not one committed meanwhile.
let treeAtStart;
export function gitState() {
  treeAtStart ??= readGitState();
  return treeAtStart;
}

function readGitState() {
  try {
    const run = (args) => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const changed = run(['status', '--porcelain', '--untracked-files=no']).split('\n').filter(Boolean).length;
    return `commit ${run(['rev-parse', '--short', 'HEAD'])}${changed > 0 ? ` + ${changed} modified files` : ''}`;
  } catch {
    return 'not a git checkout';
  }
}

// The machine a results file was measured on (the load average is read when the file is written).
export function describeMachine() {
  return {
    cpus: os.cpus().length,
    model: os.cpus()[0]?.model.trim(),
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    loadAverageAtStart: os.loadavg(),
  };
}

// bench/results/<benchmark>-<start time>.json (git ignores the folder), headed by the benchmark's name, its
// start, the git state and the machine (`report` may add to it); then a line saying where it went.
export async function writeResults(benchmark, startedAt, report) {
  const resultsDir = path.join(BENCH_DIR, 'results');
  await mkdir(resultsDir, { recursive: true });
  const stamp = startedAt
    .toISOString()
    .replace(/:/g, '-')
    .replace(/\.\d+Z$/, 'Z');
  const file = path.join(resultsDir, `${benchmark}-${stamp}.json`);
  const header = { benchmark, startedAt: startedAt.toISOString(), tree: gitState(), machine: describeMachine() };
  await writeFile(file, `${JSON.stringify({ ...header, ...report }, null, 2)}\n`);
  console.log(`\nResults: ${path.relative(process.cwd(), file)}`);
}

// A child node process whose last lines of output are kept for the error message if it fails.
export function startChild(label, args, env, cwd = ROOT) {
  const child = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const tail = [];
  const keep = (chunk) => {
    for (const line of chunk.toString().split('\n')) if (line.trim() !== '') tail.push(line);
    if (tail.length > 40) tail.splice(0, tail.length - 40);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return { label, child, tail, exited };
}

// SIGTERM, then SIGKILL after `graceMs`.
export async function stopChild(proc, { graceMs = 30_000 } = {}) {
  if (proc.child.exitCode !== null || proc.child.signalCode !== null) return proc.exited;
  proc.child.kill('SIGTERM');
  const result = await Promise.race([proc.exited, new Promise((resolve) => setTimeout(() => resolve(null), graceMs))]);
  if (result !== null) return result;
  process.stderr.write(`${proc.label} did not stop within ${graceMs / 1000} s of SIGTERM; killing it\n`);
  proc.child.kill('SIGKILL');
  return proc.exited;
}

// One request to the service on `agent` (kept-alive connections), timed from the call to the last byte of
// the body: { status, body, ms }.
export function httpRequest({ port, method = 'GET', path: url, headers = {}, agent, body }) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = http.request({ host: '127.0.0.1', port, method, path: url, agent, headers }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString(), ms: performance.now() - started }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

// Until the service's health answers 200 (or it exits, or `timeoutMs` passes: both throw with its last lines).
export async function waitForHealth(port, proc, timeoutMs, agent) {
  const deadline = Date.now() + timeoutMs;
  let exit = null;
  void proc.exited.then((result) => (exit = result));
  for (;;) {
    if (exit !== null)
      throw new Error(`${proc.label} exited (${JSON.stringify(exit)}) before its health answered 200:\n${proc.tail.join('\n')}`);
    const response = await httpRequest({ port, path: '/api/v1/health', agent }).catch(() => null);
    if (response?.status === 200) return;
    if (Date.now() > deadline)
      throw new Error(`${proc.label}'s health did not answer 200 within ${timeoutMs / 1000} s:\n${proc.tail.join('\n')}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

// Streams `count` COPY lines (`lineAt(i)`) through `client` with `copySql`, in chunks of about 1 MB.
export async function copyLines(client, copySql, count, lineAt) {
  async function* chunks() {
    let chunk = '';
    for (let i = 0; i < count; i++) {
      chunk += lineAt(i);
      if (chunk.length >= 1 << 20) {
        yield Buffer.from(chunk);
        chunk = '';
      }
    }
    if (chunk.length > 0) yield Buffer.from(chunk);
  }
  const copy = client.query(copyFrom(copySql));
  await pipeline(chunks, copy);
  return copy.rowCount;
}
