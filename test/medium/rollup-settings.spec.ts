import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { loadConfig } from '../../src/config/app-config.js';
import { MetricsRepository } from '../../src/metrics/metrics.repository.js';
import { RollupSettingsCheck } from '../../src/metrics/rollup-settings-check.js';
import { installCallback } from '../support/adjust-callbacks.js';
import { query, runEtl, storeCallbacks } from '../support/etl.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

describe(RollupSettingsCheck.name, () => {
  let t: TestApp;
  const checkWith = (env: Record<string, string>) =>
    new RollupSettingsCheck(
      loadConfig({ ...env, DATABASE_URL: t.databases.sourceUrl, API_KEYS: 'a-reader-key-0123456789', CALLBACK_TOKEN: 'none' }),
      t.app.get(MetricsRepository),
    );

  beforeAll(async () => {
    t = await startTestApp({ REPORT_TIMEZONE: 'Europe/Berlin', REGISTRATION_EVENTS: 'reg7k2,registration' });
  });
  afterAll(async () => {
    await t.close();
  });

  it('has nothing to say before the first build', async () => {
    await expect(checkWith({}).warnIfOutdated()).resolves.toEqual([]);
  });

  it('records the settings of the first build and names each one that changed since', async () => {
    await storeCallbacks(t, [installCallback()]);
    const run = await runEtl(t);
    expect(run.status).toBe('succeeded');
    const [built] = await query(
      t.databases.warehouseUrl,
      'SELECT run_id, timezone, registration_events, session_length_field FROM stg.rollup_build',
    );
    expect(built).toEqual({
      run_id: String(run.id),
      timezone: 'Europe/Berlin',
      registration_events: 'reg7k2,registration',
      session_length_field: 'last_time_spent',
    });

    await expect(
      checkWith({ REPORT_TIMEZONE: 'Europe/Berlin', REGISTRATION_EVENTS: 'reg7k2,registration' }).warnIfOutdated(),
    ).resolves.toEqual([]);
    await expect(checkWith({ REPORT_TIMEZONE: 'UTC', REGISTRATION_EVENTS: 'reg7k2,registration' }).warnIfOutdated()).resolves.toEqual([
      'REPORT_TIMEZONE',
    ]);
    await expect(
      checkWith({ REPORT_TIMEZONE: 'Europe/Berlin', REGISTRATION_EVENTS: 'signup', SESSION_LENGTH_FIELD: 'time_spent' }).warnIfOutdated(),
    ).resolves.toEqual(['REGISTRATION_EVENTS', 'SESSION_LENGTH_FIELD']);
  });

  it('keeps the first build’s settings through later loads, and a rebuild records the current ones', async () => {
    await storeCallbacks(t, [installCallback()]);
    await runEtl(t);
    const before = await query(t.databases.warehouseUrl, 'SELECT run_id FROM stg.rollup_build');
    const rebuild = await runEtl(t, { mode: 'rebuild' });
    const after = await query(t.databases.warehouseUrl, 'SELECT run_id FROM stg.rollup_build');
    expect(before).toHaveLength(1);
    expect(after).toEqual([{ run_id: String(rebuild.id) }]);
    expect(Number(after[0].run_id)).toBeGreaterThan(Number(before[0].run_id));
  });
});
