import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { createRandom } from '../../src/demo/random.js';
import type { EtlRunView, EtlStep } from '../../src/etl/etl-run.js';
import { EtlService } from '../../src/etl/etl.service.js';
import { installCallback, NOW_EPOCH, sessionCallback } from '../support/adjust-callbacks.js';
import { expectConverged, insertUncommitted, query, runEtl, storeCallbacks, waitForLockWait } from '../support/etl.js';
import { activity, pick, rollups, type SentInstall } from '../support/random-activities.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

// A repair's steps, in order: each may see arrival loads land beside it, and a fault after any of them
// must leave the live warehouse as the last complete load left it.
const REPAIR_STEPS: EtlStep[] = ['prepare', 'extract', 'stage', 'load', 'merge', 'swap'];
// Where arrival loads land beside a repair: also right after it took its lock (before it copies the live
// tables), and not after the swap's step, where it holds the ETL lease.
const LANDING_STEPS: EtlStep[] = ['lease', ...REPAIR_STEPS.slice(0, -1)];

describe(`${EtlService.name}: repairs beside the live warehouse`, () => {
  let t: TestApp;
  // what happens after a step of the repair in progress (its merge's: inside its transaction), once
  let meanwhile: { step: EtlStep; action: () => Promise<void> } | null = null;
  // the repair step after which the repair fails, or null
  let failAfter: EtlStep | null = null;
  let acting = false;

  beforeAll(async () => {
    t = await startTestApp(
      {},
      {
        etlStepHook: async (step) => {
          // the loads an action starts run the same hook: it is the repair's alone
          if (acting) return;
          if (step === meanwhile?.step) {
            const { action } = meanwhile;
            meanwhile = null;
            acting = true;
            await action().finally(() => (acting = false));
          }
          if (step === failAfter) {
            failAfter = null;
            throw new Error(`injected fault after ${step}`);
          }
        },
      },
    );
  });
  afterAll(async () => {
    await t?.close();
  });

  const shadows = async () =>
    (
      await query<{ name: string }>(
        t.databases.warehouseUrl,
        "SELECT tablename AS name FROM pg_tables WHERE schemaname = 'stg' AND (tablename LIKE '%\\_next' OR tablename LIKE '%\\_old') ORDER BY 1",
      )
    ).map((row) => row.name);
  // an arrival load that must succeed (in a loop of random steps, where an expect would be conditional)
  const arrivalLoad = async () => {
    const run = await runEtl(t);
    if (run.status !== 'succeeded') throw new Error(`arrival load ${run.id} ${run.status}: ${run.error}`);
  };
  const loadRecords = () =>
    query<{ run_id: number; mode: string }>(t.databases.warehouseUrl, 'SELECT run_id::int, mode FROM stg.load ORDER BY run_id');

  it('builds a rebuild in place when nothing is live yet (the first build)', async () => {
    await storeCallbacks(t, [installCallback({ adid: 'first-1' }), sessionCallback({ adid: 'first-1' })]);

    const run = await runEtl(t, { mode: 'rebuild' });

    expect(run).toMatchObject({ status: 'succeeded', rowsLoaded: 2 });
    expect(Object.keys(run.stepMs)).not.toContain('prepare');
    expect(await shadows()).toEqual([]);
    await expectConverged(t);
  });

  it('replaces every row of a warehouse with loads but no build in place, by TRUNCATE: new files, every page frozen, no row counted as new', async () => {
    // loads recorded before any rollup build (a warehouse from before the rollups): nothing live to keep
    await query(t.databases.warehouseUrl, 'DELETE FROM stg.rollup_build');
    const [before] = await query<{ node: string; rows: number }>(
      t.databases.warehouseUrl,
      "SELECT pg_relation_filenode('stg.adjust')::text AS node, count(*)::int AS rows FROM stg.adjust",
    );
    expect(before.rows).toBeGreaterThan(0);

    const run = await runEtl(t, { mode: 'rebuild' });

    expect(run).toMatchObject({ status: 'succeeded', rowsLoaded: before.rows });
    expect(Object.keys(run.stepMs)).not.toContain('prepare');
    await query(t.databases.warehouseUrl, 'CREATE EXTENSION IF NOT EXISTS pg_visibility');
    const [after] = await query<{ node: string; pages: number; frozen: number; rows_new: number }>(
      t.databases.warehouseUrl,
      `SELECT pg_relation_filenode('stg.adjust')::text AS node,
              (pg_relation_size('stg.adjust') / current_setting('block_size')::int)::int AS pages,
              (SELECT all_frozen FROM pg_visibility_map_summary('stg.adjust'))::int AS frozen,
              (SELECT rows_new FROM stg.load WHERE run_id = $1)::int AS rows_new`,
      [run.id],
    );
    expect(after.node).not.toBe(before.node);
    expect(after.pages).toBeGreaterThan(0);
    expect(after.frozen).toBe(after.pages);
    expect(after.rows_new).toBe(0);
    await expectConverged(t);
  });

  it('copies the live tables of a window run into new files of the tables beside them (without WAL on a wal_level=minimal server)', async () => {
    await storeCallbacks(t, [installCallback({ adid: 'files-1' }), sessionCallback({ adid: 'files-1' })]);
    expect((await runEtl(t)).status).toBe('succeeded');
    let tables: { name: string; new_files: boolean }[] = [];
    let copiedRows = -1;
    meanwhile = {
      step: 'prepare',
      action: async () => {
        // a table keeps the files it was created with (relfilenode = its oid) until a TRUNCATE gives it new ones
        tables = await query(
          t.databases.warehouseUrl,
          `SELECT c.relname AS name, c.relfilenode <> c.oid AS new_files
           FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = 'stg' AND c.relkind = 'r' AND c.relname IN ('adjust_next', 'daily_installs_next', 'active_change_next')
           ORDER BY 1`,
        );
        [{ rows: copiedRows }] = await query<{ rows: number }>(
          t.databases.warehouseUrl,
          'SELECT count(*)::int AS rows FROM stg.adjust_next',
        );
      },
    };

    expect((await runEtl(t, { mode: 'window', windowDays: 3 })).status).toBe('succeeded');

    expect(tables).toEqual([
      { name: 'active_change_next', new_files: true },
      { name: 'adjust_next', new_files: true },
      { name: 'daily_installs_next', new_files: true },
    ]);
    const [{ rows: live }] = await query<{ rows: number }>(t.databases.warehouseUrl, 'SELECT count(*)::int AS rows FROM stg.adjust');
    expect(copiedRows).toBe(live);
    await expectConverged(t);
  });

  it.each(['rebuild', 'window'] as const)(
    'lets arrival loads land while a %s works, then swaps it in: the live tables untouched until then, every rollup as a rebuild leaves it',
    async (mode) => {
      await storeCallbacks(t, [installCallback({ adid: `${mode}-1` }), sessionCallback({ adid: `${mode}-1` })]);
      expect((await runEtl(t)).status).toBe('succeeded');
      const live = await rollups(t);
      const arrivals: EtlRunView[] = [];
      let secondRepair: EtlRunView | null = null;
      let liveDuringBuild: Awaited<ReturnType<typeof rollups>> | null = null;
      meanwhile = {
        step: 'merge',
        action: async () => {
          // the repair's build is written, not committed: the live tables are as the last load left them
          liveDuringBuild = await rollups(t);
          await storeCallbacks(t, [
            sessionCallback({ adid: `${mode}-1`, created_at: String(NOW_EPOCH - 60) }),
            installCallback({ adid: `${mode}-2` }),
          ]);
          arrivals.push(await runEtl(t));
          secondRepair = await runEtl(t, { mode: 'rebuild' });
        },
      };

      const repair = await runEtl(t, { mode, windowDays: 3 });

      expect(repair).toMatchObject({ status: 'succeeded', error: null });
      expect(Object.keys(repair.stepMs)).toEqual(expect.arrayContaining(['prepare', 'swap']));
      expect(repair.progress).toMatchObject({ phase: 'swap', percent: 100 });
      expect(liveDuringBuild).toEqual(live);
      // the arrival load ran (and loaded its rows) while the repair held its own lock
      expect(arrivals).toEqual([expect.objectContaining({ status: 'succeeded', rowsLoaded: 2 })]);
      expect(secondRepair).toMatchObject({
        status: 'skipped',
        error: `run ${repair.id} holds the repair lock (one window run or rebuild at a time)`,
      });
      // the repair's catch-up loaded the arrival's rows beside the live tables before the swap
      await expectConverged(t);
      expect(await shadows()).toEqual([]);
      // its record is the latest: the next load resumes from it; the arrival's record went with the swap
      expect((await loadRecords()).at(-1)).toEqual({ run_id: repair.id, mode });
      expect((await loadRecords()).filter((record) => record.run_id > repair.id)).toEqual([]);
      const repaired = await rollups(t);
      expect((await runEtl(t)).status).toBe('succeeded');
      expect(await rollups(t)).toEqual(repaired);

      expect((await runEtl(t, { mode: 'rebuild' })).status).toBe('succeeded');
      expect(await rollups(t)).toEqual(repaired);
    },
  );

  it('resumes its catch-up from its own build, whatever loads landed between its start and its copy of the live tables', async () => {
    await storeCallbacks(t, [sessionCallback({ adid: 'resume-1', created_at: String(NOW_EPOCH - 70) })]);
    expect((await runEtl(t)).status).toBe('succeeded');
    // a writer's transaction in flight while a load lands after the repair's start, committed before its copy
    const held = await insertUncommitted(t, sessionCallback({ adid: 'resume-2', created_at: String(NOW_EPOCH - 60) }));
    meanwhile = {
      step: 'lease',
      action: async () => {
        await storeCallbacks(t, [installCallback({ adid: 'resume-3' })]);
        await arrivalLoad();
        await held.client.query('COMMIT');
        await held.client.end();
      },
    };

    const repair = await runEtl(t, { mode: 'window', windowDays: 2 });

    expect(repair).toMatchObject({ status: 'succeeded', error: null });
    await expectConverged(t);
    const repaired = await rollups(t);
    expect((await runEtl(t, { mode: 'rebuild' })).status).toBe('succeeded');
    expect(await rollups(t)).toEqual(repaired);
  });

  it('tries the swap again when it meets a deadlock with a reader that locks the tables in another order', async () => {
    await storeCallbacks(t, [sessionCallback({ adid: 'deadlock-1', created_at: String(NOW_EPOCH - 50) })]);
    expect((await runEtl(t)).status).toBe('succeeded');
    const reader = new pg.Client({ connectionString: t.databases.warehouseUrl });
    await reader.connect();
    let readerDone: Promise<unknown> = Promise.resolve();
    meanwhile = {
      step: 'swap',
      action: async () => {
        // a reader that holds stg.active_device, and will want stg.daily_installs, which the swap renames first
        await reader.query('BEGIN');
        await reader.query('SELECT count(*) FROM stg.active_device');
        readerDone = (async () => {
          await waitForLockWait(t.databases.warehouseUrl, 'RENAME TO active_device_old');
          // the swap waits for the reader, the reader for the swap: PostgreSQL ends the swap's transaction
          await reader.query('SELECT count(*) FROM stg.daily_installs');
          await reader.query('ROLLBACK');
        })();
      },
    };

    try {
      const repair = await runEtl(t, { mode: 'rebuild' });
      await readerDone;

      expect(repair).toMatchObject({ status: 'succeeded', error: null });
      await expectConverged(t);
      expect(await shadows()).toEqual([]);
    } finally {
      await reader.end();
    }
  });

  it("records a rebuild's rows and statements, its build's and its catch-up's, in one run", async () => {
    await storeCallbacks(t, [sessionCallback({ adid: 'counted-1', created_at: String(NOW_EPOCH - 90) })]);
    expect((await runEtl(t)).status).toBe('succeeded');
    const [{ rows: built }] = await query<{ rows: number }>(t.databases.sourceUrl, 'SELECT count(*)::int AS rows FROM mob.adjust');
    meanwhile = {
      step: 'extract',
      action: async () => {
        await storeCallbacks(t, [
          sessionCallback({ adid: 'counted-2', created_at: String(NOW_EPOCH - 80) }),
          installCallback({ adid: 'counted-3' }),
        ]);
        await arrivalLoad();
      },
    };

    const rebuild = await runEtl(t, { mode: 'rebuild' });

    // every row once by the build, and the two that landed after its extract once more by its catch-up
    expect(rebuild).toMatchObject({ status: 'succeeded', rowsExtracted: built + 2, rowsLoaded: built + 2 });
    expect(Object.keys(rebuild.rollupMs)).toEqual(expect.arrayContaining(['full-build/clear', 'delta/load-rows']));
    expect((await loadRecords()).at(-1)).toEqual({ run_id: rebuild.id, mode: 'rebuild' });
    await expectConverged(t);
  });

  it.each(REPAIR_STEPS)(
    'a repair that fails after %s leaves the live warehouse as the last load left it, and its tables gone',
    async (step) => {
      await storeCallbacks(t, [sessionCallback({ adid: `fault-${step}` })]);
      expect((await runEtl(t)).status).toBe('succeeded');
      const before = await rollups(t);
      failAfter = step;

      const failed = await runEtl(t, { mode: 'rebuild' });

      expect(failed).toMatchObject({ status: 'failed', error: `${step} failed: injected fault after ${step}` });
      expect(await rollups(t)).toEqual(before);
      await expectConverged(t);
      expect(await shadows()).toEqual([]);
      expect((await loadRecords()).map((record) => record.run_id)).not.toContain(failed.id);
      expect((await runEtl(t, { mode: 'rebuild' })).status).toBe('succeeded');
      expect(await rollups(t)).toEqual(before);
    },
  );

  // Randomized: arrival loads, window runs and rebuilds in any order, arrival loads landing after any
  // step of a repair, faults after any step; the rollups always end as a rebuild's.
  it.each([31, 32, 33])(
    'leaves every rollup as a rebuild would after any interleaving of repairs, arrival loads and faults (seed %i)',
    async (seed) => {
      const random = createRandom(seed);
      const devices = Array.from({ length: 20 }, (_unused, device) => `repair-${seed}-${device}`);
      const installs: SentInstall[] = [];
      const batch = (round: number) =>
        storeCallbacks(
          t,
          Array.from({ length: 15 }, () => activity(random, round, devices, installs)),
        );
      // per repair: how it ended, and for a failed one what it left (the live rollups, any table of its own)
      const ended: { run: Partial<EtlRunView>; left: unknown }[] = [];
      const expected: typeof ended = [];
      for (let round = 0; round < 10; round++) {
        await batch(round);
        if (random.next() < 0.45) {
          await arrivalLoad();
          continue;
        }
        const mode = random.next() < 0.5 ? 'rebuild' : 'window';
        const fault = random.next() < 0.4 ? pick(random, REPAIR_STEPS) : null;
        const landing = pick(random, LANDING_STEPS);
        const arrivals = Math.floor(random.next() * 3);
        // what a failed repair leaves: the live state once the arrival loads beside it have landed (if
        // they did before the fault), else as it was before the repair
        let live = await rollups(t);
        meanwhile = {
          step: landing,
          action: async () => {
            for (let load = 0; load < arrivals; load++) {
              await batch(round);
              await arrivalLoad();
            }
            live = await rollups(t);
          },
        };
        failAfter = fault;
        const run = await runEtl(t, { mode, windowDays: 1 + Math.floor(random.next() * 7) });
        meanwhile = null;
        failAfter = null;
        ended.push({ run: { status: run.status, error: run.error }, left: fault && { live: await rollups(t), shadows: await shadows() } });
        expected.push({
          run: fault ? { status: 'failed', error: `${fault} failed: injected fault after ${fault}` } : { status: 'succeeded', error: null },
          left: fault && { live, shadows: [] },
        });
      }
      expect(ended).toEqual(expected);
      expect(ended.filter((repair) => repair.run.status === 'succeeded').length).toBeGreaterThan(1);
      expect(ended.filter((repair) => repair.run.status === 'failed').length).toBeGreaterThan(0);
      expect((await runEtl(t)).status).toBe('succeeded');
      await expectConverged(t);
      const loaded = await rollups(t);
      expect(loaded.changes.length).toBeGreaterThan(20);

      expect((await runEtl(t, { mode: 'rebuild' })).status).toBe('succeeded');
      expect(await rollups(t)).toEqual(loaded);
    },
  );
});
