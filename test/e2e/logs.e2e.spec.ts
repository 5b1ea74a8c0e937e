import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { callbackUrl, sessionCallback } from '../support/adjust-callbacks.js';
import { createTestDatabases, type TestDatabases } from '../support/databases.js';
import { query } from '../support/etl.js';
import { ServiceProcess, waitUntil } from '../support/service-process.js';
import { ADMIN_KEY } from '../support/test-app.js';

type LogLine = {
  time: number;
  level: number;
  msg?: string;
  context?: string;
  runId?: number;
  rejectedCallbackId?: string;
  req?: { id?: string };
};

// Black-box: the JSON log lines of the real service (stdout is not a terminal), on this file's own
// pair of fresh databases, so the start applies every migration.
describe('the log lines of the service', () => {
  let databases: TestDatabases;
  let dataDir: string;
  let service: ServiceProcess;
  let port: number;
  const url = (pathname: string) => `http://127.0.0.1:${port}${pathname}`;
  const lines = (): LogLine[] =>
    service.stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as LogLine);
  const lineWith = (pattern: RegExp) => lines().find((line) => pattern.test(line.msg ?? ''));

  beforeAll(async () => {
    databases = await createTestDatabases();
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'kpi-logs-'));
    service = new ServiceProcess(
      {
        PATH: process.env.PATH ?? '',
        DATA_DIR: dataDir,
        PORT: '0',
        DATABASE_URL: databases.sourceUrl,
        WAREHOUSE_URL: databases.warehouseUrl,
        ADMIN_API_KEYS: ADMIN_KEY,
        CALLBACK_TOKEN: 'none',
        ETL_SCHEDULE: 'off',
        ETL_RECONCILE_CRON: 'off',
        // a run's steps and the warm-up after it log at debug
        LOG_LEVEL: 'debug',
      },
      dataDir,
    );
    port = await service.listeningPort();
  });
  afterAll(async () => {
    await service?.kill();
    await databases?.drop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('stamps each start-up line with the moment it was logged, not the moment the logger was ready', async () => {
    const starting = lineWith(/^Starting Nest application/);
    const migrated = lineWith(/^Applied warehouse migrations/);
    // the migrator records when it applied each file, on the service's own clock
    const [applied] = await query<{ first: number; last: number }>(
      databases.warehouseUrl,
      'SELECT (extract(epoch FROM min(applied_at)) * 1000)::float8 AS first, (extract(epoch FROM max(applied_at)) * 1000)::float8 AS last FROM kpi_migrations',
    );

    expect([starting?.context, migrated?.context]).toEqual(['NestFactory', 'Databases']);
    // the first line was written before the warehouse migrations began, their line once they were done
    expect(starting!.time).toBeLessThan(applied.first);
    expect(migrated!.time).toBeGreaterThanOrEqual(applied.last);
    const times = lines().map((line) => line.time);
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it('gives every line of an ETL run, in every module, the run id as runId', async () => {
    const stored = await fetch(url(callbackUrl(sessionCallback())));
    expect(stored.status).toBe(200);
    const res = await fetch(url('/api/v1/etl/runs'), { method: 'POST', headers: { 'X-API-Key': ADMIN_KEY } });
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: number };
    await waitUntil(() => lineWith(new RegExp(`^run ${id}: succeeded`)) !== undefined, 15_000, `run ${id} has logged its end`);
    // its maintenance step comes after it has succeeded (it runs once the lease is released)
    await waitUntil(() => lineWith(new RegExp(`^run ${id}: maintain took`)) !== undefined, 15_000, `run ${id} has logged its maintenance`);

    const ofRun = lines().filter((line) => line.runId === id);
    const naming = lines().filter((line) => line.msg?.startsWith(`run ${id}:`));
    // started, one line for each of the six steps, succeeded
    expect(naming.length).toBeGreaterThanOrEqual(8);
    expect(naming.filter((line) => line.runId !== id)).toEqual([]);
    // the metrics module's warm-up after the load is part of the run
    expect(ofRun.map((line) => line.context)).toContain('Metrics');
  });

  it('names the kept row and the request in the line of a rejected callback', async () => {
    const res = await fetch(url(callbackUrl(sessionCallback({ adid: null }))), { headers: { 'X-Request-Id': 'rejected-callback-test' } });
    expect(res.status).toBe(400);
    await waitUntil(() => lines().some((line) => line.rejectedCallbackId !== undefined), 5_000, 'the refusal is logged');

    const refusal = lines().find((line) => line.rejectedCallbackId !== undefined)!;
    expect(refusal.req?.id).toBe('rejected-callback-test');
    const [row] = await query<{ reason: string }>(databases.sourceUrl, 'SELECT reason FROM mob.rejected_callback WHERE id = $1', [
      refusal.rejectedCallbackId,
    ]);
    expect(row.reason).toBe('adid is missing for activity_kind "session"');
    expect(refusal.msg).toContain(row.reason);
  });

  it('logs a scrape of /metrics at debug level only, as it comes every few seconds; a refused one as one warning a minute', async () => {
    const scraped = await fetch(url('/metrics'), { headers: { Authorization: `Bearer ${ADMIN_KEY}` } });
    expect(scraped.status).toBe(200);
    const refused = await fetch(url('/metrics'));
    expect(refused.status).toBe(401);
    await waitUntil(() => service.stdout.includes('"statusCode":401'), 5_000, 'the refused scrape is logged');

    // the request lines (with the answer's status) of the two scrapes
    const scrapes = lines().filter((line) => (line as { req?: { url?: string }; res?: unknown }).req?.url === '/metrics' && 'res' in line);
    // pino's levels: 20 debug, 30 info, 40 warn
    const logged = (line: LogLine) => ({ level: line.level, status: (line as { res?: { statusCode: number } }).res?.statusCode });
    expect(scrapes.map(logged)).toEqual([
      { level: 20, status: 200 },
      { level: 20, status: 401 },
    ]);
    // the refusal itself is a warning of the failed-authentication limit, once a minute per address
    expect(lines().filter((line) => line.level === 40 && line.msg?.startsWith('Failed authentication from'))).toHaveLength(1);
  });
});
