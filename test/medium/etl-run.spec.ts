import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { EtlService } from '../../src/etl/etl.service.js';
import { eventCallback, installCallback, NOW_EPOCH, sessionCallback } from '../support/adjust-callbacks.js';
import { expectConverged, query, runEtl, storeCallbacks } from '../support/etl.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

describe(EtlService.name, () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp();
  });

  afterAll(async () => {
    await app.close();
  });

  it('loads every stored activity into the warehouse and records the run', async () => {
    await storeCallbacks(app, [installCallback(), sessionCallback(), eventCallback()]);
    const run = await runEtl(app);
    expect(run).toMatchObject({ status: 'succeeded', mode: 'arrival', rowsExtracted: 3, rowsLoaded: 3, stagedFiles: 1, error: null });
    expect(run.daysRefreshed).toEqual(['2026-11-20']);
    await expectConverged(app);
  });

  it('loads only what arrived since, and a second run with nothing new changes nothing', async () => {
    await storeCallbacks(app, [installCallback({ created_at: String(NOW_EPOCH - 40 * 86_400) })]);
    const late = await runEtl(app);
    expect(late.status).toBe('succeeded');
    expect(late.daysRefreshed).toContain('2026-10-11');
    await expectConverged(app);
    const again = await runEtl(app);
    expect(again.status).toBe('succeeded');
    await expectConverged(app);
    const [{ count }] = await query(app.databases.warehouseUrl, 'SELECT count(*)::int AS count FROM stg.adjust');
    expect(count).toBe(4);
  });
});
