import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import request from 'supertest';
import { callbackUrl, sessionCallback, toRecord } from '../support/adjust-callbacks.js';
import { adminQuery } from '../support/databases.js';
import { REPLAY_ENTRY_POINT, ServiceProcess } from '../support/service-process.js';
import { API_KEY, startTestApp, type TestApp } from '../support/test-app.js';

type RejectedRow = { id: string; reason: string; replayed_at: Date | null; replay_outcome: string | null };

// Black-box: `npm run callbacks:replay` as the operator runs it, on this file's own pair of test databases.
describe('npm run callbacks:replay', () => {
  const started: ServiceProcess[] = [];
  let t: TestApp;
  let settings: Record<string, string>;
  let sourceDb: string;
  let workDir: string;
  const query = <T extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params: unknown[] = []) =>
    adminQuery<T>(sql, params, sourceDb);

  // in a folder of its own, so that no developer .env fills what the test leaves out
  async function replay(env: Record<string, string>): Promise<ServiceProcess> {
    const command = new ServiceProcess({ PATH: process.env.PATH ?? '', HOME: os.homedir(), ...env }, workDir, REPLAY_ENTRY_POINT);
    started.push(command);
    await command.exit(60_000);
    return command;
  }

  const reject = (reason: string, params: URLSearchParams) =>
    query<{ id: string }>("INSERT INTO mob.rejected_callback (method, reason, raw_query, params) VALUES ('GET', $1, '', $2) RETURNING id", [
      reason,
      JSON.stringify(toRecord(params)),
    ]).then(([row]) => row.id);

  beforeAll(async () => {
    // the app migrates the databases and stores the activity that one rejected callback repeats
    t = await startTestApp();
    sourceDb = new URL(t.databases.sourceUrl).pathname.slice(1);
    workDir = await mkdtemp(path.join(os.tmpdir(), 'kpi-replay-cwd-'));
    settings = {
      DATABASE_URL: t.databases.sourceUrl,
      WAREHOUSE_URL: t.databases.warehouseUrl,
      API_KEYS: API_KEY,
      CALLBACK_TOKEN: 'none',
      LOG_LEVEL: 'warn',
    };
  });
  afterAll(async () => {
    await Promise.all(started.map((command) => command.kill()));
    await t?.close();
    if (workDir) await rm(workDir, { recursive: true, force: true });
  });

  it('stores the rejected callbacks that parse now, skips those already stored and keeps the rest with a fresh reason', async () => {
    const fixed = sessionCallback();
    const repeated = sessionCallback();
    const invalid = sessionCallback({ activity_kind: null });
    await request(t.app.getHttpServer()).get(callbackUrl(repeated)).expect(200, { status: 'stored' });
    const ids = {
      fixed: await reject('created_at must be Unix seconds, got "2026-11-20"', fixed),
      repeated: await reject('adid is missing for activity_kind "session"', repeated),
      invalid: await reject('an older parser said something else', invalid),
    };
    const first = await replay(settings);

    expect({ code: (await first.exited).code, stderr: first.stderr }).toEqual({ code: 0, stderr: '' });
    expect(first.stdout).toBe('Replayed rejected callbacks: examined 3: 1 stored, 1 already stored, 1 still rejected\n');
    const rejected = await query<RejectedRow>(
      'SELECT id, reason, replayed_at, replay_outcome FROM mob.rejected_callback WHERE id = ANY($1) ORDER BY id',
      [Object.values(ids)],
    );
    expect(rejected).toEqual([
      { id: ids.fixed, reason: expect.any(String), replayed_at: expect.any(Date), replay_outcome: 'stored' },
      { id: ids.repeated, reason: expect.any(String), replayed_at: expect.any(Date), replay_outcome: 'duplicate' },
      { id: ids.invalid, reason: 'activity_kind is missing', replayed_at: null, replay_outcome: null },
    ]);
    const stored = await query<{ adid: string; activity_kind: string }>(
      'SELECT adid, activity_kind FROM mob.adjust WHERE adid = ANY($1) ORDER BY id',
      [[fixed.get('adid'), repeated.get('adid'), invalid.get('adid')]],
    );
    expect(stored).toEqual([
      { adid: repeated.get('adid'), activity_kind: 'session' },
      { adid: fixed.get('adid'), activity_kind: 'session' },
    ]);

    // a second run looks only at what is still rejected, and stores nothing twice
    const second = await replay(settings);

    expect((await second.exited).code).toBe(0);
    expect(second.stdout).toBe('Replayed rejected callbacks: examined 1: 0 stored, 0 already stored, 1 still rejected\n');
    await expect(query('SELECT count(*)::int AS n FROM mob.adjust')).resolves.toEqual([{ n: 2 }]);
  });

  it('names the missing setting and exits with status 1, without a stack trace, on a bad configuration', async () => {
    const { API_KEYS: _left, ...withoutKeys } = settings;

    const command = await replay(withoutKeys);

    expect((await command.exited).code).toBe(1);
    expect(command.stderr).toContain('Invalid configuration');
    expect(command.stderr).toContain('API_KEYS or ADMIN_API_KEYS is required when DATABASE_URL is set');
    expect(command.stderr).not.toMatch(/^\s+at /m);
    expect(command.stdout).toBe('');
  });
});
