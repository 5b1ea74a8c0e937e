import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { addDays, zonedDate } from '../../src/common/zoned-time.js';
import { MetricsController } from '../../src/metrics/metrics.controller.js';
import {
  clickCallback,
  eventCallback,
  installCallback,
  installUpdateCallback,
  reattributionCallback,
  rejectedInstallCallback,
  sessionCallback,
} from '../support/adjust-callbacks.js';
import { epoch, getMetric, loadCallbacks, noon } from '../support/metrics-api.js';
import { API_KEY, startTestApp, type TestApp } from '../support/test-app.js';

const DAY = 86_400;

// Sessions, revenue and retention (metrics.md, "Three more klips"), each test under apps of its own.
// Every expected number is worked out in the comments from the rows the test sends.
describe(`${MetricsController.name}: sessions, revenue, retention`, () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  const load = (callbacks: URLSearchParams[]) => loadCallbacks(t, callbacks);

  describe('sessions', () => {
    it('counts the activities that make a device active, production only, on their own day', async () => {
      const app = 'three.sessions';
      const at = noon('2026-11-10');
      const common = { app_name: app, created_at: at };
      await load([
        // device 1: an install and two sessions; device 2: a reattribution; 3: a reinstall; 4: a reattribution_reinstall
        installCallback({ ...common, adid: 'sessions-1' }),
        sessionCallback({ ...common, adid: 'sessions-1' }),
        sessionCallback({ ...common, adid: 'sessions-1', created_at: String(Number(at) + 60) }),
        reattributionCallback({ ...common, adid: 'sessions-2' }),
        sessionCallback({ ...common, adid: 'sessions-3', activity_kind: 'reinstall' }),
        sessionCallback({ ...common, adid: 'sessions-4', activity_kind: 'reattribution_reinstall' }),
        // none of these is a session: an event, a click, an attribution update, a sandbox session, a rejected install
        eventCallback({ ...common, adid: 'sessions-1' }),
        clickCallback({ ...common, adid: 'sessions-5' }),
        installUpdateCallback({ ...common, adid: 'sessions-1' }),
        sessionCallback({ ...common, adid: 'sessions-6', environment: 'sandbox' }),
        rejectedInstallCallback({ ...common, adid: 'sessions-7' }),
        // two days later, on iOS
        sessionCallback({ app_name: app, created_at: noon('2026-11-12'), adid: 'sessions-1', os_name: 'ios' }),
      ]);

      const range = { from: '2026-11-09', to: '2026-11-15', app };
      // 1 + 2 + 1 + 1 + 1 = 6 on the 10th, 1 on the 12th
      await expect(getMetric(t, 'sessions', range)).resolves.toMatchObject({
        summary: { total: 7 },
        data: [0, 6, 0, 1, 0, 0, 0].map((value, i) => ({ date: addDays('2026-11-09', i), value })),
      });
      // the week of Monday 9 November holds both days
      await expect(getMetric(t, 'sessions', { ...range, granularity: 'week' })).resolves.toMatchObject({
        summary: { total: 7 },
        data: [{ date: '2026-11-09', value: 7 }],
      });
      await expect(getMetric(t, 'sessions', { ...range, os: 'ios' })).resolves.toMatchObject({ summary: { total: 1 } });
      // as many sessions as active devices or more: DAU on the 10th is 4
      await expect(getMetric(t, 'dau', { ...range, from: '2026-11-10', to: '2026-11-10' })).resolves.toMatchObject({
        summary: { average: 4 },
      });
    });
  });

  describe('revenue', () => {
    it("sums events' revenue_usd, else USD revenue_float, rounded to cents, with ARPDAU over the daily DAU", async () => {
      const app = 'three.revenue';
      // a purchase event; each at a second of its own (Adjust's retries are recognised by app, kind, device, time and event)
      let second = 0;
      const day = (d: string, device: string, values: Record<string, string>) =>
        eventCallback({
          app_name: app,
          adid: device,
          created_at: String(Number(noon(d)) + ++second),
          event: 'pur123',
          event_name: 'purchase',
          ...values,
        });
      await load([
        // 10 Nov: device 1 installs (DAU 1); 4.99 in revenue_usd (its revenue_float in euros does not count
        // beside it) and 1.005 USD in revenue_float (currency in any case): 5.995
        installCallback({ app_name: app, adid: 'revenue-1', created_at: noon('2026-11-10') }),
        day('2026-11-10', 'revenue-1', { revenue_usd: '4.99', revenue_float: '4.5', currency: 'EUR' }),
        day('2026-11-10', 'revenue-1', { revenue_float: '1.005', currency: 'Usd' }),
        // nothing: euros without revenue_usd, revenue on a session, a sandbox purchase
        day('2026-11-10', 'revenue-1', { revenue_float: '3', currency: 'EUR' }),
        sessionCallback({ app_name: app, adid: 'revenue-1', created_at: noon('2026-11-10'), revenue_usd: '100' }),
        day('2026-11-10', 'revenue-1', { revenue_usd: '50', environment: 'sandbox' }),
        // 11 Nov: device 1 is back (DAU 1) and spends 2.50 from the US
        sessionCallback({ app_name: app, adid: 'revenue-1', created_at: noon('2026-11-11') }),
        day('2026-11-11', 'revenue-1', { revenue_usd: '2.5', country: 'us' }),
        // 12 Nov: 7 from a device not active that day (DAU 0)
        day('2026-11-12', 'revenue-2', { revenue_usd: '7' }),
      ]);

      const range = { from: '2026-11-10', to: '2026-11-12', app };
      // 5.995 → 6.00 (half up); total 5.995 + 2.5 + 7 = 15.495 → 15.50; ARPDAU 15.495 / (1 + 1 + 0) = 7.7475
      await expect(getMetric(t, 'revenue', range)).resolves.toMatchObject({
        unit: 'usd',
        summary: { total: 15.5, arpdau: 7.7475 },
        data: [
          { date: '2026-11-10', value: 6 },
          { date: '2026-11-11', value: 2.5 },
          { date: '2026-11-12', value: 7 },
        ],
      });
      // no active device in the range: no ARPDAU
      await expect(getMetric(t, 'revenue', { ...range, from: '2026-11-12' })).resolves.toMatchObject({
        summary: { total: 7, arpdau: null },
      });
      // the same filters on both sides: no device was active in the US (device 1's session reports Germany)
      await expect(getMetric(t, 'revenue', { ...range, country: 'us' })).resolves.toMatchObject({
        summary: { total: 2.5, arpdau: null },
      });
      await expect(getMetric(t, 'revenue', { ...range, granularity: 'month' })).resolves.toMatchObject({
        data: [{ date: '2026-11-01', value: 15.5 }],
      });
    });
  });

  describe('retention', () => {
    // a session of `device` in `app` on `day`, at noon unless `at` says otherwise
    const back = (app: string, device: string, day: string, values: Record<string, string> = {}) =>
      sessionCallback({ app_name: app, adid: device, created_at: noon(day), ...values });
    const installed = (app: string, device: string, day: string, values: Record<string, string> = {}) =>
      installCallback({ app_name: app, adid: device, created_at: noon(day), ...values });
    const cohort = (date: string, installs: number, d1: number | null, d7: number | null, d30: number | null) => ({
      date,
      installs,
      d1,
      d7,
      d30,
    });

    it('follows each device from its first install in an app to days 1, 7 and 30, and late data moves it', async () => {
      const app = 'three.retention';
      await load([
        // cohort of 1 November: A, B and C
        // A: back on the 2nd from another os and country, and on the 8th (days 1 and 7)
        installed(app, 'retention-a', '2026-11-01'),
        back(app, 'retention-a', '2026-11-02', { os_name: 'ios', country: 'us' }),
        back(app, 'retention-a', '2026-11-08'),
        // B: back on 1 December (day 30)
        installed(app, 'retention-b', '2026-11-01'),
        back(app, 'retention-b', '2026-12-01'),
        // C: installs again on the 5th (no cohort: its first install was on the 1st) and is back on the 6th
        installed(app, 'retention-c', '2026-11-01'),
        installed(app, 'retention-c', '2026-11-05'),
        back(app, 'retention-c', '2026-11-06'),
        // D installs another app and is back in this one the next day: in no cohort of this app
        installed(`${app}.other`, 'retention-d', '2026-11-01'),
        back(app, 'retention-d', '2026-11-02'),
        // a sandbox install, and a session without an install: in no cohort
        installed(app, 'retention-e', '2026-11-01', { environment: 'sandbox' }),
        back(app, 'retention-f', '2026-11-02'),
        // G installs on the 3rd: a cohort of its own, for now
        installed(app, 'retention-g', '2026-11-03'),
        back(app, 'retention-g', '2026-11-04'),
      ]);
      const range = { from: '2026-11-01', to: '2026-11-05', app };
      // 1 Nov: 3 installs, each day retained by one of them (A, A, B): 1/3; 3 Nov: G, back the next day;
      // 2, 4 and 5 Nov: no cohort (C's second install starts none)
      const third = 0.3333;
      await expect(getMetric(t, 'retention', range)).resolves.toMatchObject({
        unit: 'share',
        summary: { installs: 4, d1: 0.5, d7: 0.25, d30: 0.25 },
        data: [
          cohort('2026-11-01', 3, third, third, third),
          cohort('2026-11-02', 0, null, null, null),
          cohort('2026-11-03', 1, 1, 0, 0),
          cohort('2026-11-04', 0, null, null, null),
          cohort('2026-11-05', 0, null, null, null),
        ],
      });
      await expect(getMetric(t, 'retention', { ...range, app: `${app}.other` })).resolves.toMatchObject({
        summary: { installs: 1, d1: 0, d7: 0, d30: 0 },
      });

      // late data: C's session on the 8th (its day 7), and an earlier install of G on the 1st, which
      // moves G to the cohort of the 1st (where its session on the 4th is no day 1, 7 or 30)
      await load([back(app, 'retention-c', '2026-11-08'), installed(app, 'retention-g', '2026-11-01')]);
      await expect(getMetric(t, 'retention', range)).resolves.toMatchObject({
        summary: { installs: 4, d1: 0.25, d7: 0.5, d30: 0.25 },
        data: [
          cohort('2026-11-01', 4, 0.25, 0.5, 0.25),
          cohort('2026-11-02', 0, null, null, null),
          cohort('2026-11-03', 0, null, null, null),
          cohort('2026-11-04', 0, null, null, null),
          cohort('2026-11-05', 0, null, null, null),
        ],
      });
      // one flat table for Klipfolio; a share not known yet is an empty cell
      const csv = await request(t.app.getHttpServer())
        .get(`/api/v1/metrics/retention?from=2026-11-01&to=2026-11-02&app=${app}&format=csv`)
        .set('X-API-Key', API_KEY)
        .expect(200);
      expect(csv.text).toBe('date,installs,d1,d7,d30\r\n2026-11-01,4,0.25,0.5,0.25\r\n2026-11-02,0,,,\r\n');
      // by week: the Sunday 1 November closes the week of Monday 26 October
      await expect(getMetric(t, 'retention', { ...range, granularity: 'week' })).resolves.toMatchObject({
        data: [cohort('2026-10-26', 4, 0.25, 0.5, 0.25), cohort('2026-11-02', 0, null, null, null)],
      });
    });

    it("selects cohorts by their install's os, country and dynamic channel, and counts any activity of the app as retained", async () => {
      const app = 'three.retention.filters';
      await load([
        // A installs from Network1 on Android in Germany; back on day 1 on iOS from the US
        installed(app, 'filters-a', '2026-11-01'),
        back(app, 'filters-a', '2026-11-02', { os_name: 'ios', country: 'us' }),
        // B installs from Network1; an attribution update moves it to Facebook
        installed(app, 'filters-b', '2026-11-01'),
        installUpdateCallback({ app_name: app, adid: 'filters-b', created_at: noon('2026-11-03'), network_name: 'Facebook' }),
      ]);
      const range = { from: '2026-11-01', to: '2026-11-01', app };
      await expect(getMetric(t, 'retention', { ...range, os: 'android' })).resolves.toMatchObject({
        summary: { installs: 2, d1: 0.5, d7: 0, d30: 0 },
      });
      await expect(getMetric(t, 'retention', { ...range, os: 'ios' })).resolves.toMatchObject({
        summary: { installs: 0, d1: null, d7: null, d30: null },
      });
      await expect(getMetric(t, 'retention', { ...range, channel: 'Facebook' })).resolves.toMatchObject({
        summary: { installs: 1, d1: 0, d7: 0, d30: 0 },
      });
      await expect(getMetric(t, 'retention', { ...range, channel: 'Network1' })).resolves.toMatchObject({
        summary: { installs: 1, d1: 1, d7: 0, d30: 0 },
      });
    });

    it('answers null for a day N that has not ended yet, and counts it once it has', async () => {
      const app = 'three.retention.recent';
      const now = Math.floor(Date.now() / 1000);
      const today = zonedDate(new Date(now * 1000), 'UTC');
      const yesterday = addDays(today, -1);
      // installed yesterday, back today: day 1 is today, which has not ended
      await load([
        installCallback({ app_name: app, adid: 'recent-a', created_at: epoch(`${yesterday}T12:00:00Z`) }),
        sessionCallback({ app_name: app, adid: 'recent-a', created_at: String(now - 60) }),
        // eight days ago, back the next day: day 1 has ended, day 7 (yesterday) too, day 30 not
        installCallback({ app_name: app, adid: 'recent-b', created_at: epoch(`${addDays(today, -8)}T12:00:00Z`) }),
        sessionCallback({ app_name: app, adid: 'recent-b', created_at: String(Number(epoch(`${addDays(today, -8)}T12:00:00Z`)) + DAY) }),
      ]);
      await expect(getMetric(t, 'retention', { from: yesterday, to: yesterday, app })).resolves.toMatchObject({
        summary: { installs: 1, d1: null, d7: null, d30: null },
      });
      // over both cohorts: day 1 counts only B's (ended), day 7 only B's, day 30 neither
      await expect(getMetric(t, 'retention', { from: addDays(today, -8), to: yesterday, app })).resolves.toMatchObject({
        summary: { installs: 2, d1: 1, d7: 0, d30: null },
      });
    });
  });
});
