import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { addDays, datesBetween } from '../../src/common/zoned-time.js';
import { createRandom } from '../../src/demo/random.js';
import { RollupRefresh } from '../../src/etl/rollups/rollup-refresh.js';
import { eventCallback, installCallback, installUpdateCallback, NOW_EPOCH, sessionCallback } from '../support/adjust-callbacks.js';
import { query, runEtl } from '../support/etl.js';
import { loadCallbacks } from '../support/metrics-api.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const DAY = 86_400;
const pick = <T>(next: () => number, values: readonly T[]): T => values[Math.floor(next() * values.length)];

// Activities of 30 devices over 70 days before NOW, in batches that arrive one ETL run at a time, each
// with some activities days late: devices in two apps, two countries, changing channels.
function batches(seed: number, count: number, perBatch: number): URLSearchParams[][] {
  // seeded, so a failure replays
  const { next } = createRandom(seed);
  const devices = Array.from({ length: 30 }, (_unused, device) => `device-${seed}-${device}`);
  return Array.from({ length: count }, (_batch, batch) =>
    Array.from({ length: perBatch }, (_activity, i) => {
      // mostly recent for the batch (batches move forward in time), sometimes weeks late
      const daysAgo = next() < 0.25 ? Math.floor(next() * 70) : Math.floor(((count - batch) * 60) / count + next() * 3);
      const common = {
        adid: pick(next, devices),
        created_at: String(NOW_EPOCH - daysAgo * DAY - Math.floor(next() * DAY) - batch * 7 - i),
        app_name: pick(next, ['com.example.fitapp', 'com.example.fitapp', 'com.example.runner']),
        country: pick(next, ['de', 'de', 'us']),
        os_name: pick(next, ['android', 'ios']),
        network_name: pick(next, ['Organic', 'Facebook Installs', '']),
      };
      const kind = next();
      if (kind < 0.12) return installCallback(common);
      if (kind < 0.16) return installUpdateCallback(common);
      if (kind < 0.24) return eventCallback(common);
      return sessionCallback({ ...common, last_time_spent: String(Math.floor(next() * 600) - 50) });
    }),
  );
}

type Snapshot = { changes: unknown[]; installs: unknown[]; counts: unknown[]; devices: unknown[] };

async function snapshot(t: TestApp): Promise<Snapshot> {
  const url = t.databases.warehouseUrl;
  return {
    changes: await query(
      url,
      `SELECT to_char(day, 'YYYY-MM-DD') AS day, scope, app, os, country, channel, dau, wau, mau
       FROM stg.active_change ORDER BY day, scope, app, os, country, channel`,
    ),
    installs: await query(
      url,
      `SELECT to_char(day, 'YYYY-MM-DD') AS day, app, os, country, channel, sum(installs)::int AS installs
       FROM stg.daily_installs GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5`,
    ),
    counts: await query(
      url,
      `SELECT to_char(day, 'YYYY-MM-DD') AS day, app, os, country, channel, sum(registrations)::int AS registrations,
              sum(session_seconds)::int AS seconds, sum(sessions)::int AS sessions
       FROM stg.daily_counts GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5`,
    ),
    devices: await query(
      url,
      `SELECT to_char(day, 'YYYY-MM-DD') AS day, adid, app, os, country, channel FROM stg.active_device ORDER BY 1, 2, 3, 4, 5, 6`,
    ),
  };
}

