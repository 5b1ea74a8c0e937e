import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createRandom } from '../../src/demo/random.js';
import { RollupRefresh } from '../../src/etl/rollups/rollup-refresh.js';
import {
  eventCallback,
  installCallback,
  installUpdateCallback,
  NOW_EPOCH,
  reattributionCallback,
  sessionCallback,
} from '../support/adjust-callbacks.js';
import { insertUncommitted, query, runEtl, storeCallbacks } from '../support/etl.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const DAY = 86_400;

type Random = ReturnType<typeof createRandom>;
const pick = <T>(random: Random, values: readonly T[]): T => values[Math.floor(random.next() * values.length)];

// One activity of a small world: 25 devices in two apps, changing countries and channels, sessions that
// report lengths of earlier days, registrations, purchases in and out of US dollars, sandbox rows; a
// quarter of them days or weeks late (so cohorts gain and lose devices retained 1, 7 and 30 days later).
function activity(random: Random, batch: number, devices: string[], installs: SentInstall[]): URLSearchParams {
  const daysAgo = random.next() < 0.25 ? Math.floor(random.next() * 45) : Math.floor(random.next() * 3);
  const createdAt = NOW_EPOCH - daysAgo * DAY - Math.floor(random.next() * DAY) + batch * 11;
  const common = {
    adid: pick(random, devices),
    created_at: String(createdAt),
    app_name: pick(random, ['com.example.fitapp', 'com.example.fitapp', 'com.example.runner']),
    country: pick(random, ['de', 'de', 'us']),
    os_name: pick(random, ['android', 'ios']),
    network_name: pick(random, ['Organic', 'Facebook Installs', 'AppLovin', '']),
    environment: random.next() < 0.05 ? 'sandbox' : 'production',
  };
  const kind = random.next();
  if (kind < 0.14) {
    installs.push({ adid: common.adid, app: common.app_name, createdAt });
    return installCallback(common);
  }
  // an attribution update, before or after its install (any order of batches)
  if (kind < 0.24) return installUpdateCallback({ ...common, created_at: String(createdAt - Math.floor(random.next() * 3 * DAY)) });
  if (kind < 0.28) return reattributionCallback(common);
  if (kind < 0.32) return eventCallback(common);
  if (kind < 0.36) return eventCallback({ ...common, event: 'pur123', event_name: 'purchase', ...revenue(random) });
  // a device back 1, 7 or 30 days after an install sent before (retained, unless an earlier install
  // of it arrives later and moves its cohort)
  if (kind < 0.46 && installs.length > 0) {
    const install = pick(random, installs);
    const back = install.createdAt + pick(random, [1, 7, 30]) * DAY;
    if (back <= NOW_EPOCH) return sessionCallback({ ...common, adid: install.adid, app_name: install.app, created_at: String(back) });
  }
  return sessionCallback({
    ...common,
    last_time_spent: String(Math.floor(random.next() * 700) - 60),
    last_session_time: random.next() < 0.2 ? '' : String(createdAt - Math.floor(random.next() * 2 * DAY)),
  });
}

type SentInstall = { adid: string; app: string; createdAt: number };

// A purchase: in US dollars (revenue_usd), in USD without it (revenue_float), or in euros (no revenue).
function revenue(random: Random): Record<string, string> {
  const amount = (Math.floor(random.next() * 5000) / 100).toFixed(2);
  const kind = random.next();
  if (kind < 0.5) return { revenue_usd: amount, revenue_float: amount, currency: 'USD' };
  if (kind < 0.8) return { revenue_float: amount, currency: 'usd' };
  return { revenue_float: amount, currency: 'EUR' };
}

type Rollups = Record<'installs' | 'counts' | 'devices' | 'changes' | 'cohorts' | 'retention', unknown[]>;

