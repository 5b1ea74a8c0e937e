import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createApp } from '../../src/app.factory.js';
import { daysBetween, zonedDate } from '../../src/common/zoned-time.js';
import { loadConfig } from '../../src/config/app-config.js';
import { RollupRefresh } from '../../src/etl/rollups/rollup-refresh.js';
import { KLIPS } from '../../src/metrics/klips.js';
import { RollupSettingsCheck } from '../../src/metrics/rollup-settings-check.js';
import { eventCallback, installCallback, installUpdateCallback, newAdid, sessionCallback } from '../support/adjust-callbacks.js';
import { query, runEtl } from '../support/etl.js';
import { epoch, etagOf, getMetric, loadCallbacks, noon } from '../support/metrics-api.js';
import { ADMIN_KEY, API_KEY, startTestApp, type TestApp } from '../support/test-app.js';

const FIT = 'modes.fit';
const RUN = 'modes.run';

// The rollups after window and rebuild runs, and the settings a build records.
describe(RollupRefresh.name, () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ REGISTRATION_EVENTS: 'reg7k2,registration' });
    const [a, b] = [newAdid(), newAdid()];
    const fit = { app_name: FIT };
    const run = { app_name: RUN, os_name: 'android', country: 'de' };
    // first arrival run
    await loadCallbacks(t, [
      installCallback({ ...fit, adid: a, created_at: noon('2026-11-02') }), // A
      sessionCallback({
        ...fit,
        adid: a,
        created_at: noon('2026-11-03'),
        last_session_time: epoch('2026-11-02T20:00:00Z'),
        last_time_spent: '120',
      }),
      installCallback({ ...fit, adid: b, created_at: noon('2026-11-02'), os_name: 'ios', country: 'us' }), // B
      installCallback({ ...run, created_at: noon('2026-11-05'), network_name: '', tracker_name: '', is_organic: '1' }), // C
      eventCallback({ ...run, created_at: noon('2026-11-05'), event: 'reg7k2', event_name: '' }),
      sessionCallback({ ...run, created_at: noon('2026-11-06'), network_name: 'Net2', last_session_time: '', last_time_spent: '300' }), // D
    ]);
    // second arrival run: a late session, B's attribution update, two events
    await loadCallbacks(t, [
      sessionCallback({ ...fit, created_at: noon('2026-11-03'), last_session_time: epoch('2026-11-03T01:00:00Z'), last_time_spent: '60' }), // E
      installUpdateCallback({ ...fit, adid: b, created_at: noon('2026-11-08') }),
      eventCallback({ ...fit, created_at: noon('2026-11-04'), event: 'zz99aa', event_name: 'registration' }),
      eventCallback({ ...fit, created_at: noon('2026-11-07'), event: 'pur4x1', event_name: 'purchase' }),
    ]);
  });

  afterAll(async () => {
    await t?.close();
  });

  // Every klip with no filter, one and two, by day and by week: what a comparison needs of each answer.
  async function answers(app: TestApp) {
    const bodies = [];
    for (const klip of KLIPS) {
      for (const filters of [{}, { app: FIT }, { country: 'de' }, { os: 'android', country: 'de' }]) {
        for (const granularity of ['day', 'week']) {
          const params = { from: '2026-11-01', to: '2026-12-10', granularity, ...filters };
          const { summary, data } = await getMetric(app, klip, params);
          bodies.push({ klip, params, summary, data });
        }
      }
    }
    return bodies;
  }

  it('answers what the rows say after arrival runs', async () => {
    const range = { from: '2026-11-01', to: '2026-11-10' };
    // installs: A, B on 11-02, C on 11-05; B moved to Facebook Installs by its update
    await expect(getMetric(t, 'installs', range)).resolves.toMatchObject({ summary: { total: 3 } });
    await expect(getMetric(t, 'installs-by-channel', range)).resolves.toMatchObject({
      data: [
        { channel: 'Facebook Installs', value: 1 },
        { channel: 'Network1', value: 1 },
        { channel: 'Organic', value: 1 },
      ],
    });
    // reg7k2 on 11-05, "registration" on 11-04; not the purchase
    await expect(getMetric(t, 'registrations', range)).resolves.toMatchObject({ summary: { total: 2 } });
    // 120 (for 11-02), 60 (11-03), 300 (11-06)
    await expect(getMetric(t, 'session-duration', range)).resolves.toMatchObject({ summary: { average: 160 } });
    // 11-02: A, B; 11-03: A, E; 11-05: C; 11-06: D → 6 / 10
    await expect(getMetric(t, 'dau', range)).resolves.toMatchObject({ summary: { average: 0.6, distinct: 5 } });
  });

  it('leaves the same numbers after a window run as after the arrival runs, with installs older than the window', async () => {
    const before = await answers(t);
    const version = await etagOf(t);
    // the window starts on 11-05: B's install (11-02) is older than its update (11-08), which is inside
    const windowDays = daysBetween('2026-11-05', zonedDate(new Date(), 'UTC')) + 1;
    const run = await runEtl(t, { mode: 'window', windowDays });
    expect(run).toMatchObject({ status: 'succeeded', mode: 'window' });
    expect(run.rowsLoaded).toBeGreaterThan(0);
    expect(run.daysRefreshed).toEqual(expect.arrayContaining(['2026-11-02', '2026-11-05', '2026-11-08']));

    await expect(etagOf(t)).resolves.not.toBe(version);
    expect(await answers(t)).toEqual(before);
  });

  it('leaves the same numbers after a rebuild as after the arrival runs, and records the settings it used', async () => {
    const before = await answers(t);
    const version = await etagOf(t);
    const run = await runEtl(t, { mode: 'rebuild' });
    expect(run).toMatchObject({ status: 'succeeded', mode: 'rebuild' });

    await expect(etagOf(t)).resolves.not.toBe(version);
    expect(await answers(t)).toEqual(before);
    await expect(
      query(t.databases.warehouseUrl, 'SELECT run_id, timezone, registration_events, session_length_field FROM stg.rollup_build'),
    ).resolves.toEqual([
      { run_id: String(run.id), timezone: 'UTC', registration_events: 'reg7k2,registration', session_length_field: 'last_time_spent' },
    ]);
  });

  describe('after REGISTRATION_EVENTS changes', () => {
    let changed: TestApp;

    // A second app on the same databases, as after a restart with the new setting.
    beforeAll(async () => {
      const dataDir = await mkdtemp(path.join(tmpdir(), 'kpi-test-'));
      const config = loadConfig({
        DATA_DIR: dataDir,
        DATABASE_URL: t.databases.sourceUrl,
        WAREHOUSE_URL: t.databases.warehouseUrl,
        API_KEYS: API_KEY,
        ADMIN_API_KEYS: ADMIN_KEY,
        CALLBACK_TOKEN: 'none',
        ETL_SCHEDULE: 'off',
        ETL_RECONCILE_CRON: 'off',
        LOG_LEVEL: 'warn',
        REGISTRATION_EVENTS: 'pur4x1',
      });
      const app = await createApp(config);
      await app.getHttpAdapter().getInstance().ready();
      changed = {
        app,
        config,
        databases: t.databases,
        close: async () => {
          await app.close();
          await rm(dataDir, { recursive: true, force: true });
        },
      };
    });

    afterAll(async () => {
      await changed?.close();
    });

    it('recounts a load’s own days with the new events, and every day after a rebuild', async () => {
      await expect(changed.app.get(RollupSettingsCheck).warnIfOutdated()).resolves.toEqual(['REGISTRATION_EVENTS']);
      const range = { from: '2026-11-01', to: '2026-11-10' };

      // an arrival run recounts only the days it brings: the purchase of 11-09 counts, the old days keep the old events
      const arrival = await loadCallbacks(changed, [
        eventCallback({ app_name: FIT, created_at: noon('2026-11-09'), event: 'pur4x1', event_name: 'purchase' }),
      ]);
      expect(arrival.daysRefreshed).toEqual(['2026-11-09']);
      await expect(getMetric(changed, 'registrations', range)).resolves.toMatchObject({
        data: [0, 0, 0, 1, 1, 0, 0, 0, 1, 0].map((value, i) => ({ date: `2026-11-${String(i + 1).padStart(2, '0')}`, value })),
      });

      const rebuild = await runEtl(changed, { mode: 'rebuild' });
      expect(rebuild.status).toBe('succeeded');
      // only the purchases now: 11-07 and 11-09
      await expect(getMetric(changed, 'registrations', range)).resolves.toMatchObject({
        summary: { total: 2 },
        data: [0, 0, 0, 0, 0, 0, 1, 0, 1, 0].map((value, i) => ({ date: `2026-11-${String(i + 1).padStart(2, '0')}`, value })),
      });
      await expect(query(t.databases.warehouseUrl, 'SELECT run_id, registration_events FROM stg.rollup_build')).resolves.toEqual([
        { run_id: String(rebuild.id), registration_events: 'pur4x1' },
      ]);
      await expect(changed.app.get(RollupSettingsCheck).warnIfOutdated()).resolves.toEqual([]);
    });
  });
});
