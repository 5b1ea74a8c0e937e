import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createApp } from '../../src/app.factory.js';
import { RejectedPruner } from '../../src/collector/rejected-pruner.js';
import { loadConfig } from '../../src/config/app-config.js';
import { query } from '../support/etl.js';
import { waitUntil } from '../support/service-process.js';
import { API_KEY, startTestApp, type TestApp } from '../support/test-app.js';

const NOW = new Date('2026-11-20T12:00:00Z');
const daysBefore = (days: number) => new Date(NOW.getTime() - days * 86_400_000);

// Refused callbacks are forgotten after REJECTED_RETENTION_DAYS (sql/collector/prune-rejected.sql), on
// real PostgreSQL.
describe(RejectedPruner.name, () => {
  let t: TestApp;
  const keep = (reason: string, receivedAt: Date, count = 1) =>
    query(
      t.databases.sourceUrl,
      `INSERT INTO mob.rejected_callback (received_at, method, reason, raw_query, params)
       SELECT $1, 'GET', $2, '', '{}' FROM generate_series(1, $3)`,
      [receivedAt, reason, count],
    );
  const reasons = async () =>
    (
      await query<{ reason: string; n: number }>(
        t.databases.sourceUrl,
        'SELECT reason, count(*)::int AS n FROM mob.rejected_callback GROUP BY reason ORDER BY reason',
      )
    ).map((row) => `${row.reason} ×${row.n}`);

  beforeAll(async () => {
    t = await startTestApp({ REJECTED_RETENTION_DAYS: '30' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('forgets what was kept longer than the retention, in batches, and keeps the rest', async () => {
    await keep('a: 90 days old', daysBefore(90), 12_000); // more than two batches
    await keep('b: 30 days and a minute old', new Date(daysBefore(30).getTime() - 60_000));
    await keep('c: 29 days old', daysBefore(29), 2);
    await keep('d: received now', NOW);

    await expect(t.app.get(RejectedPruner).prune(NOW)).resolves.toBe(12_001);

    await expect(reasons()).resolves.toEqual(['c: 29 days old ×2', 'd: received now ×1']);
    await expect(t.app.get(RejectedPruner).prune(NOW)).resolves.toBe(0);
    await query(t.databases.sourceUrl, 'DELETE FROM mob.rejected_callback');
  });

  it('prunes on its own when the service starts, with the retention REJECTED_RETENTION_DAYS sets', async () => {
    const hoursAgo = (hours: number) => new Date(Date.now() - hours * 3_600_000);
    await keep('kept 8 days', hoursAgo(8 * 24));
    await keep('kept an hour', hoursAgo(1));
    // a second service on the same databases, as after a restart with the new setting
    const restarted = await createApp(
      loadConfig({
        DATA_DIR: t.config.dataDir,
        DATABASE_URL: t.databases.sourceUrl,
        WAREHOUSE_URL: t.databases.warehouseUrl,
        API_KEYS: API_KEY,
        CALLBACK_TOKEN: 'none',
        ETL_CRON: 'off',
        ETL_RECONCILE_CRON: 'off',
        LOG_LEVEL: 'warn',
        REJECTED_RETENTION_DAYS: '7',
      }),
    );
    try {
      await waitUntil(async () => (await reasons()).length === 1, 10_000, 'the start has pruned');
      await expect(reasons()).resolves.toEqual(['kept an hour ×1']);
    } finally {
      await restarted.close();
    }
  });
});
