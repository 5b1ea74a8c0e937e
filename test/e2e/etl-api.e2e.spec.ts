import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { EtlController } from '../../src/etl/etl.controller.js';
import type { EtlRunView } from '../../src/etl/etl-run.js';
import { callbackUrl, eventCallback, installCallback, sessionCallback } from '../support/adjust-callbacks.js';
import {
  BLOCK_MERGES,
  expectConverged,
  HOLD_REBUILD,
  holdLocks,
  MERGE_FIRST_STATEMENT,
  query,
  REBUILD_HELD_AT,
  waitForLeaseFree,
  waitForLockWait,
} from '../support/etl.js';
import { waitUntil } from '../support/service-process.js';
import { ADMIN_KEY, API_KEY, startTestApp, type TestApp } from '../support/test-app.js';

const RUNS = '/api/v1/etl/runs';

describe(EtlController.name, () => {
  let t: TestApp;
  const server = () => t.app.getHttpServer() as Server;
  const asAdmin = {
    get: (path: string) => request(server()).get(path).set('X-API-Key', ADMIN_KEY),
    post: (body?: object) => {
      const test = request(server()).post(RUNS).set('X-API-Key', ADMIN_KEY);
      return body === undefined ? test : test.send(body);
    },
  };
  const store = async (callbacks: URLSearchParams[]) => {
    for (const callback of callbacks) await request(server()).get(callbackUrl(callback)).expect(200, { status: 'stored' });
  };
  const runCount = async () => ((await asAdmin.get(`${RUNS}?limit=100`).expect(200)).body as EtlRunView[]).length;

  // The run's record once it has left 'running'.
  async function settled(id: number): Promise<EtlRunView> {
    let run: EtlRunView | undefined;
    await waitUntil(
      async () => {
        const res = await asAdmin.get(`${RUNS}/${id}`).expect(200);
        run = res.body as EtlRunView;
        return run.status !== 'running';
      },
      15_000,
      `run ${id} has ended`,
    );
    // so that the next POST is not refused: the record shows the end a moment before the lease is released
    await waitForLeaseFree(t.databases.sourceUrl);
    return run!;
  }

  beforeAll(async () => {
    // 4xx answers are what several tests provoke: keep the request log quiet
    t = await startTestApp({ LOG_LEVEL: 'fatal' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('starts a run in the background (202) that loads every stored callback', async () => {
    await store([installCallback(), sessionCallback(), eventCallback()]);

    const res = await asAdmin.post().expect(202);

    expect(res.body).toEqual({ id: expect.any(Number), status: 'running' });
    const run = await settled(res.body.id);
    expect(run).toMatchObject({
      id: res.body.id,
      status: 'succeeded',
      trigger: 'api',
      mode: 'arrival',
      rowsExtracted: 3,
      rowsLoaded: 3,
      stagedFiles: 1,
      daysRefreshed: ['2026-11-20'],
      error: null,
    });
    expect(run.stagedBytes).toBeGreaterThan(0);
    expect(Date.parse(run.finishedAt!)).toBeGreaterThanOrEqual(Date.parse(run.startedAt));
    expect(Object.keys(run.stepMs).sort()).toEqual(expect.arrayContaining(['extract', 'lease', 'load', 'merge', 'rollups', 'stage']));
    // the warehouse maintenance follows the run's end, outside the lease; its time joins the record
    await waitUntil(
      async () => 'maintain' in ((await asAdmin.get(`${RUNS}/${run.id}`).expect(200)).body as EtlRunView).stepMs,
      15_000,
      `run ${run.id} has recorded its maintenance`,
    );
    await expectConverged(t);
  });

  it('takes the mode and window from the body', async () => {
    const res = await asAdmin.post({ mode: 'window', windowDays: 3 }).expect(202);

    const run = await settled(res.body.id);
    expect(run).toMatchObject({ status: 'succeeded', mode: 'window', trigger: 'api' });
    await expectConverged(t);
  });

  it("records where a rebuild's rollup step spent its time, statement by statement", async () => {
    await store([installCallback(), sessionCallback()]);
    // the rebuild waits at its active-window changes while the lock is held
    const held = await holdLocks(t.databases.warehouseUrl, [HOLD_REBUILD]);
    const HELD_MS = 600;
    let id: number;
    try {
      id = (await asAdmin.post({ mode: 'rebuild' }).expect(202)).body.id;
      await waitForLockWait(t.databases.warehouseUrl, REBUILD_HELD_AT.statement);
      await new Promise((resolve) => setTimeout(resolve, HELD_MS));
    } finally {
      await held.release();
    }
    const run = await settled(id);
    expect(run.status).toBe('succeeded');
    const statements = Object.keys(run.rollupMs);
    // in the order they first ran: the settings, the work tables, then the build
    const built = [
      'work/create-refresh-device',
      'full-build/load-days',
      'full-build/clear',
      'recount/insert-counts',
      'active-windows/add-active-changes',
      'merge into stg.active_change',
    ];
    expect(statements[0]).toBe('settings/registration-events');
    expect(statements.filter((name) => built.includes(name))).toEqual(built);
    expect(run.rollupMs[REBUILD_HELD_AT.detail]).toBeGreaterThanOrEqual(HELD_MS);
    // each statement's time is rounded to a millisecond on its own: up to half of one more each
    const total = Object.values(run.rollupMs).reduce((sum, ms) => sum + ms, 0);
    expect(total).toBeLessThanOrEqual(run.stepMs.rollups! + statements.length / 2);
    expect(run.progress).toMatchObject({ percent: 100 });
  });

  it('answers 409 with the id of the run in progress, records the refused attempt as skipped, and the first run still succeeds', async () => {
    await store([sessionCallback(), eventCallback()]);
    const merges = await holdLocks(t.databases.warehouseUrl, [BLOCK_MERGES]);
    let first: number;
    try {
      first = (await asAdmin.post().expect(202)).body.id;
      await waitForLockWait(t.databases.warehouseUrl, MERGE_FIRST_STATEMENT);

      const refused = await asAdmin.post().expect(409);

      expect(refused.body).toEqual({
        statusCode: 409,
        error: 'Conflict',
        message: expect.stringContaining(`run ${first}`),
        id: first,
      });
      const [skipped, running] = (await asAdmin.get(`${RUNS}?limit=2`).expect(200)).body as EtlRunView[];
      expect(skipped).toMatchObject({ status: 'skipped', trigger: 'api', error: `run ${first} holds the ETL lease`, rowsLoaded: 0 });
      expect(skipped.id).toBeGreaterThan(first);
      expect(skipped.finishedAt).not.toBeNull();
      expect(refused.body.message).toContain(`skipped run ${skipped.id}`);
      expect(running).toMatchObject({ id: first, status: 'running', finishedAt: null });
    } finally {
      await merges.release();
    }

    // the two rows stored above, and none that an earlier run loaded
    expect(await settled(first)).toMatchObject({ status: 'succeeded', rowsLoaded: 2, error: null });
    await expectConverged(t);
  });

  it('lists runs newest first, 20 by default, up to `limit`', async () => {
    // enough runs that the default limit shows
    while ((await runCount()) < 21) await settled((await asAdmin.post().expect(202)).body.id);

    const all = (await asAdmin.get(`${RUNS}?limit=100`).expect(200)).body as EtlRunView[];
    const byDefault = (await asAdmin.get(RUNS).expect(200)).body as EtlRunView[];
    const two = (await asAdmin.get(`${RUNS}?limit=2`).expect(200)).body as EtlRunView[];

    const ids = all.map((run) => run.id);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    expect(byDefault).toEqual(all.slice(0, 20));
    expect(two).toEqual(all.slice(0, 2));
    const one = (await asAdmin.get(`${RUNS}/${all[0].id}`).expect(200)).body as EtlRunView;
    expect(one).toEqual(all[0]);
  });

  it.each(['0', '101', 'abc', '1.5'])('refuses limit=%s with a 400 that names limit', async (limit) => {
    const res = await asAdmin.get(`${RUNS}?limit=${limit}`).expect(400);

    expect(res.body).toEqual({ statusCode: 400, error: 'Bad Request', message: 'limit accepts a whole number from 1 to 100' });
  });

  it('answers 404 for an unknown run and 400 for an id that is not a whole number', async () => {
    expect((await asAdmin.get(`${RUNS}/999999`).expect(404)).body).toEqual({
      statusCode: 404,
      error: 'Not Found',
      message: 'There is no ETL run 999999',
    });
    for (const id of ['abc', '1.5', '0', '1e3', '0x10', '-1', '%201', '007']) {
      expect((await asAdmin.get(`${RUNS}/${id}`).expect(400)).body).toEqual({
        statusCode: 400,
        error: 'Bad Request',
        message: 'id accepts a run id: a whole number from 1 to 9007199254740991',
      });
    }
  });

  it('answers 404 up to the largest id it can hold and 400 beyond, never 503 (the BIGINT column refuses 2^63)', async () => {
    await asAdmin.get(`${RUNS}/9007199254740991`).expect(404);
    for (const id of ['9007199254740992', '9223372036854775807', '9223372036854775808', '9'.repeat(40)]) {
      expect((await asAdmin.get(`${RUNS}/${id}`).expect(400)).body.message).toBe(
        'id accepts a run id: a whole number from 1 to 9007199254740991',
      );
    }
  });

  it('refuses a bad body with a 400 and starts nothing', async () => {
    const before = await runCount();

    expect((await asAdmin.post({ mode: 'nope' }).expect(400)).body.message).toBe('mode accepts arrival, window or rebuild');
    expect((await asAdmin.post({ windowDays: 0 }).expect(400)).body.message).toBe(
      'windowDays accepts a whole number of days from 1 to 731',
    );
    expect((await asAdmin.post({ mode: 'arrival', force: true }).expect(400)).body.message).toBe(
      'unknown parameter "force"; this route accepts mode, windowDays',
    );

    expect(await runCount()).toBe(before);
  });

  it('needs an admin key: 401 without a key, 403 with a reader key, and starts nothing', async () => {
    const before = await runCount();
    const routes = [() => request(server()).post(RUNS), () => request(server()).get(RUNS), () => request(server()).get(`${RUNS}/1`)];

    for (const route of routes) {
      expect((await route().expect(401)).body).toMatchObject({ statusCode: 401, message: expect.stringContaining('API key missing') });
      expect((await route().set('X-API-Key', API_KEY).expect(403)).body).toEqual({
        statusCode: 403,
        error: 'Forbidden',
        message: 'This route needs a key from ADMIN_API_KEYS',
      });
    }

    expect(await runCount()).toBe(before);
  });
});

describe('ETL_SCHEDULE=continuous', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ ETL_SCHEDULE: 'continuous', ETL_MIN_INTERVAL: '1' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('loads a callback within seconds of its 200, without recording the idle loads as skipped', async () => {
    const stored = Date.now();
    await request(t.app.getHttpServer()).get(callbackUrl(installCallback())).expect(200, { status: 'stored' });
    await waitUntil(
      async () => {
        const [row] = await query<{ n: number }>(
          t.databases.warehouseUrl,
          'SELECT COALESCE(SUM(installs), 0)::int AS n FROM stg.daily_installs',
        );
        return row.n === 1;
      },
      5_000,
      'the installs rollup counts the callback',
    );
    expect(Date.now() - stored).toBeLessThan(5_000);
    const runs = (await request(t.app.getHttpServer()).get(`${RUNS}?limit=100`).set('X-API-Key', ADMIN_KEY).expect(200))
      .body as EtlRunView[];
    expect(runs.length).toBeGreaterThan(0);
    expect(runs.every((run) => run.trigger === 'schedule' && run.mode === 'arrival' && run.status !== 'skipped')).toBe(true);
    await expectConverged(t);
  });
});

describe('ETL_CRON (the older name of a cron ETL_SCHEDULE)', () => {
  let t: TestApp;

  beforeAll(async () => {
    // every second: the 6-field form (with seconds) of the cron package
    t = await startTestApp({ ETL_SCHEDULE: undefined, ETL_CRON: '* * * * * *' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('runs scheduled loads on its own', async () => {
    await request(t.app.getHttpServer()).get(callbackUrl(installCallback())).expect(200, { status: 'stored' });

    let scheduled: EtlRunView | undefined;
    await waitUntil(
      async () => {
        const runs = (await request(t.app.getHttpServer()).get(`${RUNS}?limit=100`).set('X-API-Key', ADMIN_KEY).expect(200))
          .body as EtlRunView[];
        scheduled = runs.find((run) => run.status === 'succeeded' && run.rowsLoaded === 1);
        return scheduled !== undefined;
      },
      5_000,
      'a scheduled run has loaded the callback',
    );

    expect(scheduled).toMatchObject({ trigger: 'schedule', mode: 'arrival', error: null });
    await expectConverged(t);
  });
});
