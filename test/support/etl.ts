import { createHash } from 'node:crypto';
import pg from 'pg';
import { CallbackRepository } from '../../src/collector/callback.repository.js';
import { parseCallback } from '../../src/collector/callback-parser.js';
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
