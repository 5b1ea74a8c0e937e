import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { daysBetween, zonedDate } from '../../src/common/zoned-time.js';
import { MetricsController } from '../../src/metrics/metrics.controller.js';
import { eventCallback, installCallback, sessionCallback } from '../support/adjust-callbacks.js';
import { runEtl } from '../support/etl.js';
import { epoch, etagOf, getMetric, loadCallbacks, valuesOf } from '../support/metrics-api.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

// REPORT_TIMEZONE=America/New_York: days are New York calendar days (UTC-4 in summer time, which ends on
// 2026-11-01 at 06:00 UTC, then UTC-5).
describe(MetricsController.name, () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ REPORT_TIMEZONE: 'America/New_York' });
  });

  afterAll(async () => {
    await t?.close();
  });

  const load = (callbacks: URLSearchParams[]) => loadCallbacks(t, callbacks);

  it('counts an activity on its New York day, not its UTC day', async () => {
    await load([
      installCallback({ created_at: epoch('2026-11-20T03:00:00Z') }), // 11-19 22:00 in New York
      installCallback({ created_at: epoch('2026-11-20T06:00:00Z') }), // 11-20 01:00
      installCallback({ created_at: epoch('2026-11-20T04:59:59Z') }), // 11-19 23:59:59
      installCallback({ created_at: epoch('2026-11-20T05:00:00Z') }), // 11-20 00:00, midnight belongs to its day
      eventCallback({ created_at: epoch('2026-11-19T02:00:00Z') }), // 11-18 21:00
      // 11-20 23:30, measuring a session that began on 11-19 23:00
      sessionCallback({
        created_at: epoch('2026-11-21T04:30:00Z'),
        last_session_time: epoch('2026-11-20T04:00:00Z'),
        last_time_spent: '100',
      }),
    ]);

    const range = { from: '2026-11-18', to: '2026-11-21' };
    await expect(getMetric(t, 'installs', range)).resolves.toMatchObject({
      timezone: 'America/New_York',
      summary: { total: 4 },
      data: [
        { date: '2026-11-18', value: 0 },
        { date: '2026-11-19', value: 2 },
        { date: '2026-11-20', value: 2 },
        { date: '2026-11-21', value: 0 },
      ],
    });
    await expect(valuesOf(t, 'registrations', range)).resolves.toEqual([1, 0, 0, 0]);
    await expect(valuesOf(t, 'session-duration', range)).resolves.toEqual([null, 100, null, null]);
    await expect(getMetric(t, 'installs-by-channel', { ...range, granularity: 'day' })).resolves.toMatchObject({
      data: [
        { date: '2026-11-18', channel: 'Network1', value: 0 },
        { date: '2026-11-19', channel: 'Network1', value: 2 },
        { date: '2026-11-20', channel: 'Network1', value: 2 },
        { date: '2026-11-21', channel: 'Network1', value: 0 },
      ],
    });
    // active: two installs' devices on 11-19; two installs' and the session's on 11-20
    for (const filters of [{}, { os: 'android' }]) {
      await expect(getMetric(t, 'dau', { ...range, ...filters })).resolves.toMatchObject({
        data: [0, 2, 3, 0].map((value, i) => ({ date: `2026-11-${18 + i}`, value })),
        summary: { average: 1.25, distinct: 5 },
      });
      // 0 + 2 + 5 + 5 over 4 days
      await expect(getMetric(t, 'wau', { ...range, ...filters })).resolves.toMatchObject({
        data: [{ value: 0 }, { value: 2 }, { value: 5 }, { value: 5 }],
        summary: { average: 3 },
      });
    }

    // late, in a second run: 11-18 23:30 in New York, 11-19 in UTC
    await load([sessionCallback({ created_at: epoch('2026-11-19T04:30:00Z'), last_session_time: '', last_time_spent: '40' })]);

    await expect(valuesOf(t, 'dau', range)).resolves.toEqual([1, 2, 3, 0]);
    await expect(valuesOf(t, 'wau', { ...range, country: 'de' })).resolves.toEqual([1, 3, 6, 6]);
    await expect(valuesOf(t, 'session-duration', range)).resolves.toEqual([40, 100, null, null]);
  });

  it('gives the day summer time ends its 25 hours', async () => {
    await load([
      installCallback({ created_at: epoch('2026-11-01T03:30:00Z') }), // 10-31 23:30 EDT
      installCallback({ created_at: epoch('2026-11-01T04:30:00Z') }), // 11-01 00:30 EDT
      installCallback({ created_at: epoch('2026-11-02T04:30:00Z') }), // 11-01 23:30 EST
      installCallback({ created_at: epoch('2026-11-02T05:30:00Z') }), // 11-02 00:30 EST
    ]);

    const range = { from: '2026-10-31', to: '2026-11-02' };
    await expect(valuesOf(t, 'installs', range)).resolves.toEqual([1, 2, 1]);
    await expect(valuesOf(t, 'dau', range)).resolves.toEqual([1, 2, 1]);
    await expect(valuesOf(t, 'dau', { ...range, os: 'android' })).resolves.toEqual([1, 2, 1]);
  });

  it('keeps the New York days through a window run and a rebuild', async () => {
    const requests = ['installs', 'registrations', 'session-duration', 'dau', 'wau', 'installs-by-channel'].flatMap((klip) =>
      [{}, { os: 'android' }].map((filters) => ({
        klip,
        params: { from: '2026-10-30', to: '2026-11-22', granularity: 'day', ...filters },
      })),
    );
    const answers = async () => {
      const bodies = [];
      for (const { klip, params } of requests) {
        const { summary, data } = await getMetric(t, klip, params);
        bodies.push({ klip, params, summary, data });
      }
      return bodies;
    };
    const before = await answers();
    // the rows of the tests above: installs on 10-31 … 11-20 (New York days), the late session of 11-18
    expect(before[0]).toMatchObject({ summary: { total: 8 } });

    const windowDays = daysBetween('2026-11-01', zonedDate(new Date(), 'America/New_York')) + 1;
    for (const mode of ['window', 'rebuild'] as const) {
      const version = await etagOf(t);
      await expect(runEtl(t, { mode, windowDays })).resolves.toMatchObject({ status: 'succeeded' });
      await expect(etagOf(t)).resolves.not.toBe(version);
      expect(await answers()).toEqual(before);
    }
  });
});
