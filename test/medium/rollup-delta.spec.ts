import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createRandom } from '../../src/demo/random.js';
import { RollupRefresh } from '../../src/etl/rollups/rollup-refresh.js';
import { insertUncommitted, query, runEtl, storeCallbacks } from '../support/etl.js';
import { activity, pick, rollups, type SentInstall } from '../support/random-activities.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

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
