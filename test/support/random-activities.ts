import { createRandom } from '../../src/demo/random.js';
import {
  eventCallback,
  installCallback,
  installUpdateCallback,
  NOW_EPOCH,
  reattributionCallback,
  sessionCallback,
} from './adjust-callbacks.js';
import { query } from './etl.js';
import type { TestApp } from './test-app.js';

// A small random world of activities, and every rollup row, for the tests that compare the rollups a
// sequence of loads leaves with a rebuild's (test/medium/rollup-delta.spec.ts, etl-repairs.spec.ts).

const DAY = 86_400;

export type Random = ReturnType<typeof createRandom>;
export const pick = <T>(random: Random, values: readonly T[]): T => values[Math.floor(random.next() * values.length)];

// One activity of a small world: 25 devices in two apps, changing countries and channels, sessions that
// report lengths of earlier days, registrations, purchases in and out of US dollars, sandbox rows; a
// quarter of them days or weeks late (so cohorts gain and lose devices retained 1, 7 and 30 days later).
export function activity(random: Random, batch: number, devices: string[], installs: SentInstall[]): URLSearchParams {
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

export type SentInstall = { adid: string; app: string; createdAt: number };

// A purchase: in US dollars (revenue_usd), in USD without it (revenue_float), or in euros (no revenue).
function revenue(random: Random): Record<string, string> {
  const amount = (Math.floor(random.next() * 5000) / 100).toFixed(2);
  const kind = random.next();
  if (kind < 0.5) return { revenue_usd: amount, revenue_float: amount, currency: 'USD' };
  if (kind < 0.8) return { revenue_float: amount, currency: 'usd' };
  return { revenue_float: amount, currency: 'EUR' };
}

export type Rollups = Record<'installs' | 'counts' | 'devices' | 'changes' | 'cohorts' | 'retention', unknown[]>;

// Every rollup row, in a fixed order; a key whose values sum to zero has no row.
export async function rollups(t: TestApp): Promise<Rollups> {
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
