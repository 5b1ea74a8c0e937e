import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eventCallback, installCallback, NOW_EPOCH, reattributionCallback, sessionCallback } from '../support/adjust-callbacks.js';
import {
  BLOCK_MERGES,
  expectConverged,
  HOLD_REBUILD,
  holdLocks,
  MERGE_FIRST_STATEMENT,
  query,
  REBUILD_HELD_AT,
  runEtl,
  storeCallbacks,
  tableDigest,
  waitForLeaseFree,
  waitForLockWait,
} from '../support/etl.js';
import { ETL_ENTRY_POINT, ServiceProcess, waitUntil } from '../support/service-process.js';
import { ADMIN_KEY, startTestApp, type TestApp } from '../support/test-app.js';

type RunRow = { id: number; status: string; trigger: string; mode: string; started_at: Date; error: string | null };

const USAGE = 'Usage: npm run etl -- --once [--window DAYS | --rebuild]\n';
const SUMMARY =
  /^Run (\d+) succeeded: (\d+) rows loaded \(arrival\), 1 part\(s\), \d+ bytes staged, \d+ day\(s\) refreshed \(lease \d+ ms, extract \d+ ms, stage \d+ ms, load \d+ ms, merge \d+ ms, rollups \d+ ms, maintain \d+ ms\)\n$/;

