import { createHash } from 'node:crypto';
import pg from 'pg';
import { CallbackRepository } from '../../src/collector/callback.repository.js';
import { ACTIVITY_COLUMNS, parseCallback } from '../../src/collector/callback-parser.js';
import { SqlCatalog } from '../../src/database/sql-catalog.js';
import type { EtlRunRequest, EtlRunView } from '../../src/etl/etl-run.js';
import { EtlService } from '../../src/etl/etl.service.js';
import type { TestApp } from './test-app.js';

// Stores callbacks in the source the way the collector does (parsed, deduplicated), without HTTP.
export async function storeCallbacks(app: TestApp, callbacks: URLSearchParams[]): Promise<void> {
  const activities = callbacks.map((callback) => {
    const parsed = parseCallback(Object.fromEntries(callback));
    if (parsed.kind !== 'activity') throw new Error(`test callback rejected: ${parsed.reason}`);
    return parsed.activity;
  });
  await app.app.get(CallbackRepository).insertActivities(activities);
}

// Inserts a callback the way the collector does (its SQL), in a transaction left open: the row takes
// its id now but becomes visible only at COMMIT (or never, at ROLLBACK).
export async function insertUncommitted(app: TestApp, callback: URLSearchParams): Promise<{ id: string; client: pg.Client }> {
  const parsed = parseCallback(Object.fromEntries(callback));
  if (parsed.kind !== 'activity') throw new Error(`test callback rejected: ${parsed.reason}`);
  const { activity } = parsed;
  const columns = ACTIVITY_COLUMNS.map((column) => [column === 'extra' ? JSON.stringify(activity.extra) : activity[column]]);
  const client = new pg.Client({ connectionString: app.databases.sourceUrl });
  await client.connect();
  await client.query('BEGIN');
  await client.query(app.app.get(SqlCatalog).get('collector/insert-activities'), columns);
  const { rows } = await client.query<{ id: string }>('SELECT id FROM mob.adjust WHERE dedup_key = $1', [activity.dedup_key]);
  return { id: rows[0].id, client };
}

export function runEtl(app: TestApp, request: Partial<EtlRunRequest> = {}): Promise<EtlRunView> {
  return app.app.get(EtlService).runToEnd({ trigger: 'api', mode: 'arrival', ...request });
}

export async function query<T extends pg.QueryResultRow = pg.QueryResultRow>(
  url: string,
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  const client = new pg.Client({ connectionString: url, options: '-c TimeZone=UTC' });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

// Every row of the same columns, rendered the same way on both sides, in id order: equal checksums
// mean the warehouse holds exactly the source's rows.
const CHECKED_COLUMNS = `id, to_char(received_at, 'YYYY-MM-DD HH24:MI:SS.US'), activity_kind, to_char(created_at, 'YYYY-MM-DD HH24:MI:SS'),
  to_char(last_session_time, 'YYYY-MM-DD HH24:MI:SS'), adid, app_name, network_name, tracker_name, campaign_name, is_organic, country, os_name,
  event, event_name, revenue, last_time_spent, time_spent`;

export async function tableDigest(url: string, table: 'mob.adjust' | 'stg.adjust'): Promise<{ ids: number[]; checksum: string }> {
  const extra = table === 'mob.adjust' ? 'extra::text' : 'extra';
  const rows = await query<{ line: string }>(
    url,
    `SELECT concat_ws('|', ${CHECKED_COLUMNS}, ${extra}) AS line, id FROM ${table} ORDER BY id`,
  );
  const hash = createHash('sha256');
  for (const row of rows) hash.update(`${row.line}\n`);
  const ids = (await query<{ id: string }>(url, `SELECT id FROM ${table} ORDER BY id`)).map((row) => Number(row.id));
  return { ids, checksum: hash.digest('hex') };
}

// The warehouse holds exactly the source's activities.
export async function expectConverged(app: TestApp): Promise<void> {
  const source = await tableDigest(app.databases.sourceUrl, 'mob.adjust');
  const warehouse = await tableDigest(app.databases.warehouseUrl, 'stg.adjust');
  if (source.ids.length === 0) throw new Error('the source is empty: nothing to compare');
  if (JSON.stringify(source) !== JSON.stringify(warehouse)) {
    throw new Error(
      `warehouse differs from source: ${source.ids.length} vs ${warehouse.ids.length} rows, checksums ${source.checksum} vs ${warehouse.checksum}`,
    );
  }
}

// A transaction of the test's own that holds the locks `statements` take until `release` rolls it back.
export type HeldLocks = { release: () => Promise<void> };

export async function holdLocks(url: string, statements: string[]): Promise<HeldLocks> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('BEGIN');
    for (const statement of statements) await client.query(statement);
  } catch (error) {
    await client.end();
    throw error;
  }
  return {
    release: async () => {
      await client.query('ROLLBACK');
      await client.end();
    },
  };
}

// The merge's first statement's lock (ACCESS EXCLUSIVE on stg.load_lock, a table nobody else reads): a
// run started meanwhile extracts and waits at the start of its merge.
export const BLOCK_MERGES = 'LOCK TABLE stg.load_lock IN ACCESS EXCLUSIVE MODE';
// While this lock is held, a rebuild (beside the live warehouse: it writes none of the live tables) stops
// at its first statement that reads stg.active_scope, a live table no load writes: the full build's
// active-window changes, well into its rollup step.
export const HOLD_REBUILD = 'LOCK TABLE stg.active_scope IN ACCESS EXCLUSIVE MODE';
// (pg_stat_activity keeps a statement's first 1,024 bytes: its comment's first line names it)
export const REBUILD_HELD_AT = {
  statement: 'add (sign $4 = 1) or take away ($4 = -1) what devices contribute to the active-window',
  detail: 'active-windows/add-active-changes',
};
export const MERGE_FIRST_STATEMENT = 'LOCK TABLE stg.load_lock IN ACCESS EXCLUSIVE MODE';

// The pid of a backend on `url`'s database that waits for a lock in a statement containing `statement`.
export async function waitForLockWait(url: string, statement: string, timeoutMs = 20_000): Promise<number> {
  const database = new URL(url).pathname.slice(1);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [waiting] = await query<{ pid: number }>(
      url,
      `SELECT pid FROM pg_stat_activity WHERE datname = $1 AND wait_event_type = 'Lock' AND position($2 IN query) > 0`,
      [database, statement],
    );
    if (waiting) return waiting.pid;
    if (Date.now() > deadline) throw new Error(`no session waited for a lock in "${statement}" within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

// The ETL lease (an advisory lock on the source database) is free. A run's record shows its end a moment
// before the run releases the lease; a killed run's lease ends when PostgreSQL notices the dead session.
export async function waitForLeaseFree(sourceUrl: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const held = await query(
      sourceUrl,
      "SELECT 1 FROM pg_locks JOIN pg_database ON pg_database.oid = pg_locks.database WHERE locktype = 'advisory' AND datname = current_database()",
    );
    if (held.length === 0) return;
    if (Date.now() > deadline) throw new Error(`the ETL lease was still held after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
