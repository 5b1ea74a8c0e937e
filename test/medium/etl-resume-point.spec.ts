import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import type { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver.js';
import { SOURCE_DB } from '../../src/database/connections.js';
import { type CheckedOutClient, checkoutClient } from '../../src/database/pg-client.js';
import { EtlService } from '../../src/etl/etl.service.js';
import { SourceExtractor } from '../../src/etl/extract/source-extractor.js';
import { installCallback, sessionCallback } from '../support/adjust-callbacks.js';
import { expectConverged, insertUncommitted, query, runEtl, storeCallbacks } from '../support/etl.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

// The exact resume point: an arrival-mode run reads the rows after the highest id the previous extract
// saw, and the rows of the transactions that extract could not see; nothing else, however long a
// writer's transaction stays open.

async function installsLoaded(app: TestApp): Promise<number> {
  const [row] = await query<{ installs: number }>(
    app.databases.warehouseUrl,
    'SELECT COALESCE(SUM(installs), 0)::int AS installs FROM stg.daily_installs',
  );
  return row.installs;
}

async function copiesInWarehouse(app: TestApp, id: string): Promise<number> {
  const [row] = await query<{ n: number }>(app.databases.warehouseUrl, 'SELECT count(*)::int AS n FROM stg.adjust WHERE id = $1', [id]);
  return row.n;
}

describe(`${EtlService.name} resume point`, () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp();
    await storeCallbacks(app, [installCallback(), sessionCallback()]);
    const first = await runEtl(app);
    if (first.status !== 'succeeded') throw new Error(`the first load ${first.status}: ${first.error}`);
  });

  afterAll(async () => {
    await app?.close();
  });

  it('re-reads nothing when no transaction was in flight', async () => {
    expect(await runEtl(app)).toMatchObject({ status: 'succeeded', rowsExtracted: 0, rowsLoaded: 0 });
    await storeCallbacks(app, [sessionCallback(), sessionCallback(), installCallback()]);
    // exactly the three new rows, not the earlier ones again
    expect(await runEtl(app)).toMatchObject({ status: 'succeeded', rowsExtracted: 3 });
    expect(await runEtl(app)).toMatchObject({ status: 'succeeded', rowsExtracted: 0 });
    await expectConverged(app);
  });

  it('loads exactly once a row with a lower id whose transaction commits after a run read higher ids', async () => {
    const installsBefore = await installsLoaded(app);
    const held = await insertUncommitted(app, installCallback());
    try {
      await storeCallbacks(app, [sessionCallback()]);
      // the session (a higher id) is loaded; the held install is not visible yet
      expect(await runEtl(app)).toMatchObject({ status: 'succeeded', rowsExtracted: 1 });
      expect(await copiesInWarehouse(app, held.id)).toBe(0);
      // still in flight at the second run: nothing to read, and the third run still looks for it
      expect(await runEtl(app)).toMatchObject({ status: 'succeeded', rowsExtracted: 0 });
      await held.client.query('COMMIT');
    } finally {
      await held.client.end();
    }
    expect(await runEtl(app)).toMatchObject({ status: 'succeeded', rowsExtracted: 1, rowsLoaded: 1 });
    expect(await copiesInWarehouse(app, held.id)).toBe(1);
    expect(await installsLoaded(app)).toBe(installsBefore + 1);
    // and never again
    expect(await runEtl(app)).toMatchObject({ status: 'succeeded', rowsExtracted: 0 });
    expect(await installsLoaded(app)).toBe(installsBefore + 1);
    await expectConverged(app);
  });

  it('loads a row whose id was taken before a run and whose transaction began writing after it', async () => {
    // a writer's id comes from the sequence before its transaction has a transaction id: a snapshot taken
    // between the two lists no transaction in flight, so only "at or after its xmax" finds the row. The id
    // is taken in a statement of its own: nextval takes a transaction id when it logs the sequence (the
    // first time after a checkpoint), which would put the writer's transaction in flight instead.
    const writer = new pg.Client({ connectionString: app.databases.sourceUrl });
    await writer.connect();
    try {
      const [{ id }] = (await writer.query<{ id: string }>("SELECT nextval(pg_get_serial_sequence('mob.adjust', 'id')) AS id")).rows;
      await writer.query('BEGIN');
      expect((await writer.query('SELECT pg_current_xact_id_if_assigned() AS xid')).rows[0].xid).toBeNull();
      await storeCallbacks(app, [sessionCallback()]);
      expect(await runEtl(app)).toMatchObject({ status: 'succeeded', rowsExtracted: 1 });
      // the writer stores its row now, under the id it took before the run (a copy of the newest row)
      await writer.query('CREATE TEMP TABLE late AS SELECT * FROM mob.adjust ORDER BY id DESC LIMIT 1');
      await writer.query(
        "UPDATE late SET id = $1, dedup_key = decode(md5('taken before the run'), 'hex'), xact_id = pg_current_xact_id()",
        [id],
      );
      await writer.query('INSERT INTO mob.adjust OVERRIDING SYSTEM VALUE SELECT * FROM late');
      await writer.query('COMMIT');
      expect(await runEtl(app)).toMatchObject({ status: 'succeeded', rowsExtracted: 1, rowsLoaded: 1 });
      expect(await copiesInWarehouse(app, id)).toBe(1);
      expect(await runEtl(app)).toMatchObject({ status: 'succeeded', rowsExtracted: 0 });
    } finally {
      await writer.end();
    }
    await expectConverged(app);
  });

  it('forgets a transaction that was in flight and rolled back', async () => {
    const held = await insertUncommitted(app, installCallback());
    try {
      expect(await runEtl(app)).toMatchObject({ status: 'succeeded', rowsExtracted: 0 });
      await held.client.query('ROLLBACK');
    } finally {
      await held.client.end();
    }
    expect(await runEtl(app)).toMatchObject({ status: 'succeeded', rowsExtracted: 0 });
    expect(await copiesInWarehouse(app, held.id)).toBe(0);
    await expectConverged(app);
  });

  it('after a load recorded by an older version (an id minutes behind, no snapshot), reads the overlap again once and counts it once', async () => {
    await storeCallbacks(app, [installCallback(), installCallback(), sessionCallback()]);
    expect((await runEtl(app)).status).toBe('succeeded');
    const installs = await installsLoaded(app);
    // what the older version recorded: a resume point a few rows back, and no snapshot
    const [{ id }] = await query<{ id: string }>(app.databases.sourceUrl, 'SELECT id FROM mob.adjust ORDER BY id DESC OFFSET 3 LIMIT 1');
    await query(
      app.databases.warehouseUrl,
      'UPDATE stg.load SET resume_after_id = $1, resume_snapshot = NULL WHERE run_id = (SELECT max(run_id) FROM stg.load)',
      [id],
    );
    const reread = await runEtl(app);
    expect(reread).toMatchObject({ status: 'succeeded', rowsExtracted: 3 });
    expect(await installsLoaded(app)).toBe(installs);
    expect(await runEtl(app)).toMatchObject({ status: 'succeeded', rowsExtracted: 0 });
    await expectConverged(app);
  });

  it("describes exactly the rows its COPY streams, in the extract's snapshot, though the description's connection starts after a row committed", async () => {
    const source = app.app.get<DataSource>(SOURCE_DB);
    const pool = (source.driver as PostgresDriver).master as pg.Pool;
    const held = await insertUncommitted(app, sessionCallback());
    // every connection of the pool but the extract's: the description waits for one of them
    const others: CheckedOutClient[] = [];
    try {
      while (others.length < pool.options.max - 1) others.push(await checkoutClient(source));
      const { summary, result: streamed } = await app.app
        .get(SourceExtractor)
        .extract({ afterId: '0', afterSnapshot: null, windowStart: null }, async (rows, rowCount) => {
          // in flight when the extract took its snapshot, committed before the description begins
          await held.client.query('COMMIT');
          others.pop()!.release();
          await rowCount;
          const chunks: Buffer[] = [];
          for await (const chunk of rows) chunks.push(chunk);
          // the COPY's lines: id|received_at|…
          return Buffer.concat(chunks)
            .toString()
            .split('\n')
            .filter(Boolean)
            .map((line) => line.slice(0, line.indexOf('|')));
        });
      const [{ committed }] = await query<{ committed: number }>(
        app.databases.sourceUrl,
        'SELECT count(*)::int AS committed FROM mob.adjust',
      );
      expect(streamed).not.toContain(held.id);
      expect(streamed).toHaveLength(committed - 1);
      expect(summary.rows).toBe(streamed.length);
    } finally {
      others.forEach((client) => client.release());
      await held.client.end();
    }
  });
});
