import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { MetricsController } from '../../src/metrics/metrics.controller.js';
import { installCallback, installUpdateCallback, newAdid } from '../support/adjust-callbacks.js';
import { getMetric, loadCallbacks, noon } from '../support/metrics-api.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

// Installs by channel (metrics.md "Installs by channel and attribution updates"): every test writes under
// its own app and filters by it.
describe(MetricsController.name, () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });

  afterAll(async () => {
    await t?.close();
  });

  const load = (callbacks: URLSearchParams[]) => loadCallbacks(t, callbacks);

  // installs?channel=X equals the X row of installs-by-channel, for every channel of the range.
  async function expectInstallsAgreeByChannel(params: Record<string, string>): Promise<void> {
    const byChannel = await getMetric(t, 'installs-by-channel', params);
    expect(byChannel.data.length).toBeGreaterThan(0);
    for (const row of byChannel.data) {
      await expect(getMetric(t, 'installs', { ...params, channel: row.channel! })).resolves.toMatchObject({
        summary: { total: row.value },
      });
    }
  }

  describe('installs-by-channel', () => {
    it('counts an install under the channel of its latest install_update, on its own day', async () => {
      const app = 'ch.update';
      const [i1, i2, i3] = [newAdid(), newAdid(), newAdid()];
      await load([
        // I1: Network1, claimed by Facebook Installs, then by Google Ads
        installCallback({ app_name: app, adid: i1, created_at: noon('2026-11-18') }),
        installUpdateCallback({ app_name: app, adid: i1, created_at: noon('2026-11-19') }),
        installUpdateCallback({
          app_name: app,
          adid: i1,
          created_at: noon('2026-11-20'),
          network_name: 'Google Ads',
          tracker_name: 'Google Ads::x',
        }),
        // I2: Network1; its device's update in another app and a sandbox update do not move it
        installCallback({ app_name: app, adid: i2, created_at: noon('2026-11-18') }),
        installUpdateCallback({ app_name: 'ch.elsewhere', adid: i2, created_at: noon('2026-11-19'), network_name: 'Elsewhere' }),
        installUpdateCallback({
          app_name: app,
          adid: i2,
          created_at: noon('2026-11-19'),
          network_name: 'Sandboxed',
          environment: 'sandbox',
        }),
        // I3: organic, claimed by Facebook Installs the same day
        installCallback({ app_name: app, adid: i3, created_at: noon('2026-11-19'), network_name: '', tracker_name: '', is_organic: '1' }),
        installUpdateCallback({ app_name: app, adid: i3, created_at: String(Number(noon('2026-11-19')) + 60) }),
        // I4: Network1, on iOS in the US
        installCallback({ app_name: app, created_at: noon('2026-11-20'), os_name: 'ios', country: 'us' }),
      ]);

      const range = { from: '2026-11-18', to: '2026-11-20', app };
      await expect(getMetric(t, 'installs-by-channel', range)).resolves.toMatchObject({
        metric: 'installs-by-channel',
        granularity: null,
        summary: { total: 4 },
        // largest first, equal counts by name
        data: [
          { channel: 'Network1', value: 2 },
          { channel: 'Facebook Installs', value: 1 },
          { channel: 'Google Ads', value: 1 },
        ],
      });
      // an update is not an install, and the installs keep their days
      await expect(getMetric(t, 'installs', range)).resolves.toMatchObject({
        summary: { total: 4 },
        data: [
          { date: '2026-11-18', value: 2 },
          { date: '2026-11-19', value: 1 },
          { date: '2026-11-20', value: 1 },
        ],
      });
      await expect(getMetric(t, 'installs', { ...range, channel: 'Google Ads' })).resolves.toMatchObject({
        data: [
          { date: '2026-11-18', value: 1 },
          { date: '2026-11-19', value: 0 },
          { date: '2026-11-20', value: 0 },
        ],
      });
      await expect(getMetric(t, 'installs', { ...range, channel: 'Network1' })).resolves.toMatchObject({
        data: [
          { date: '2026-11-18', value: 1 },
          { date: '2026-11-19', value: 0 },
          { date: '2026-11-20', value: 1 },
        ],
      });
      await expectInstallsAgreeByChannel(range);
    });

    it('has a row for every bucket and every channel of the range, 0 where it had no installs', async () => {
      const app = 'ch.buckets';
      await load([
        installCallback({ app_name: app, created_at: noon('2026-11-16'), network_name: 'Alpha' }),
        installCallback({ app_name: app, created_at: noon('2026-11-18'), network_name: 'Beta' }),
        installCallback({ app_name: app, created_at: noon('2026-11-18'), network_name: 'Beta' }),
        installCallback({ app_name: app, created_at: noon('2026-11-20'), network_name: 'Beta' }),
        installCallback({ app_name: app, created_at: noon('2026-11-14'), network_name: 'Gamma' }), // outside the range
      ]);

      // 2026-11-15 is a Sunday: a one-day bucket labelled by Monday 11-09, in which nothing happened
      const range = { from: '2026-11-15', to: '2026-11-20', app };
      await expect(getMetric(t, 'installs-by-channel', { ...range, granularity: 'week' })).resolves.toMatchObject({
        granularity: 'week',
        summary: { total: 4 },
        data: [
          { date: '2026-11-09', channel: 'Beta', value: 0 },
          { date: '2026-11-09', channel: 'Alpha', value: 0 },
          { date: '2026-11-16', channel: 'Beta', value: 3 },
          { date: '2026-11-16', channel: 'Alpha', value: 1 },
        ],
      });
      const byDay = await getMetric(t, 'installs-by-channel', { ...range, granularity: 'day' });
      expect(byDay.data).toEqual(
        ['2026-11-15', '2026-11-16', '2026-11-17', '2026-11-18', '2026-11-19', '2026-11-20'].flatMap((date) => [
          { date, channel: 'Beta', value: date === '2026-11-18' ? 2 : date === '2026-11-20' ? 1 : 0 },
          { date, channel: 'Alpha', value: date === '2026-11-16' ? 1 : 0 },
        ]),
      );
      await expect(getMetric(t, 'installs-by-channel', { ...range, granularity: 'month' })).resolves.toMatchObject({
        data: [
          { date: '2026-11-01', channel: 'Beta', value: 3 },
          { date: '2026-11-01', channel: 'Alpha', value: 1 },
        ],
      });
    });

    it('names the channel by network_name trimmed, else the first tracker_name segment, else Organic or Unknown', async () => {
      const app = 'ch.names';
      const install = (overrides: Record<string, string>) =>
        installCallback({ app_name: app, created_at: noon('2026-11-20'), ...overrides });
      await load([
        install({ network_name: '  Net X ' }),
        install({ network_name: '', tracker_name: 'TrackY::Camp::Group::Creative' }),
        install({ network_name: '   ', tracker_name: 'TrackY::Other' }),
        install({ network_name: '', tracker_name: '', is_organic: '1' }),
        install({ network_name: '', tracker_name: '', is_organic: '0' }),
        install({ network_name: '', tracker_name: '::Camp', is_organic: '0' }),
      ]);

      const range = { from: '2026-11-20', to: '2026-11-20', app };
      await expect(getMetric(t, 'installs-by-channel', range)).resolves.toMatchObject({
        summary: { total: 6 },
        data: [
          { channel: 'TrackY', value: 2 },
          { channel: 'Unknown', value: 2 },
          { channel: 'Net X', value: 1 },
          { channel: 'Organic', value: 1 },
        ],
      });
      await expectInstallsAgreeByChannel(range);
    });

    it('filters by app, os, country and channel, alone and combined', async () => {
      const app = 'ch.filters';
      const at = noon('2026-11-21');
      const update = (adid: string, network: string) =>
        installUpdateCallback({ app_name: app, adid, created_at: String(Number(at) + 60), network_name: network });
      const [a, b] = [newAdid(), newAdid()];
      await load([
        installCallback({ app_name: app, adid: a, created_at: at, os_name: 'android', country: 'de', network_name: 'Net1' }),
        update(a, 'Net2'), // A: Net2
        installCallback({ app_name: app, adid: b, created_at: at, os_name: 'ios', country: 'de', network_name: 'Net2' }),
        update(b, 'Net1'), // B: Net1
        installCallback({ app_name: app, created_at: at, os_name: 'ios', country: 'us', network_name: 'Net1' }), // C: Net1
        installCallback({ app_name: 'ch.filters-other', created_at: at, os_name: 'ios', country: 'us', network_name: 'Net1' }), // D
      ]);

      const range = { from: '2026-11-21', to: '2026-11-21' };
      const cases: [Record<string, string>, { channel: string; value: number }[]][] = [
        [
          { app },
          [
            { channel: 'Net1', value: 2 },
            { channel: 'Net2', value: 1 },
          ],
        ], // B, C; A
        [{ app, os: 'ios' }, [{ channel: 'Net1', value: 2 }]], // B, C
        [
          { app, country: 'de' },
          [
            { channel: 'Net1', value: 1 },
            { channel: 'Net2', value: 1 },
          ],
        ], // B; A
        [{ app, channel: 'Net2' }, [{ channel: 'Net2', value: 1 }]], // A by its update, not B by its own channel
        [{ os: 'ios', country: 'us' }, [{ channel: 'Net1', value: 2 }]], // C, D
        [{ app, os: 'ios', country: 'de', channel: 'Net1' }, [{ channel: 'Net1', value: 1 }]], // B
        [{ app, os: 'android', channel: 'Net1' }, []],
        [{ app: 'ch.nothing' }, []],
      ];
      for (const [filters, data] of cases) {
        const total = data.reduce((sum, row) => sum + row.value, 0);
        await expect(getMetric(t, 'installs-by-channel', { ...range, ...filters })).resolves.toMatchObject({ summary: { total }, data });
        await expect(getMetric(t, 'installs', { ...range, ...filters })).resolves.toMatchObject({ summary: { total } });
      }
    });

    it('recounts an earlier day when an install_update arrives in a later run, by created_at, not arrival', async () => {
      const app = 'ch.late';
      const [j1, j2] = [newAdid(), newAdid()];
      await load([
        installCallback({ app_name: app, adid: j1, created_at: noon('2026-11-10') }),
        installCallback({ app_name: app, adid: j2, created_at: noon('2026-11-10') }),
      ]);
      const day = { from: '2026-11-10', to: '2026-11-10', app };
      await expect(getMetric(t, 'installs-by-channel', day)).resolves.toMatchObject({ data: [{ channel: 'Network1', value: 2 }] });

      // ten days later, Facebook Installs claims J1; another device installs that day
      const run = await load([
        installUpdateCallback({ app_name: app, adid: j1, created_at: noon('2026-11-20') }),
        installCallback({ app_name: app, created_at: noon('2026-11-20') }),
      ]);
      expect(run.daysRefreshed).toEqual(expect.arrayContaining(['2026-11-10', '2026-11-20']));

      await expect(getMetric(t, 'installs-by-channel', day)).resolves.toMatchObject({
        summary: { total: 2 },
        data: [
          { channel: 'Facebook Installs', value: 1 },
          { channel: 'Network1', value: 1 },
        ],
      });
      await expect(getMetric(t, 'installs', { ...day, channel: 'Facebook Installs' })).resolves.toMatchObject({ summary: { total: 1 } });
      await expect(getMetric(t, 'installs', day)).resolves.toMatchObject({ summary: { total: 2 } });
      await expect(getMetric(t, 'installs-by-channel', { from: '2026-11-10', to: '2026-11-20', app })).resolves.toMatchObject({
        data: [
          { channel: 'Network1', value: 2 },
          { channel: 'Facebook Installs', value: 1 },
        ],
      });

      // an update that arrives last but was created before Facebook's claim does not win
      await load([installUpdateCallback({ app_name: app, adid: j1, created_at: noon('2026-11-15'), network_name: 'Older' })]);
      await expect(getMetric(t, 'installs-by-channel', day)).resolves.toMatchObject({
        data: [
          { channel: 'Facebook Installs', value: 1 },
          { channel: 'Network1', value: 1 },
        ],
      });
      // a newer one does
      await load([installUpdateCallback({ app_name: app, adid: j2, created_at: noon('2026-11-22'), network_name: 'Newer' })]);
      await expect(getMetric(t, 'installs-by-channel', day)).resolves.toMatchObject({
        data: [
          { channel: 'Facebook Installs', value: 1 },
          { channel: 'Newer', value: 1 },
        ],
      });
      await expectInstallsAgreeByChannel({ from: '2026-11-10', to: '2026-11-20', app });
    });
  });
});
