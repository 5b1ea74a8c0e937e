import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { SqlCatalog } from '../../src/database/sql-catalog.js';
import type { EtlStep } from '../../src/etl/etl-run.js';
import { EtlService } from '../../src/etl/etl.service.js';
import { installCallback } from '../support/adjust-callbacks.js';
import { runEtl, storeCallbacks } from '../support/etl.js';
import { getMetric, loadCallbacks, noon } from '../support/metrics-api.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

// Redshift's LOCK is always ACCESS EXCLUSIVE and held to COMMIT (redshift.md §7, finding 2): whatever
// table the merge locks, nobody can read it until the load commits. The stand-in takes the same lock, so
// these tests see what Redshift would do: readers of stg.load (freshness, the resume point) never wait.
describe(`${EtlService.name} merge lock`, () => {
  let t: TestApp;
  // the merge's transaction stays open (after the rollups, before the load record) until `release`
  let mergeOpen: () => void = () => undefined;
  let release: () => void = () => undefined;
  let holding = false;

  beforeAll(async () => {
    t = await startTestApp(
      {},
      {
        etlStepHook: async (step: EtlStep) => {
          if (step !== 'merge' || !holding) return;
          const released = new Promise<void>((resolve) => (release = resolve));
          mergeOpen();
          await released;
        },
      },
    );
    // a first load, so stg.load has a record to read
    await loadCallbacks(t, [installCallback({ created_at: noon('2026-11-19') })]);
  });
  afterAll(async () => {
    await t.close();
  });

  // A session of the warehouse that gives up on any lock after 300 ms instead of waiting.
  async function impatientClient(): Promise<pg.Client> {
    const client = new pg.Client({ connectionString: t.databases.warehouseUrl, options: '-c TimeZone=UTC -c lock_timeout=300' });
    await client.connect();
    return client;
  }

  async function withOpenMerge(work: (mergePid: number) => Promise<void>): Promise<void> {
    holding = true;
    const opened = new Promise<void>((resolve) => (mergeOpen = resolve));
    await storeCallbacks(t, [installCallback({ created_at: noon('2026-11-20') })]);
    const run = runEtl(t);
    await opened;
    try {
      const client = await impatientClient();
      try {
        const { rows } = await client.query<{ pid: number }>(
          "SELECT pid FROM pg_locks WHERE relation = 'stg.load_lock'::regclass AND granted AND mode = 'AccessExclusiveLock'",
        );
        expect(rows).toHaveLength(1);
        await work(rows[0].pid);
      } finally {
        await client.end();
      }
    } finally {
      holding = false;
      release();
      await expect(run).resolves.toMatchObject({ status: 'succeeded' });
    }
  }

  it('holds ACCESS EXCLUSIVE, as Redshift does, on stg.load_lock and nothing readers of stg.load wait for', async () => {
    await withOpenMerge(async (mergePid) => {
      const client = await impatientClient();
      try {
        // the merge's locks on stg.load, if any, are those of writers, which readers never wait for
        const { rows } = await client.query<{ mode: string }>(
          "SELECT mode FROM pg_locks WHERE relation = 'stg.load'::regclass AND pid = $1",
          [mergePid],
        );
        expect(rows.map((row) => row.mode).filter((mode) => !['AccessShareLock', 'RowExclusiveLock'].includes(mode))).toEqual([]);
      } finally {
        await client.end();
      }
    });
  });

  it('lets the freshness query and the resume point read stg.load while a load is open', async () => {
    await withOpenMerge(async () => {
      const sql = t.app.get(SqlCatalog);
      const client = await impatientClient();
      try {
        // even a reader that takes Redshift's only lock mode on stg.load gets it at once
        await client.query('BEGIN');
        await expect(client.query('LOCK TABLE stg.load IN ACCESS EXCLUSIVE MODE')).resolves.toBeDefined();
        await client.query('ROLLBACK');
        const freshness = await client.query(sql.get('metrics/freshness'), [null]);
        expect(freshness.rows).toHaveLength(1);
        const last = await client.query(sql.get('etl/warehouse/last-load'));
        expect(last.rows).toHaveLength(1);
      } finally {
        await client.end();
      }
      // a klip answers (its freshness and version check read stg.load) without waiting for the load: the
      // first load's install (the open loads' installs are on 11-20)
      await expect(getMetric(t, 'installs', { from: '2026-11-19', to: '2026-11-19' })).resolves.toMatchObject({
        summary: { total: 1 },
      });
    });
  });

  it('still makes a second merge wait for the first', async () => {
    await withOpenMerge(async () => {
      const client = await impatientClient();
      try {
        await client.query('BEGIN');
        await expect(client.query(t.app.get(SqlCatalog).get('etl/warehouse/postgres/lock-loads'))).rejects.toThrow(/lock timeout/);
      } finally {
        await client.query('ROLLBACK').catch(() => undefined);
        await client.end();
      }
    });
  });
});
