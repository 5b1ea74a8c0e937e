import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { MetricsController } from '../../src/metrics/metrics.controller.js';
import {
  clickCallback,
  eventCallback,
  installCallback,
  installUpdateCallback,
  newAdid,
  rejectedInstallCallback,
  sessionCallback,
} from '../support/adjust-callbacks.js';
import { epoch, getMetric, loadCallbacks, noon, valuesOf } from '../support/metrics-api.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

// Installs, registrations and session duration (metrics.md): each test writes its rows under its own app
// (filtered with app=…) or on days no other test uses, so the tests share one app and its databases.
describe(MetricsController.name, () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ REGISTRATION_EVENTS: 'reg7k2,registration' });
  });

  afterAll(async () => {
    await t?.close();
  });

  const load = (callbacks: URLSearchParams[]) => loadCallbacks(t, callbacks);

  describe('installs, registrations and session duration', () => {
    it('counts a callback that Adjust sent twice once', async () => {
      const app = 'counts.duplicates';
      const install = installCallback({ app_name: app, created_at: noon('2026-11-20') });
      const registration = eventCallback({ app_name: app, created_at: noon('2026-11-20') });
      const short = sessionCallback({ app_name: app, created_at: noon('2026-11-20'), last_session_time: '', last_time_spent: '100' });
      const long = sessionCallback({ app_name: app, created_at: noon('2026-11-20'), last_session_time: '', last_time_spent: '400' });
      const range = { from: '2026-11-20', to: '2026-11-20', app };
      const expectCountedOnce = async () => {
        await expect(getMetric(t, 'installs', range)).resolves.toMatchObject({ summary: { total: 1 } });
        await expect(getMetric(t, 'registrations', range)).resolves.toMatchObject({ summary: { total: 1 } });
        // (100 + 400) / 2; the repeated 100 counted again would make (100 + 100 + 400) / 3 = 200
        await expect(getMetric(t, 'session-duration', range)).resolves.toMatchObject({ summary: { average: 250 } });
        // the install's device and the two sessions' (an event does not make a device active)
        await expect(getMetric(t, 'dau', range)).resolves.toMatchObject({ summary: { average: 3, distinct: 3 } });
      };
      // a retry within the batch, and retries after the load
      const first = await load([install, registration, short, long, install]);
      expect(first.rowsExtracted).toBe(4);
      await expectCountedOnce();
      const retries = await load([install, registration, short]);
      expect(retries.rowsExtracted).toBe(0);
      await expectCountedOnce();
    });

    it('leaves out sandbox activities and rejected installs', async () => {
      const app = 'counts.production';
      const at = noon('2026-11-20');
      await load([
        installCallback({ app_name: app, created_at: at }),
        installCallback({ app_name: app, created_at: at, environment: 'sandbox' }),
        rejectedInstallCallback({ app_name: app, created_at: at }),
        eventCallback({ app_name: app, created_at: at }),
        eventCallback({ app_name: app, created_at: at, environment: 'sandbox' }),
        sessionCallback({ app_name: app, created_at: at, last_session_time: '', last_time_spent: '60' }),
        sessionCallback({ app_name: app, created_at: at, last_session_time: '', last_time_spent: '6000', environment: 'sandbox' }),
      ]);

      const range = { from: '2026-11-20', to: '2026-11-20', app };
      await expect(getMetric(t, 'installs', range)).resolves.toMatchObject({ summary: { total: 1 } });
      await expect(getMetric(t, 'registrations', range)).resolves.toMatchObject({ summary: { total: 1 } });
      await expect(getMetric(t, 'session-duration', range)).resolves.toMatchObject({ summary: { average: 60 } });
      // the production install and the production session: two devices, stored or computed, and counted over two days
      await expect(getMetric(t, 'dau', range)).resolves.toMatchObject({ summary: { average: 2, distinct: 2 } });
      await expect(getMetric(t, 'dau', { ...range, os: 'android', country: 'de' })).resolves.toMatchObject({
        summary: { average: 2, distinct: 2 },
      });
      await expect(getMetric(t, 'dau', { ...range, from: '2026-11-19' })).resolves.toMatchObject({ summary: { average: 1, distinct: 2 } });
      await expect(getMetric(t, 'installs-by-channel', range)).resolves.toMatchObject({
        summary: { total: 1 },
        data: [{ channel: 'Network1', value: 1 }],
      });
    });

    it('counts registrations by event token or event name from REGISTRATION_EVENTS, once per event', async () => {
      const app = 'counts.registrations';
      const at = noon('2026-11-20');
      await load([
        eventCallback({ app_name: app, created_at: at, event: 'reg7k2', event_name: '' }), // by token
        eventCallback({ app_name: app, created_at: at, event: 'zz99aa', event_name: 'registration' }), // by name
        eventCallback({ app_name: app, created_at: at, event: 'reg7k2', event_name: 'registration' }), // both: once
        eventCallback({ app_name: app, created_at: at, event: 'pur4x1', event_name: 'purchase' }),
        installCallback({ app_name: app, created_at: at, event: 'reg7k2', event_name: 'registration' }), // not an event
      ]);

      await expect(getMetric(t, 'registrations', { from: '2026-11-20', to: '2026-11-20', app })).resolves.toMatchObject({
        summary: { total: 3 },
        data: [{ date: '2026-11-20', value: 3 }],
      });
    });

    it('counts a session length for the day of last_session_time, or of created_at when that is empty', async () => {
      const app = 'counts.lengths';
      const session = (createdAt: string, lastSessionTime: string, lastTimeSpent: string) =>
        sessionCallback({
          app_name: app,
          created_at: epoch(createdAt),
          last_session_time: lastSessionTime && epoch(lastSessionTime),
          last_time_spent: lastTimeSpent,
        });
      await load([
        session('2026-11-20T10:00:00Z', '2026-11-19T23:30:00Z', '600'), // for 11-19
        session('2026-11-19T12:00:00Z', '2026-11-19T11:00:00Z', '100'), // for 11-19
        session('2026-11-20T10:00:00Z', '', '300'), // for 11-20, its own day
        session('2026-11-20T10:00:00Z', '2026-11-20T08:00:00Z', '0'), // not a length
        session('2026-11-20T10:00:00Z', '2026-11-20T08:00:00Z', '-5'), // not a length
        session('2026-11-20T10:00:00Z', '2026-11-20T08:00:00Z', '12.5'), // not a whole number
        session('2026-11-22T01:00:00Z', '2026-11-21T22:00:00Z', '50'), // for 11-21, outside the range below
      ]);

      const range = { from: '2026-11-18', to: '2026-11-20', app };
      // 11-19: (600 + 100) / 2; 11-20: 300
      await expect(getMetric(t, 'session-duration', range)).resolves.toMatchObject({
        unit: 'seconds',
        data: [
          { date: '2026-11-18', value: null },
          { date: '2026-11-19', value: 350 },
          { date: '2026-11-20', value: 300 },
        ],
        // the weighted mean (600 + 100 + 300) / 3 = 333.33, not the mean of the daily means (350 + 300) / 2 = 325
        summary: { average: 333.33 },
      });
      // one week bucket holding both days is the weighted mean too
      await expect(getMetric(t, 'session-duration', { ...range, granularity: 'week' })).resolves.toMatchObject({
        data: [{ date: '2026-11-16', value: 333.33 }],
      });
      // the 50 s length of 11-21 alone, and a day without lengths
      await expect(getMetric(t, 'session-duration', { from: '2026-11-21', to: '2026-11-22', app })).resolves.toMatchObject({
        data: [
          { date: '2026-11-21', value: 50 },
          { date: '2026-11-22', value: null },
        ],
        summary: { average: 50 },
      });
    });

    it('fills every day without activity with 0', async () => {
      const app = 'counts.zero-fill';
      await load([
        installCallback({ app_name: app, created_at: noon('2026-11-18') }),
        installCallback({ app_name: app, created_at: noon('2026-11-21') }),
        installCallback({ app_name: app, created_at: noon('2026-11-21') }),
        eventCallback({ app_name: app, created_at: noon('2026-11-19') }),
      ]);

      const range = { from: '2026-11-17', to: '2026-11-22', app };
      await expect(getMetric(t, 'installs', range)).resolves.toMatchObject({
        metric: 'installs',
        unit: 'count',
        granularity: 'day',
        filters: { app },
        summary: { total: 3 },
        data: [
          { date: '2026-11-17', value: 0 },
          { date: '2026-11-18', value: 1 },
          { date: '2026-11-19', value: 0 },
          { date: '2026-11-20', value: 0 },
          { date: '2026-11-21', value: 2 },
          { date: '2026-11-22', value: 0 },
        ],
      });
      await expect(valuesOf(t, 'registrations', range)).resolves.toEqual([0, 0, 1, 0, 0, 0]);
      await expect(valuesOf(t, 'session-duration', range)).resolves.toEqual([null, null, null, null, null, null]);
    });

    it('answers zeros, a null mean and no devices for a range without data', async () => {
      const range = { from: '2025-03-01', to: '2025-03-03' };
      const zeros = [0, 0, 0].map((value, i) => ({ date: `2025-03-0${i + 1}`, value }));
      await expect(getMetric(t, 'installs', range)).resolves.toMatchObject({ summary: { total: 0 }, data: zeros });
      await expect(getMetric(t, 'registrations', range)).resolves.toMatchObject({ summary: { total: 0 }, data: zeros });
      await expect(getMetric(t, 'session-duration', range)).resolves.toMatchObject({
        summary: { average: null },
        data: zeros.map((row) => ({ ...row, value: null })),
      });
      for (const klip of ['dau', 'wau', 'mau']) {
        for (const filters of [{}, { os: 'android' }, { os: 'android', country: 'de' }]) {
          await expect(getMetric(t, klip, { ...range, ...filters })).resolves.toMatchObject({
            summary: { average: 0, distinct: 0 },
            data: zeros,
          });
        }
      }
      await expect(getMetric(t, 'installs-by-channel', range)).resolves.toMatchObject({ summary: { total: 0 }, data: [] });
      await expect(getMetric(t, 'installs-by-channel', { ...range, granularity: 'day' })).resolves.toMatchObject({
        summary: { total: 0 },
        data: [],
      });
    });

    it('cuts week and month buckets at the range and keeps their labels', async () => {
      const app = 'counts.buckets';
      // 2026-11-22 is a Sunday: its ISO week starts on Monday 2026-11-16
      await load(
        ['2026-11-21', '2026-11-22', '2026-11-23', '2026-11-29', '2026-12-06', '2026-12-08', '2026-12-09'].map((day) =>
          installCallback({ app_name: app, created_at: noon(day) }),
        ),
      );

      const range = { from: '2026-11-22', to: '2026-12-08', app };
      await expect(getMetric(t, 'installs', { ...range, granularity: 'week' })).resolves.toMatchObject({
        granularity: 'week',
        summary: { total: 5 },
        data: [
          { date: '2026-11-16', value: 1 }, // 11-22 only (11-21 is outside the range)
          { date: '2026-11-23', value: 2 }, // 11-23, 11-29
          { date: '2026-11-30', value: 1 }, // 12-06
          { date: '2026-12-07', value: 1 }, // 12-08 (12-09 is outside the range)
        ],
      });
      await expect(getMetric(t, 'installs', { ...range, granularity: 'month' })).resolves.toMatchObject({
        summary: { total: 5 },
        data: [
          { date: '2026-11-01', value: 3 },
          { date: '2026-12-01', value: 2 },
        ],
      });
    });

    it('labels ISO weeks across a year boundary by their Monday', async () => {
      const app = 'counts.new-year';
      await load(
        ['2026-12-27', '2026-12-31', '2027-01-01', '2027-01-03', '2027-01-04', '2027-01-11'].map((day) =>
          installCallback({ app_name: app, created_at: noon(day) }),
        ),
      );

      const range = { from: '2026-12-28', to: '2027-01-10', app };
      // 2026-12-28 is the Monday of ISO week 2026-W53, which ends on Sunday 2027-01-03
      await expect(getMetric(t, 'installs', { ...range, granularity: 'week' })).resolves.toMatchObject({
        summary: { total: 4 },
        data: [
          { date: '2026-12-28', value: 3 },
          { date: '2027-01-04', value: 1 },
        ],
      });
      await expect(getMetric(t, 'installs', { ...range, granularity: 'month' })).resolves.toMatchObject({
        data: [
          { date: '2026-12-01', value: 1 },
          { date: '2027-01-01', value: 3 },
        ],
      });
    });

    it('filters installs, registrations and session lengths by app, os, country and channel, alone and combined', async () => {
      // 2026-06-10 is used by no other test: the rows below are all there is that day
      const at = noon('2026-06-10');
      const device = (app: string, os: string, country: string, network: string, length: string, registers: boolean) => {
        const dims = {
          app_name: app,
          os_name: os,
          country,
          network_name: network,
          created_at: at,
          ...(network === '' ? { tracker_name: '', is_organic: '1' } : {}),
        };
        const adid = newAdid();
        return [
          installCallback({ ...dims, adid }),
          sessionCallback({ ...dims, adid, last_session_time: '', last_time_spent: length }),
          ...(registers ? [eventCallback({ ...dims, adid })] : []),
        ];
      };
      await load([
        ...device('fit', 'Android', 'DE', 'Net1', '100', true), // A
        ...device('fit', 'iOS', 'DE', 'Net2', '200', true), // B
        ...device('fit', 'android', 'us', 'Net2', '300', false), // C
        ...device('run', 'android', 'de', 'Net1', '400', true), // D
        ...device('run', 'ios', 'US', '', '500', false), // E, organic
        clickCallback({ created_at: at }),
        installUpdateCallback({ app_name: 'fit', created_at: at }),
      ]);

      // [filters, installs, registrations, mean session length]
      const cases: [Record<string, string>, number, number, number | null][] = [
        [{}, 5, 3, 300], // A–E
        [{ app: 'fit' }, 3, 2, 200], // A, B, C
        [{ os: 'android' }, 3, 2, 266.67], // A, C, D: 800 / 3
        [{ os: 'ANDROID' }, 3, 2, 266.67], // filter values are lower-cased
        [{ country: 'de' }, 3, 3, 233.33], // A, B, D: 700 / 3
        [{ channel: 'Net2' }, 2, 1, 250], // B, C
        [{ channel: 'Organic' }, 1, 0, 500], // E
        [{ app: 'fit', os: 'android' }, 2, 1, 200], // A, C
        [{ app: 'run', country: 'us' }, 1, 0, 500], // E
        [{ os: 'android', country: 'de', channel: 'Net1' }, 2, 2, 250], // A, D
        [{ app: 'fit', os: 'ios', country: 'de', channel: 'Net2' }, 1, 1, 200], // B
        [{ os: 'windows' }, 0, 0, null],
        [{ app: 'fit', channel: 'Organic' }, 0, 0, null],
      ];
      const range = { from: '2026-06-10', to: '2026-06-10' };
      for (const [filters, installs, registrations, length] of cases) {
        const params = { ...range, ...filters };
        await expect(getMetric(t, 'installs', params)).resolves.toMatchObject({
          summary: { total: installs },
          data: [{ value: installs }],
        });
        await expect(getMetric(t, 'registrations', params)).resolves.toMatchObject({ summary: { total: registrations } });
        await expect(getMetric(t, 'session-duration', params)).resolves.toMatchObject({ summary: { average: length } });
      }
    });

    it('names the app by app_name, else app_id, else app_token', async () => {
      const at = noon('2026-06-20');
      await load([
        installCallback({ created_at: at, app_name: 'names.by-name', app_id: 'names.id-one', app_token: 'tok111' }),
        installCallback({ created_at: at, app_name: '', app_id: 'names.by-id', app_token: 'tok222' }),
        installCallback({ created_at: at, app_name: '', app_id: '', app_token: 'tok333' }),
      ]);

      const day = { from: '2026-06-20', to: '2026-06-20' };
      for (const app of ['names.by-name', 'names.by-id', 'tok333']) {
        await expect(getMetric(t, 'installs', { ...day, app })).resolves.toMatchObject({ summary: { total: 1 } });
        await expect(getMetric(t, 'dau', { ...day, app })).resolves.toMatchObject({ summary: { average: 1, distinct: 1 } });
        await expect(getMetric(t, 'dau', { ...day, app, country: 'DE' })).resolves.toMatchObject({ summary: { average: 1, distinct: 1 } });
      }
      for (const app of ['names.id-one', 'tok111', 'tok222']) {
        await expect(getMetric(t, 'installs', { ...day, app })).resolves.toMatchObject({ summary: { total: 0 } });
      }
    });
  });

  describe('SESSION_LENGTH_FIELD=time_spent', () => {
    let timeSpent: TestApp;

    beforeAll(async () => {
      timeSpent = await startTestApp({ SESSION_LENGTH_FIELD: 'time_spent' });
    });

    afterAll(async () => {
      await timeSpent?.close();
    });

    it('reads the current session length from time_spent, on the session’s own day', async () => {
      const session = (createdAt: string, spent: string) =>
        sessionCallback({
          created_at: epoch(createdAt),
          time_spent: spent,
          last_time_spent: '999',
          last_session_time: epoch('2026-11-18T12:00:00Z'),
        });
      await loadCallbacks(timeSpent, [
        session('2026-11-20T10:00:00Z', '50'),
        session('2026-11-20T11:00:00Z', '150'),
        session('2026-11-20T12:00:00Z', '0'),
        session('2026-11-21T12:00:00Z', '40'),
      ]);

      // 11-18 (last_session_time) gets nothing; 11-20: (50 + 150) / 2; 11-21: 40; range: 240 / 3
      await expect(getMetric(timeSpent, 'session-duration', { from: '2026-11-18', to: '2026-11-21' })).resolves.toMatchObject({
        summary: { average: 80 },
        data: [
          { date: '2026-11-18', value: null },
          { date: '2026-11-19', value: null },
          { date: '2026-11-20', value: 100 },
          { date: '2026-11-21', value: 40 },
        ],
      });
    });
  });
});
