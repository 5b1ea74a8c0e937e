import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { MetricAnswers } from '../../src/metrics/metric-answers.js';
import {
  clickCallback,
  eventCallback,
  installCallback,
  installUpdateCallback,
  newAdid,
  reattributionCallback,
  rejectedInstallCallback,
  sessionCallback,
} from '../support/adjust-callbacks.js';
import { getMetric, loadCallbacks, noon, spans, valuesOf } from '../support/metrics-api.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const WINDOWS = ['dau', 'wau', 'mau'] as const;

// DAU, WAU and MAU (metrics.md "Active"). Without filters or with one they come from stored window
// changes; with more they are computed at query time: the tests ask with none, one and several filters
// and expect the same devices either way. Each test uses months no other test touches (30-day windows
// included), so unfiltered answers see only its own rows.
describe(MetricAnswers.name, () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });

  afterAll(async () => {
    await t?.close();
  });

  const load = (callbacks: URLSearchParams[]) => loadCallbacks(t, callbacks);

  // Sessions of one device on the given days.
  function activeOn(app: string, days: string[], adid = newAdid()): URLSearchParams[] {
    return days.map((day) => sessionCallback({ app_name: app, adid, created_at: noon(day) }));
  }

  it('counts installs, sessions, reattributions and reinstalls as activity, not events, clicks or attribution updates', async () => {
    const app = 'au.kinds';
    const at = noon('2026-02-10');
    await load([
      installCallback({ app_name: app, created_at: at }),
      sessionCallback({ app_name: app, created_at: at }),
      reattributionCallback({ app_name: app, created_at: at }),
      sessionCallback({ app_name: app, created_at: at, activity_kind: 'reinstall' }),
      sessionCallback({ app_name: app, created_at: at, activity_kind: 'reattribution_reinstall' }),
      eventCallback({ app_name: app, created_at: at }),
      installUpdateCallback({ app_name: app, created_at: at }),
      rejectedInstallCallback({ app_name: app, created_at: at }),
      sessionCallback({ app_name: app, created_at: at, activity_kind: 'rejected_reattribution' }),
      sessionCallback({ app_name: app, created_at: at, environment: 'sandbox' }),
      clickCallback({ created_at: at }),
    ]);

    for (const filters of [{}, { app }, { os: 'android' }, { app, os: 'android' }]) {
      for (const klip of WINDOWS) {
        await expect(getMetric(t, klip, { from: '2026-02-10', to: '2026-02-10', ...filters })).resolves.toMatchObject({
          unit: 'devices',
          summary: { average: 5, distinct: 5 },
          data: [{ date: '2026-02-10', value: 5 }],
        });
      }
    }
  });

  it('moves DAU of its day and WAU/MAU of the next 6/29 days when a late session arrives in a later run', async () => {
    const app = 'au.late';
    const [x, y] = [newAdid(), newAdid()];
    await load([...activeOn(app, ['2026-11-01', '2026-11-10'], x), ...activeOn(app, ['2026-11-01'], y)]);
    const range = { from: '2026-10-30', to: '2026-12-10' };
    const expectDays = async (expected: Record<(typeof WINDOWS)[number], number[]>) => {
      // no filter, one, and two (every device is an android one in de, from Network1)
      for (const filters of [{}, { app }, { os: 'android' }, { channel: 'Network1' }, { app, country: 'de' }]) {
        for (const klip of WINDOWS) await expect(valuesOf(t, klip, { ...range, ...filters })).resolves.toEqual(expected[klip]);
      }
    };
    // X on 11-01 and 11-10, Y on 11-01
    await expectDays({
      dau: spans(range.from, range.to, [
        ['2026-11-01', '2026-11-01', 2],
        ['2026-11-10', '2026-11-10', 1],
      ]),
      wau: spans(range.from, range.to, [
        ['2026-11-01', '2026-11-07', 2],
        ['2026-11-10', '2026-11-16', 1],
      ]),
      mau: spans(range.from, range.to, [
        ['2026-11-01', '2026-11-30', 2],
        ['2026-12-01', '2026-12-09', 1],
      ]),
    });

    // weeks later: Y's session of 11-03 and a new device Z's of 11-05, both made offline
    await load([...activeOn(app, ['2026-11-03'], y), ...activeOn(app, ['2026-11-05'])]);

    // X: 11-01, 11-10; Y: 11-01, 11-03; Z: 11-05
    await expectDays({
      dau: spans(range.from, range.to, [
        ['2026-11-01', '2026-11-01', 2],
        ['2026-11-03', '2026-11-03', 1],
        ['2026-11-05', '2026-11-05', 1],
        ['2026-11-10', '2026-11-10', 1],
      ]),
      wau: spans(range.from, range.to, [
        ['2026-11-01', '2026-11-04', 2], // X, Y
        ['2026-11-05', '2026-11-07', 3], // X, Y, Z
        ['2026-11-08', '2026-11-09', 2], // Y, Z
        ['2026-11-10', '2026-11-11', 2], // X, Z
        ['2026-11-12', '2026-11-16', 1], // X
      ]),
      mau: spans(range.from, range.to, [
        ['2026-11-01', '2026-11-04', 2], // X, Y
        ['2026-11-05', '2026-12-02', 3], // X, Y, Z
        ['2026-12-03', '2026-12-04', 2], // X, Z
        ['2026-12-05', '2026-12-09', 1], // X
      ]),
    });
    await expect(getMetric(t, 'dau', range)).resolves.toMatchObject({ summary: { distinct: 3 } });
  });

  describe('summary', () => {
    // S on 06-28, P on 07-01 and 07-02, Q on 07-02 and 07-09, R on 07-10, T on 07-30; an event-only device
    // and an attribution-update-only device are not active.
    const app = 'au.summary';

    beforeAll(async () => {
      await load([
        ...activeOn(app, ['2026-06-28']),
        ...activeOn(app, ['2026-07-01', '2026-07-02']),
        ...activeOn(app, ['2026-07-02', '2026-07-09']),
        ...activeOn(app, ['2026-07-10']),
        ...activeOn(app, ['2026-07-30']),
        eventCallback({ app_name: app, created_at: noon('2026-07-03') }),
        installUpdateCallback({ app_name: app, created_at: noon('2026-07-04') }),
      ]);
    });

    // [range, klip, average, distinct]: averages are the sums of the daily values (worked out in the
    // comments) over the days, rounded to 2 decimals; distinct counts the devices active inside the range.
    const cases: [string, string, string, number, number][] = [
      // 30 days. DAU: 1 + 2 + 1 + 1 + 1 = 6. WAU: 07-01 2, 07-02…04 3, 07-05…08 2, 07-09 1, 07-10…15 2,
      // 07-16 1, 07-30 1 = 34. MAU: 07-01 2, 07-02…09 3, 07-10…27 4, 07-28…29 3, 07-30 4 = 108.
      ['2026-07-01', '2026-07-30', 'dau', 0.2, 4],
      ['2026-07-01', '2026-07-30', 'wau', 1.13, 4],
      ['2026-07-01', '2026-07-30', 'mau', 3.6, 4],
      // 7 days: DAU 2 / 7; WAU 3 + 2 + 2 + 2 + 2 + 1 + 2 = 14; MAU 6 × 3 + 4 = 22. Distinct: Q, R.
      ['2026-07-04', '2026-07-10', 'dau', 0.29, 2],
      ['2026-07-04', '2026-07-10', 'wau', 2, 2],
      ['2026-07-04', '2026-07-10', 'mau', 3.14, 2],
      // 10 days: DAU 5; WAU 2 + 9 + 8 + 1 + 2 = 22; MAU 2 + 8 × 3 + 4 = 30. Distinct: P, Q, R (not S).
      ['2026-07-01', '2026-07-10', 'dau', 0.5, 3],
      ['2026-07-01', '2026-07-10', 'wau', 2.2, 3],
      ['2026-07-01', '2026-07-10', 'mau', 3, 3],
      // one day: P and Q
      ['2026-07-02', '2026-07-02', 'dau', 2, 2],
      ['2026-07-02', '2026-07-02', 'wau', 3, 2],
      ['2026-07-02', '2026-07-02', 'mau', 3, 2],
    ];

    it.each(cases)(
      'averages %s … %s %s as the mean of its daily values and counts distinct devices',
      async (from, to, klip, average, distinct) => {
        for (const filters of [{}, { app }, { os: 'android' }, { app, country: 'de', channel: 'Network1' }]) {
          await expect(getMetric(t, klip, { from, to, ...filters })).resolves.toMatchObject({ summary: { average, distinct } });
        }
      },
    );

    it('answers a week bucket cut by the range with the mean of its daily values inside the range', async () => {
      // 2026-07-05 is a Sunday: a one-day bucket labelled by Monday 06-29, then two whole weeks
      const range = { from: '2026-07-05', to: '2026-07-19', granularity: 'week' };
      // DAU: 07-05 0; 07-06…12: 07-09 1, 07-10 1 → 2 / 7; 07-13…19: 0
      // WAU: 07-05 2 (P, Q); 07-06…12: 2, 2, 2, 1, 2, 2, 2 → 13 / 7; 07-13…19: 2, 2, 2, 1, 0, 0, 0 → 7 / 7
      const expected = { dau: [0, 0.29, 0], wau: [2, 1.86, 1] };
      for (const filters of [{}, { app }, { os: 'android' }]) {
        for (const klip of ['dau', 'wau'] as const) {
          await expect(getMetric(t, klip, { ...range, ...filters })).resolves.toMatchObject({
            data: ['2026-06-29', '2026-07-06', '2026-07-13'].map((date, i) => ({ date, value: expected[klip][i] })),
          });
        }
      }
    });

    it('answers a month bucket cut by the range with the mean of its daily values inside the range', async () => {
      // MAU: 06-25…27 0, 06-28…30 1 (S) → 3 / 6; 07-01 2, 07-02…05 3 → 14 / 5
      for (const filters of [{}, { app }, { country: 'de' }]) {
        await expect(
          getMetric(t, 'mau', { from: '2026-06-25', to: '2026-07-05', granularity: 'month', ...filters }),
        ).resolves.toMatchObject({
          data: [
            { date: '2026-06-01', value: 0.5 },
            { date: '2026-07-01', value: 2.8 },
          ],
          // 3 + 14 over 11 days
          summary: { average: 1.55, distinct: 3 },
        });
      }
    });
  });

  it('filters DAU, WAU and MAU by app, os, country and channel, alone and combined, stored or computed alike', async () => {
    const device = (app: string, os: string, country: string, network: string, day: string, adid = newAdid()) =>
      sessionCallback({
        app_name: app,
        os_name: os,
        country,
        network_name: network,
        created_at: noon(day),
        adid,
        ...(network === '' ? { tracker_name: '', is_organic: '1' } : {}),
      });
    const [a, d, f] = [newAdid(), newAdid(), newAdid()];
    await load([
      installCallback({
        app_name: 'fit',
        os_name: 'android',
        country: 'de',
        network_name: 'Net1',
        created_at: noon('2026-04-10'),
        adid: a,
      }), // A
      device('fit', 'android', 'de', 'Net1', '2026-04-12', a),
      device('fit', 'android', 'us', 'Net2', '2026-04-10'), // B
      device('run', 'ios', 'de', 'Net1', '2026-04-12'), // C
      device('run', 'android', 'de', '', '2026-04-10', d), // D, organic, in two apps
      device('fit', 'android', 'de', '', '2026-04-12', d),
      device('fit', 'android', 'de', 'Net2', '2026-04-10', f), // F, in two countries
      device('fit', 'android', 'us', 'Net2', '2026-04-12', f),
    ]);

    // 04-10: A, B, D, F; 04-12: A, C, D, F. [filters, DAU per day, WAU = MAU per day (nothing happened before), distinct]
    const cases: [Record<string, string>, number[], number[], number][] = [
      [{}, [4, 0, 4], [4, 4, 5], 5],
      [{ app: 'fit' }, [3, 0, 3], [3, 3, 4], 4], // A, B, F; A, D, F
      [{ app: 'fit', os: 'android' }, [3, 0, 3], [3, 3, 4], 4], // every fit device is android: the same
      [{ app: 'run' }, [1, 0, 1], [1, 1, 2], 2], // D; C (D's fit session of 04-12 does not end its run window)
      [{ app: 'run', os: 'android' }, [1, 0, 0], [1, 1, 1], 1], // D
      [{ os: 'android' }, [4, 0, 3], [4, 4, 4], 4], // A, B, D, F; A, D, F
      [{ country: 'de' }, [3, 0, 3], [3, 3, 4], 4], // A, D, F; A, C, D (F's 04-10 in de still counts on 04-12)
      [{ country: 'us' }, [1, 0, 1], [1, 1, 2], 2], // B; F
      [{ channel: 'Net1' }, [1, 0, 2], [1, 1, 2], 2], // A; A, C
      [{ channel: 'Organic' }, [1, 0, 1], [1, 1, 1], 1], // D
      [{ country: 'de', channel: 'Net2' }, [1, 0, 0], [1, 1, 1], 1], // F
      [{ app: 'run', country: 'de' }, [1, 0, 1], [1, 1, 2], 2], // D; C
      [{ os: 'ios', channel: 'Net1' }, [0, 0, 1], [0, 0, 1], 1], // C
      [{ app: 'fit', os: 'android', country: 'de', channel: 'Net1' }, [1, 0, 1], [1, 1, 1], 1], // A
      [{ app: 'swim' }, [0, 0, 0], [0, 0, 0], 0],
      [{ app: 'fit', country: 'fr' }, [0, 0, 0], [0, 0, 0], 0],
    ];
    const range = { from: '2026-04-10', to: '2026-04-12' };
    const mean = (values: number[]) => Math.round((values.reduce((x, y) => x + y, 0) / values.length) * 100) / 100;
    for (const [filters, dau, wau, distinct] of cases) {
      const expected = { dau, wau, mau: wau };
      for (const klip of WINDOWS) {
        const answer = await getMetric(t, klip, { ...range, ...filters });
        expect({ filters, klip, values: answer.data.map((row) => row.value), summary: answer.summary }).toEqual({
          filters,
          klip,
          values: expected[klip],
          summary: { average: mean(expected[klip]), distinct },
        });
      }
    }
  });

  it('answers DAU weeks across a year boundary', async () => {
    const app = 'au.new-year';
    const e = newAdid();
    await load([...activeOn(app, ['2026-12-31', '2027-01-01', '2027-01-04'], e), ...activeOn(app, ['2027-01-03', '2027-01-10'])]);

    // week 2026-12-28…2027-01-03: 12-31 1, 01-01 1, 01-03 1 → 3 / 7; week 01-04…01-10: 01-04 1, 01-10 1 → 2 / 7
    for (const filters of [{ app }, { app, os: 'android' }]) {
      await expect(getMetric(t, 'dau', { from: '2026-12-28', to: '2027-01-10', granularity: 'week', ...filters })).resolves.toMatchObject({
        data: [
          { date: '2026-12-28', value: 0.43 },
          { date: '2027-01-04', value: 0.29 },
        ],
        summary: { average: 0.36, distinct: 2 },
      });
    }
  });
  it('starts a range inside the history from the changes before it, added up in one row', async () => {
    const app = 'au.midway';
    // X on 04-01, Y on 04-03 (both before the range), Z on 04-20 (inside it)
    await load([...activeOn(app, ['2027-04-01']), ...activeOn(app, ['2027-04-03']), ...activeOn(app, ['2027-04-20'])]);
    const range = { from: '2027-04-05', to: '2027-04-25' };
    const expected = {
      dau: spans(range.from, range.to, [['2027-04-20', '2027-04-20', 1]]),
      wau: spans(range.from, range.to, [
        ['2027-04-05', '2027-04-07', 2], // X until 04-07, Y until 04-09
        ['2027-04-08', '2027-04-09', 1],
        ['2027-04-20', '2027-04-25', 1], // Z
      ]),
      mau: spans(range.from, range.to, [
        ['2027-04-05', '2027-04-19', 2],
        ['2027-04-20', '2027-04-25', 3],
      ]),
    };
    for (const filters of [{}, { app }, { app, os: 'android', country: 'de' }]) {
      for (const klip of WINDOWS) await expect(valuesOf(t, klip, { ...range, ...filters })).resolves.toEqual(expected[klip]);
    }
    // a range before every change of the app: all zeros
    await expect(valuesOf(t, 'mau', { from: '2027-03-01', to: '2027-03-31', app })).resolves.toEqual(Array(31).fill(0));
  });
});