// Every rollup row, in a fixed order; a key whose values sum to zero has no row.
async function rollups(t: TestApp): Promise<Rollups> {
  const url = t.databases.warehouseUrl;
  const day = "to_char(day, 'YYYY-MM-DD') AS day";
  return {
    installs: await query(url, `SELECT ${day}, app, os, country, channel, installs::int FROM stg.daily_installs ORDER BY 1, 2, 3, 4, 5`),
    counts: await query(
      url,
      `SELECT to_char(created_day, 'YYYY-MM-DD') AS created_day, ${day}, app, os, country, channel,
              registrations::int, session_seconds::int, sessions::int, activities::int, revenue_usd::text
       FROM stg.daily_counts ORDER BY 1, 2, 3, 4, 5, 6`,
    ),
    cohorts: await query(url, `SELECT app, adid, ${day}, os, country, channel, d1, d7, d30 FROM stg.cohort_device ORDER BY 1, 2`),
    retention: await query(
      url,
      `SELECT ${day}, app, os, country, channel, installs::int, d1::int, d7::int, d30::int FROM stg.daily_retention ORDER BY 1, 2, 3, 4, 5`,
    ),
    devices: await query(url, `SELECT ${day}, adid, app, os, country, channel FROM stg.active_device ORDER BY 1, 2, 3, 4, 5, 6`),
    changes: await query(
      url,
      `SELECT ${day}, scope, app, os, country, channel, dau, wau, mau FROM stg.active_change ORDER BY 1, 2, 3, 4, 5, 6`,
    ),
  };
}

describe(`${RollupRefresh.name}: the arrival delta`, () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it.each([11, 12, 13])(
    'leaves any sequence of arrival loads (late data, repeats, updates before and after installs, rows in flight, rows read again) exactly as a rebuild (seed %i)',
    async (seed) => {
      const random = createRandom(seed);
      const devices = Array.from({ length: 25 }, (_unused, device) => `delta-${seed}-${device}`);
      const sent: URLSearchParams[] = [];
      const installs: SentInstall[] = [];
      let held: Awaited<ReturnType<typeof insertUncommitted>> | null = null;
      for (let batch = 0; batch < 12; batch++) {
        const callbacks = Array.from({ length: 30 }, () => activity(random, batch, devices, installs));
        // Adjust's retries: earlier callbacks again, which the collector stores once
        for (let repeat = 0; repeat < 3 && sent.length > 0; repeat++) callbacks.push(pick(random, sent));
        sent.push(...callbacks);
        await storeCallbacks(t, callbacks);
        // now and then a writer's transaction stays open across loads, and commits later
        if (!held && random.next() < 0.3) held = await insertUncommitted(t, activity(random, batch, devices, installs));
        else if (held && random.next() < 0.5) {
          await held.client.query('COMMIT');
          await held.client.end();
          held = null;
        }
        // now and then the resume point is one an older version recorded: rows read again, recounted
        if (batch > 0 && random.next() < 0.15) {
          await query(
            t.databases.warehouseUrl,
            `UPDATE stg.load SET resume_after_id = resume_after_id - 10, resume_snapshot = NULL
             WHERE run_id = (SELECT max(run_id) FROM stg.load)`,
          );
        }
        expect((await runEtl(t)).status).toBe('succeeded');
      }
      if (held) {
        await held.client.query('COMMIT');
        await held.client.end();
      }
      expect((await runEtl(t)).status).toBe('succeeded');
      const loaded = await rollups(t);
      expect(loaded.changes.length).toBeGreaterThan(50);
      expect(loaded.installs.length).toBeGreaterThan(5);
      expect(loaded.cohorts.length).toBeGreaterThan(10);
      // the world is small, but cohorts are retained on each of the three days
      for (const field of ['d1', 'd7', 'd30'])
        expect(loaded.cohorts.some((row) => (row as Record<string, number>)[field] === 1)).toBe(true);
      expect(loaded.counts.some((row) => Number((row as { revenue_usd: string }).revenue_usd) > 0)).toBe(true);

      expect((await runEtl(t, { mode: 'rebuild' })).status).toBe('succeeded');
      expect(await rollups(t)).toEqual(loaded);
    },
  );
});
