import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createRandom } from '../../src/demo/random.js';
import { addLoadRows } from '../../src/etl/rollups/delta-refresh.js';
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
// report lengths of earlier days, registrations, sandbox rows; a quarter of them days or weeks late.
function activity(random: Random, batch: number, devices: string[]): URLSearchParams {
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
  if (kind < 0.14) return installCallback(common);
  // an attribution update, before or after its install (any order of batches)
  if (kind < 0.24) return installUpdateCallback({ ...common, created_at: String(createdAt - Math.floor(random.next() * 3 * DAY)) });
  if (kind < 0.28) return reattributionCallback(common);
  if (kind < 0.36) return eventCallback(common);
  return sessionCallback({
    ...common,
    last_time_spent: String(Math.floor(random.next() * 700) - 60),
    last_session_time: random.next() < 0.2 ? '' : String(createdAt - Math.floor(random.next() * 2 * DAY)),
  });
}

type Rollups = Record<'installs' | 'counts' | 'devices' | 'changes', unknown[]>;

// Every rollup row, in a fixed order; a key whose values sum to zero has no row.
async function rollups(t: TestApp): Promise<Rollups> {
  const url = t.databases.warehouseUrl;
  const day = "to_char(day, 'YYYY-MM-DD') AS day";
  return {
    installs: await query(url, `SELECT ${day}, app, os, country, channel, installs::int FROM stg.daily_installs ORDER BY 1, 2, 3, 4, 5`),
    counts: await query(
      url,
      `SELECT to_char(created_day, 'YYYY-MM-DD') AS created_day, ${day}, app, os, country, channel,
              registrations::int, session_seconds::int, sessions::int
       FROM stg.daily_counts ORDER BY 1, 2, 3, 4, 5, 6`,
    ),
    devices: await query(url, `SELECT ${day}, adid, app, os, country, channel FROM stg.active_device ORDER BY 1, 2, 3, 4, 5, 6`),
    changes: await query(
      url,
      `SELECT ${day}, scope, app, os, country, channel, dau, wau, mau FROM stg.active_change ORDER BY 1, 2, 3, 4, 5, 6`,
    ),
  };
}

describe(addLoadRows.name, () => {
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
      let held: Awaited<ReturnType<typeof insertUncommitted>> | null = null;
      for (let batch = 0; batch < 12; batch++) {
        const callbacks = Array.from({ length: 30 }, () => activity(random, batch, devices));
        // Adjust's retries: earlier callbacks again, which the collector stores once
        for (let repeat = 0; repeat < 3 && sent.length > 0; repeat++) callbacks.push(pick(random, sent));
        sent.push(...callbacks);
        await storeCallbacks(t, callbacks);
        // now and then a writer's transaction stays open across loads, and commits later
        if (!held && random.next() < 0.3) held = await insertUncommitted(t, activity(random, batch, devices));
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

      expect((await runEtl(t, { mode: 'rebuild' })).status).toBe('succeeded');
      expect(await rollups(t)).toEqual(loaded);
    },
  );
});
