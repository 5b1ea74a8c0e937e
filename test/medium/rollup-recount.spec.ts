import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { fillPlaceholders, SqlCatalog, timeZoneLiteral } from '../../src/database/sql-catalog.js';
import { addRecountDays, dayRows } from '../../src/etl/rollups/recount.js';
import { RefreshQueries } from '../../src/etl/rollups/refresh-queries.js';
import { RollupRefresh } from '../../src/etl/rollups/rollup-refresh.js';
import { installCallback, installUpdateCallback, sessionCallback } from '../support/adjust-callbacks.js';
import { query, runEtl } from '../support/etl.js';
import { loadCallbacks, noon } from '../support/metrics-api.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

// A recount (window run, rebuild, first load) on Redshift (redshift.md §7): one statement per day meant
// one scan of stg.adjust's install_updates per day (finding 6), and a join of stg.adjust to the days on
// their instants alone is a nested loop, rows × days (finding 7).
describe(`${RollupRefresh.name} recount`, () => {
  let t: TestApp;
  let client: pg.Client;

  beforeAll(async () => {
    t = await startTestApp();
    client = new pg.Client({ connectionString: t.databases.warehouseUrl, options: '-c TimeZone=UTC' });
    await client.connect();
  });
  afterAll(async () => {
    await client?.end();
    await t?.close();
  });

  const activitiesOn = (day: string) => [
    installCallback({ created_at: noon(day), app_name: 'recount.app' }),
    sessionCallback({ created_at: noon(day), app_name: 'recount.app', last_time_spent: '30' }),
  ];

  // A rebuild inside a transaction that is rolled back, and every statement it sent; `inspect` looks at
  // the warehouse before the rollback.
  async function recordedRebuild(settings = t.config.report, inspect?: () => Promise<void>): Promise<string[]> {
    const sent: string[] = [];
    const counting = { query: (text: string, params?: unknown[]) => (sent.push(text), client.query(text, params)) };
    // a rebuild's request carries the days its extract counted: those of every activity
    const { rows } = await new RefreshQueries(client, t.app.get(SqlCatalog), settings.timezone).run('refresh/full-build/all-days');
    await client.query('BEGIN');
    try {
      const refresh = new RollupRefresh(counting as unknown as pg.Client, t.app.get(SqlCatalog), settings);
      await refresh.run({
        runId: 1,
        mode: 'rebuild',
        afterId: '0',
        windowStart: null,
        days: rows.map((row) => row.day as string),
        rows: 1,
        loadRowsKept: false,
        replacedRows: 0,
      });
      await inspect?.();
    } finally {
      await client.query('ROLLBACK');
    }
    return sent;
  }

  // The statements a full build sends, a multi-row INSERT's list of rows left out.
  const buildStatements = async () => (await recordedRebuild()).map((text) => text.replace(/\(\$1,[^]*$/, '…'));

  it('recounts any number of days with the same statements, each once for all days', async () => {
    await loadCallbacks(t, ['2026-10-01', '2026-10-02', '2026-10-03'].flatMap(activitiesOn));
    const threeDays = await buildStatements();
    const more = Array.from({ length: 40 }, (_unused, i) => new Date(Date.UTC(2026, 9, 4 + i)).toISOString().slice(0, 10));
    await loadCallbacks(t, more.flatMap(activitiesOn));
    const fortyThreeDays = await buildStatements();

    expect(fortyThreeDays).toEqual(threeDays);
    expect(threeDays.filter((text) => text.includes('INSERT INTO stg.daily_installs'))).toHaveLength(1);
  });

  it('joins stg.adjust to the recounted days on an equality, never in a nested loop', async () => {
    await loadCallbacks(t, [
      installCallback({ created_at: noon('2026-11-02'), adid: 'recount-device' }),
      installUpdateCallback({ created_at: noon('2026-11-03'), adid: 'recount-device' }),
    ]);
    const sql = t.app.get(SqlCatalog);
    await client.query('BEGIN');
    try {
      await client.query(sql.get('metrics/refresh/work/create-refresh-day'));
      await client.query(sql.get('metrics/refresh/work/create-refresh-device'));
      await client.query(fillPlaceholders(sql.get('metrics/refresh/work/create-activity-rows'), { work: 'recount_rows' }));
      await addRecountDays(
        new RefreshQueries(client, sql, 'America/New_York'),
        { activities: ['2026-11-02', '2026-11-03'], installs: [] },
        'America/New_York',
      );
      // Redshift has no choice but a nested loop for a join without an equality; PostgreSQL only uses
      // one then when told not to
      await client.query('SET LOCAL enable_nestloop = off');
      const scan = ['2026-11-02 04:00:00', '2026-11-04 05:00:00'];
      const statements: [string, unknown[]][] = [
        ['metrics/refresh/recount/insert-installs', scan],
        ['metrics/refresh/recount/insert-rows', ['last_time_spent', ...scan]],
      ];
      for (const [name, params] of statements) {
        const statement = sql.get(name).replaceAll('{report_timezone}', timeZoneLiteral('America/New_York'));
        const { rows } = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${statement}`, params);
        const plan = rows.map((row) => row['QUERY PLAN']).join('\n');
        expect({ name, nestedLoop: /Nested Loop/.test(plan) }).toEqual({ name, nestedLoop: false });
      }
    } finally {
      await client.query('ROLLBACK');
    }
  });

  // Redshift keeps deleted rows until a VACUUM (finding 8): work tables are temporary tables of the
  // merge's session, dropped at its end, so no load leaves rows, deleted or not, in one.
  it('keeps its work in temporary tables that each run drops, and no work table in stg', async () => {
    for (const request of [{ mode: 'arrival' }, { mode: 'window', windowDays: 60 }, { mode: 'rebuild' }] as const) {
      await loadCallbacks(t, activitiesOn('2026-11-05'));
      await expect(runEtl(t, request)).resolves.toMatchObject({ status: 'succeeded' });
      const temporary = await query(t.databases.warehouseUrl, "SELECT relname FROM pg_class WHERE relpersistence = 't' AND relkind = 'r'");
      expect(temporary).toEqual([]);
    }
    const tables = await query<{ name: string }>(
      t.databases.warehouseUrl,
      "SELECT tablename AS name FROM pg_tables WHERE schemaname = 'stg' ORDER BY tablename",
    );
    expect(tables.map((table) => table.name)).toEqual([
      'active_change',
      'active_device',
      'active_scope',
      'adjust',
      'cohort_device',
      'daily_counts',
      'daily_installs',
      'daily_retention',
      'load',
      'load_lock',
      'registration_event',
      'rollup_build',
    ]);
  });

  it('writes a changed REGISTRATION_EVENTS in one INSERT', async () => {
    const settings = { ...t.config.report, registrationEvents: ['sign_up', 'registration', 'tok123'] };
    const sent = await recordedRebuild(settings, async () => {
      const { rows } = await client.query('SELECT name FROM stg.registration_event ORDER BY name');
      expect(rows.map((row) => row.name)).toEqual(['registration', 'sign_up', 'tok123']);
    });
    expect(sent.filter((text) => text.includes('INSERT INTO stg.registration_event'))).toHaveLength(1);
  });

  it('gives a day one row per UTC date it overlaps, with its own instants', () => {
    // New York, the day summer time ends: 25 hours from 04:00 UTC to 05:00 UTC the next day
    expect(dayRows('2026-11-01', 'America/New_York', true)).toEqual([
      ['2026-11-01', '2026-11-01', '2026-11-01 04:00:00.000', '2026-11-02 05:00:00.000', true],
      ['2026-11-01', '2026-11-02', '2026-11-01 04:00:00.000', '2026-11-02 05:00:00.000', true],
    ]);
    expect(dayRows('2026-11-01', 'UTC', false)).toEqual([
      ['2026-11-01', '2026-11-01', '2026-11-01 00:00:00.000', '2026-11-02 00:00:00.000', false],
    ]);
  });
});