describe(RollupRefresh.name, () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('leaves after many loads with late data exactly the rollups a rebuild computes from scratch', async () => {
    // each load reads only its own batch (earlier rows are aged past the re-read overlap)
    for (const batch of batches(7, 8, 40)) await loadCallbacks(t, batch);
    const incremental = await snapshot(t);
    expect(incremental.changes.length).toBeGreaterThan(100);

    expect((await runEtl(t, { mode: 'rebuild' })).status).toBe('succeeded');
    expect(await snapshot(t)).toEqual(incremental);
  });

  it('keeps changes whose running sums are the distinct devices active in each 1-, 7- and 30-day window, for any filters', async () => {
    type Device = { day: string; adid: string; app: string; os: string; country: string; channel: string };
    type Change = Omit<Device, 'adid'> & { scope: string; dau: number; wau: number; mau: number };
    const devices = await query<Device>(
      t.databases.warehouseUrl,
      `SELECT to_char(day, 'YYYY-MM-DD') AS day, adid, app, os, country, channel FROM stg.active_device`,
    );
    const changes = await query<Change>(
      t.databases.warehouseUrl,
      `SELECT to_char(day, 'YYYY-MM-DD') AS day, scope, app, os, country, channel, dau, wau, mau FROM stg.active_change ORDER BY day`,
    );
    const days = devices.map((row) => row.day).sort();
    const dimensions = ['app', 'os', 'country', 'channel'] as const;
    // every combination of filters (stg.active_scope's 16), each with values of one of two devices' rows
    const picks: Pick<Device, (typeof dimensions)[number]>[] = [
      { app: 'com.example.runner', os: 'ios', country: 'us', channel: 'Facebook Installs' },
      { app: 'com.example.fitapp', os: 'android', country: 'de', channel: 'Organic' },
    ];
    const scopes = Array.from({ length: 16 }, (_unused, mask) => {
      const named = dimensions.filter((_name, bit) => (mask & (1 << bit)) !== 0);
      const values = picks[mask % 2];
      return {
        scope: named.length > 0 ? named.join('+') : 'all',
        filters: Object.fromEntries(named.map((name) => [name, values[name]])) as Partial<Device>,
      };
    });
    for (const { scope, filters } of scopes) {
      const rows = devices.filter((row) => dimensions.every((name) => filters[name] === undefined || row[name] === filters[name]));
      const ofScope = changes.filter((row) => row.scope === scope && dimensions.every((name) => row[name] === (filters[name] ?? '')));
      expect({ scope, rows: rows.length > 0, changes: ofScope.length > 0 }).toEqual({ scope, rows: true, changes: true });
      const running = { dau: 0, wau: 0, mau: 0 };
      const expected: string[] = [];
      const actual: string[] = [];
      for (const day of datesBetween(days[0], addDays(days.at(-1)!, 31))) {
        for (const change of ofScope.filter((row) => row.day === day)) {
          running.dau += change.dau;
          running.wau += change.wau;
          running.mau += change.mau;
        }
        const activeWithin = (windowDays: number) =>
          new Set(rows.filter((row) => row.day <= day && row.day > addDays(day, -windowDays)).map((row) => row.adid)).size;
        expected.push(`${day} ${activeWithin(1)} ${activeWithin(7)} ${activeWithin(30)}`);
        actual.push(`${day} ${running.dau} ${running.wau} ${running.mau}`);
      }
      expect({ scope, days: actual }).toEqual({ scope, days: expected });
    }
  });
});

describe('a large load', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('analyses the rows it brings before the rollups read them, and counts them all', async () => {
    // 120,000 sessions of 12,000 devices over 10 days, straight into the source (the collector's parsing
    // is not what this is about)
    await query(
      t.databases.sourceUrl,
      `INSERT INTO mob.adjust (received_at, dedup_key, activity_kind, created_at, adid, app_name, environment, os_name, country)
       SELECT now() - interval '1 hour', decode(md5(n::text), 'hex'), 'session',
              timestamptz '2026-11-20 10:00:00+00' - (n % 10) * interval '1 day', 'device-' || (n % 12000),
              'com.example.fitapp', 'production', 'android', 'de'
       FROM generate_series(1, 120000) AS n`,
    );
    const run = await runEtl(t);
    expect(run).toMatchObject({ status: 'succeeded', rowsLoaded: 120_000 });
    const [stats] = await query<{ analyzed: boolean; rows: number }>(
      t.databases.warehouseUrl,
      `SELECT last_analyze IS NOT NULL AS analyzed, reltuples::int AS rows
       FROM pg_stat_user_tables JOIN pg_class ON pg_class.oid = relid WHERE schemaname = 'stg' AND pg_stat_user_tables.relname = 'adjust'`,
    );
    expect(stats).toEqual({ analyzed: true, rows: 120_000 });
    // every device is active on every tenth day: 1,200 a day
    const [dau] = await query<{ days: number; devices: number }>(
      t.databases.warehouseUrl,
      `SELECT count(DISTINCT day)::int AS days, min(n)::int AS devices FROM (SELECT day, count(*) AS n FROM stg.active_device GROUP BY day) per_day`,
    );
    expect(dau).toEqual({ days: 10, devices: 1_200 });
  });
});