// Black-box: `npm run etl` and `npm start` as real processes on this file's own pair of test databases
// (migrated by an in-process app, which also stores the callbacks and checks the warehouse).
describe('the ETL in processes of its own', () => {
  const started: ServiceProcess[] = [];
  const folders: string[] = [];
  let t: TestApp;
  let workDir: string;
  let settings: Record<string, string>;
  const warehouse = () => t.databases.warehouseUrl;

  // in a folder of its own, so that no developer .env fills what the test leaves out
  function spawn(env: Record<string, string>, entryPoint?: string, args: string[] = []): ServiceProcess {
    const child = new ServiceProcess({ ...settings, ...env }, workDir, entryPoint, args);
    started.push(child);
    return child;
  }
  const etl = (...args: string[]) => spawn({}, ETL_ENTRY_POINT, args);
  const runsAfter = (id: number) =>
    query<RunRow>(
      t.databases.sourceUrl,
      'SELECT id::int, status, trigger, mode, started_at, error FROM mob.etl_run WHERE id > $1 ORDER BY id',
      [id],
    );
  const lastRunId = async () =>
    (await query<{ id: number }>(t.databases.sourceUrl, 'SELECT coalesce(max(id), 0)::int AS id FROM mob.etl_run'))[0].id;
  const runningIds = async () =>
    (await query<{ id: number }>(t.databases.sourceUrl, "SELECT id::int FROM mob.etl_run WHERE status = 'running'")).map((row) => row.id);
  // the killed process's warehouse session, orphaned, gets its lock, finds its client gone and ends
  const sessionEnded = (backend: number, what: string) =>
    waitUntil(
      async () => (await query(warehouse(), 'SELECT 1 FROM pg_stat_activity WHERE pid = $1', [backend])).length === 0,
      10_000,
      what,
    );
  const warehouseState = async () => ({
    adjust: await tableDigest(warehouse(), 'stg.adjust'),
    loads: await query(warehouse(), 'SELECT * FROM stg.load ORDER BY loaded_at, run_id'),
  });

  beforeAll(async () => {
    t = await startTestApp({ LOG_LEVEL: 'fatal' });
    workDir = await mkdtemp(path.join(os.tmpdir(), 'kpi-etl-cwd-'));
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'kpi-etl-data-'));
    folders.push(workDir, dataDir);
    settings = {
      PATH: process.env.PATH ?? '',
      HOME: os.homedir(),
      DATABASE_URL: t.databases.sourceUrl,
      WAREHOUSE_URL: t.databases.warehouseUrl,
      ADMIN_API_KEYS: ADMIN_KEY,
      CALLBACK_TOKEN: 'none',
      DATA_DIR: dataDir,
      ETL_SCHEDULE: 'off',
      ETL_RECONCILE_CRON: 'off',
      LOG_LEVEL: 'warn',
    };
  });
  afterAll(async () => {
    await Promise.all(started.map((child) => child.kill()));
    await t?.close();
    await Promise.all(folders.map((folder) => rm(folder, { recursive: true, force: true })));
  });

  describe('npm run etl -- --once', () => {
    it('loads what is stored, prints a summary line and exits with status 0', async () => {
      await storeCallbacks(t, [installCallback(), sessionCallback(), eventCallback()]);

      const cli = etl('--once');

      expect({ exit: await cli.exit(30_000), stderr: cli.stderr }).toEqual({ exit: { code: 0, signal: null }, stderr: '' });
      const [, id, rows] = SUMMARY.exec(cli.stdout) ?? [];
      expect({ stdout: cli.stdout, rows }).toEqual({ stdout: expect.stringMatching(SUMMARY), rows: '3' });
      expect(await runsAfter(Number(id) - 1)).toEqual([expect.objectContaining({ id: Number(id), status: 'succeeded', trigger: 'cli' })]);
      await expectConverged(t);
    });

    it.each([
      [[]],
      [['--window', '2']],
      [['--once', '--window', '0']],
      [['--once', '--window', '1.5']],
      [['--once', '--window', '3', '--rebuild']],
      [['--once', '--bogus']],
      [['--once', '--window']],
      [['--once', 'extra']],
    ])('prints the usage and exits with status 2, running nothing, on %j', async (args: string[]) => {
      const before = await lastRunId();

      const cli = etl(...args);

      expect(await cli.exit(15_000)).toEqual({ code: 2, signal: null });
      expect({ stdout: cli.stdout, stderr: cli.stderr }).toEqual({ stdout: '', stderr: expect.stringMatching(`^${escape(USAGE)}`) });
      expect(await lastRunId()).toBe(before);
    });

    it('exits with status 1, saying that it was skipped, while another run holds the lease', async () => {
      await storeCallbacks(t, [sessionCallback()]);
      const merges = await holdLocks(warehouse(), [BLOCK_MERGES]);
      let first: ServiceProcess;
      let firstId: number;
      try {
        first = etl('--once');
        // the first holds the lease and waits at the start of its merge
        await waitForLockWait(warehouse(), MERGE_FIRST_STATEMENT);
        [firstId] = await runningIds();

        const second = etl('--once');

        expect(await second.exit(30_000)).toEqual({ code: 1, signal: null });
        expect(second.stdout).toMatch(new RegExp(`^Run \\d+ skipped: run ${firstId} holds the ETL lease\\n$`));
        expect(second.stderr).toBe('');
      } finally {
        await merges.release();
      }

      expect(await first.exit(30_000)).toEqual({ code: 0, signal: null });
      expect(first.stdout).toMatch(SUMMARY);
      expect(first.stdout).toContain(`Run ${firstId} succeeded`);
      await expectConverged(t);
    });
  });

  describe('killed with SIGKILL in the middle of its merge', () => {
    it('leaves the last complete load in the warehouse and the lease free; the next run converges and marks it abandoned', async () => {
      // a load record older than the 30 days kept: the merge's last statement (prune-loads) deletes it,
      // so a row lock on it stops the merge after it has replaced rows and recorded its load, before COMMIT
      await query(
        warehouse(),
        "INSERT INTO stg.load (run_id, mode, loaded_at, resume_after_id, data_through, rows_loaded, maintained) VALUES (0, 'arrival', now() - interval '60 days', 0, NULL, 0, FALSE)",
      );
      await storeCallbacks(t, [eventCallback(), reattributionCallback()]);
      const before = await warehouseState();
      const held = await holdLocks(warehouse(), ['SELECT 1 FROM stg.load WHERE run_id = 0 FOR UPDATE']);
      let backend: number;
      let killedId: number;
      try {
        const killed = etl('--once');
        backend = await waitForLockWait(warehouse(), 'DELETE FROM stg.load');
        // mid-merge: it has written to stg.adjust, and none of it shows
        const written = await query(
          warehouse(),
          "SELECT mode FROM pg_locks WHERE pid = $1 AND relation = 'stg.adjust'::regclass AND mode = 'RowExclusiveLock'",
          [backend],
        );
        expect(written).toEqual([{ mode: 'RowExclusiveLock' }]);
        expect(await warehouseState()).toEqual(before);
        [killedId] = await runningIds();

        killed.signal('SIGKILL');

        expect(await killed.exit()).toEqual({ code: null, signal: 'SIGKILL' });
      } finally {
        await held.release();
      }
      // the orphaned warehouse session rolls back
      await sessionEnded(backend, "the killed run's warehouse session has ended");
      expect(await warehouseState()).toEqual(before);
      // the lease ended with the killed process's source session
      await waitForLeaseFree(t.databases.sourceUrl);
      expect(await runsAfter(killedId - 1)).toEqual([expect.objectContaining({ id: killedId, status: 'running' })]);

      const next = await runEtl(t);

      expect(next).toMatchObject({ status: 'succeeded', error: null });
      await expectConverged(t);
      const [abandoned] = await runsAfter(killedId - 1);
      expect(abandoned).toMatchObject({ id: killedId, status: 'failed', error: expect.stringMatching(/^abandoned: /) });
      // its merge never committed: the old load record it would have pruned went with the next run's merge
      expect(await query(warehouse(), 'SELECT run_id::int FROM stg.load ORDER BY loaded_at DESC LIMIT 1')).toEqual([{ run_id: next.id }]);
    });
  });

  describe('a rebuild killed with SIGKILL while it builds beside the live warehouse', () => {
    it('leaves the live warehouse as it was; the next load abandons its record, and the next rebuild starts over and swaps in', async () => {
      await storeCallbacks(t, [installCallback({ adid: 'killed-rebuild' }), sessionCallback({ adid: 'killed-rebuild' })]);
      expect((await runEtl(t)).status).toBe('succeeded');
      const before = await warehouseState();
      const rollupsBefore = await query(warehouse(), 'SELECT * FROM stg.active_change ORDER BY day, scope, app, os, country, channel');
      const held = await holdLocks(warehouse(), [HOLD_REBUILD]);
      let backend: number;
      let killedId: number;
      try {
        const killed = etl('--once', '--rebuild');
        backend = await waitForLockWait(warehouse(), REBUILD_HELD_AT.statement);
        [killedId] = await runningIds();
        // it has built the rows beside the live ones: none of it shows
        expect(await query(warehouse(), "SELECT to_regclass('stg.adjust_next') IS NOT NULL AS beside")).toEqual([{ beside: true }]);
        expect(await warehouseState()).toEqual(before);

        killed.signal('SIGKILL');

        expect(await killed.exit()).toEqual({ code: null, signal: 'SIGKILL' });
      } finally {
        await held.release();
      }
      await sessionEnded(backend, "the killed rebuild's warehouse session has ended");
      expect(await warehouseState()).toEqual(before);
      expect(await query(warehouse(), 'SELECT * FROM stg.active_change ORDER BY day, scope, app, os, country, channel')).toEqual(
        rollupsBefore,
      );

      // the repair lock ended with the killed process: the next load marks its record abandoned
      await storeCallbacks(t, [sessionCallback({ adid: 'killed-rebuild', created_at: String(NOW_EPOCH - 30) })]);
      expect(await runEtl(t)).toMatchObject({ status: 'succeeded', rowsLoaded: 1 });
      expect((await runsAfter(killedId - 1))[0]).toMatchObject({
        id: killedId,
        status: 'failed',
        error: expect.stringMatching(/^abandoned: /),
      });

      const rebuild = await runEtl(t, { mode: 'rebuild' });

      expect(rebuild).toMatchObject({ status: 'succeeded', error: null });
      expect(Object.keys(rebuild.stepMs)).toEqual(expect.arrayContaining(['prepare', 'swap']));
      await expectConverged(t);
      expect(
        await query(
          warehouse(),
          "SELECT tablename FROM pg_tables WHERE schemaname = 'stg' AND (tablename LIKE '%\\_next' OR tablename LIKE '%\\_old')",
        ),
      ).toEqual([]);
    });
  });

  describe('two services started at the same moment on the same databases', () => {
    it('run each scheduled tick once: one run loads, the other is recorded as skipped', async () => {
      await storeCallbacks(t, [installCallback()]);
      const before = await lastRunId();
      // one tick, far enough ahead for both to have started: then never again today
      const tick = Math.ceil(Date.now() / 1000) * 1000 + 10_000;
      const at = new Date(tick);
      const cron = `${at.getUTCSeconds()} ${at.getUTCMinutes()} ${at.getUTCHours()} * * *`;
      // the run that wins the tick waits in its merge, so the other's tick cannot come after it ended
      const merges = await holdLocks(warehouse(), [BLOCK_MERGES]);
      let services: ServiceProcess[];
      let tickRuns: RunRow[];
      try {
        // PORT=0: two ports asked for one after the other may be the same
        services = [1, 2].map(() => spawn({ PORT: '0', ETL_SCHEDULE: cron }));
        await Promise.all(services.map((service) => service.listeningPort(20_000)));
        if (Date.now() > tick - 500) throw new Error('the services started too late for the tick this test waits for');
        await waitUntil(async () => (await runsAfter(before)).length >= 2, tick - Date.now() + 10_000, 'both services have ticked');
        await waitForLockWait(warehouse(), MERGE_FIRST_STATEMENT);
        tickRuns = await runsAfter(before);
      } finally {
        await merges.release();
      }

      expect(tickRuns.map((run) => run.status).sort()).toEqual(['running', 'skipped']);
      const running = tickRuns.find((run) => run.status === 'running')!;
      const skipped = tickRuns.find((run) => run.status === 'skipped')!;
      for (const run of tickRuns) {
        expect(run).toMatchObject({ trigger: 'schedule', mode: 'arrival' });
        expect(Math.abs(run.started_at.getTime() - tick)).toBeLessThan(2_000);
      }
      // the skipped tick may come before the winner has recorded its run, and then cannot name it
      expect(skipped.error).toBe(`run ${running.id} holds the ETL lease`);
      await waitUntil(async () => (await runsAfter(running.id - 1))[0].status !== 'running', 15_000, 'the scheduled run has ended');
      for (const service of services) service.signal('SIGTERM');
      for (const service of services) expect(await service.exit(15_000)).toEqual({ code: 0, signal: null });
      expect((await runsAfter(before)).map(({ id, status }) => ({ id, status }))).toEqual(
        [
          { id: running.id, status: 'succeeded' },
          { id: skipped.id, status: 'skipped' },
        ].sort((a, b) => a.id - b.id),
      );
      await expectConverged(t);
    });
  });

  describe('two services on the continuous schedule', () => {
    it('take turns: every load starts at least ETL_MIN_INTERVAL after the last one, none overlaps, none is recorded as skipped', async () => {
      const before = await lastRunId();
      const services = [1, 2].map(() => spawn({ PORT: '0', ETL_SCHEDULE: 'continuous', ETL_MIN_INTERVAL: '1' }));
      await Promise.all(services.map((service) => service.listeningPort(20_000)));
      // callbacks keep arriving while both services load
      for (let round = 0; round < 6; round++) {
        await storeCallbacks(t, [sessionCallback(), installCallback()]);
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      await waitUntil(async () => (await runsAfter(before)).length >= 5, 20_000, 'five continuous loads');
      for (const service of services) service.signal('SIGTERM');
      for (const service of services) expect(await service.exit(15_000)).toEqual({ code: 0, signal: null });

      const runs = await query<{ status: string; trigger: string; started_ms: number; finished_ms: number }>(
        t.databases.sourceUrl,
        `SELECT status, trigger, extract(epoch FROM started_at) * 1000 AS started_ms, extract(epoch FROM finished_at) * 1000 AS finished_ms
         FROM mob.etl_run WHERE id > $1 ORDER BY id`,
        [before],
      );
      expect(new Set(runs.map((run) => `${run.status} ${run.trigger}`))).toEqual(new Set(['succeeded schedule']));
      for (let i = 1; i < runs.length; i++) {
        // the source's clock decides, and a millisecond of rounding in the interval check is allowed
        expect(Number(runs[i].started_ms) - Number(runs[i - 1].started_ms)).toBeGreaterThanOrEqual(999);
        expect(Number(runs[i].started_ms)).toBeGreaterThanOrEqual(Number(runs[i - 1].finished_ms));
      }
      // the last load may have ended before the last callbacks: one more takes them in
      expect((await runEtl(t)).status).toBe('succeeded');
      await expectConverged(t);
    });
  });
});

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
