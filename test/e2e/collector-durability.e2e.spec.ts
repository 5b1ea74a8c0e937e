import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { CallbackWriter } from '../../src/collector/callback-writer.js';
import { freePort } from '../../src/database/embedded-postgres.js';
import { adjustQuery, CALLBACK_PATH, NOW_EPOCH, sessionCallback } from '../support/adjust-callbacks.js';
import { adminQuery, createTestDatabases, type TestDatabases } from '../support/databases.js';
import { inParallel, rawRequest, type RawResponse } from '../support/raw-http.js';
import { ServiceProcess, waitUntil } from '../support/service-process.js';
import { API_KEY } from '../support/test-app.js';

// lost: no answer; `error` says why (ECONNREFUSED: never accepted; ECONNRESET: accepted, then dropped)
type Outcome = { adid: string; status: number | 'lost'; body?: Record<string, unknown>; error?: string };

const TOKEN = 'durability-callback-token';

describe(CallbackWriter.name, () => {
  let databases: TestDatabases;
  let dataDir: string;
  let workDir: string;
  let service: ServiceProcess;
  let sourceDb: string;
  const query = <T extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params: unknown[] = []) =>
    adminQuery<T>(sql, params, sourceDb);
  const storedAdids = async () => new Set((await query<{ adid: string }>('SELECT adid FROM mob.adjust')).map((row) => row.adid));

  // refused: a callback without activity_kind, which the service keeps in mob.rejected_callback
  function send(adid: string, createdAt = NOW_EPOCH, refused = false): Promise<Outcome> {
    const params = sessionCallback({ adid, created_at: String(createdAt), token: TOKEN, ...(refused ? { activity_kind: null } : {}) });
    return rawRequest(baseUrl, { path: `${CALLBACK_PATH}?${adjustQuery(params)}` }).then(
      (res: RawResponse) => ({ adid, status: res.status, body: res.json() }),
      (error: NodeJS.ErrnoException) => ({ adid, status: 'lost' as const, error: error.code ?? error.message }),
    );
  }

  let env: Record<string, string>;
  let baseUrl: string;
  // the built service, as `npm start` runs it, on this file's own pair of test databases, in a working
  // folder without a .env file (a developer's would fill in what the test leaves unset)
  async function startService(): Promise<void> {
    service = new ServiceProcess(env, workDir);
    await service.waitForOutput(/listening on/);
  }

  beforeAll(async () => {
    databases = await createTestDatabases();
    sourceDb = new URL(databases.sourceUrl).pathname.slice(1);
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'kpi-durability-'));
    workDir = await mkdtemp(path.join(os.tmpdir(), 'kpi-durability-cwd-'));
    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    env = {
      PATH: process.env.PATH ?? '',
      HOME: os.homedir(),
      DATABASE_URL: databases.sourceUrl,
      WAREHOUSE_URL: databases.warehouseUrl,
      API_KEYS: API_KEY,
      CALLBACK_TOKEN: TOKEN,
      ETL_SCHEDULE: 'off',
      DEMO: 'false',
      PORT: String(port),
      DATA_DIR: dataDir,
      LOG_LEVEL: 'fatal',
    };
    await startService();
  });
  afterAll(async () => {
    await service?.kill();
    await databases?.drop();
    await Promise.all([dataDir, workDir].filter(Boolean).map((folder) => rm(folder, { recursive: true, force: true })));
  });

  it('answers 503, never 500, when the database drops its connections mid-batch, and stores or keeps the retries', async () => {
    // Hold the table so the service's batches are waiting inside their INSERT when their connections die.
    const blocker = new pg.Client({ connectionString: databases.sourceUrl });
    await blocker.connect();
    let first: Outcome[];
    let refusedFirst: Outcome[];
    try {
      await blocker.query('BEGIN');
      await blocker.query('LOCK TABLE mob.adjust, mob.rejected_callback IN EXCLUSIVE MODE');
      const burst = Array.from({ length: 60 }, (_, i) => send(`dbdown${String(i).padStart(26, '0')}`));
      const refusedBurst = Array.from({ length: 8 }, (_, i) => send(`refused${String(i).padStart(25, '0')}`, NOW_EPOCH, true));
      const waitingSql = `SELECT count(*) FILTER (WHERE query LIKE '%INSERT INTO mob.adjust%') AS activities,
                                 count(*) FILTER (WHERE query LIKE '%INSERT INTO mob.rejected_callback%') AS refusals
        FROM pg_stat_activity WHERE datname = $1 AND application_name = 'mobile-kpi-source' AND wait_event_type = 'Lock'`;
      await waitUntil(
        async () => {
          const [waiting] = await adminQuery<{ activities: string; refusals: string }>(waitingSql, [sourceDb]);
          return Number(waiting.activities) > 0 && Number(waiting.refusals) === refusedBurst.length;
        },
        10_000,
        'batches and refusals wait for the lock',
      );
      const terminated = await adminQuery(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND application_name = 'mobile-kpi-source'",
        [sourceDb],
      );
      expect(terminated.length).toBeGreaterThan(0);
      await blocker.query('COMMIT');
      first = await Promise.all(burst);
      refusedFirst = await Promise.all(refusedBurst);
    } finally {
      await blocker.end();
    }

    // a refusal that could not be kept is a 503 too: Adjust retries it, and the retry is kept and refused
    expect(refusedFirst.map((outcome) => outcome.status)).toEqual(refusedFirst.map(() => 503));
    const refusedRetries = await Promise.all(refusedFirst.map((outcome) => send(outcome.adid, NOW_EPOCH, true)));
    expect(refusedRetries.map((outcome) => outcome.status)).toEqual(refusedRetries.map(() => 400));
    const kept = await query<{ n: string }>("SELECT count(*) AS n FROM mob.rejected_callback WHERE params->>'adid' LIKE 'refused%'");
    expect(Number(kept[0].n)).toBe(refusedFirst.length);

    expect(first.filter((outcome) => outcome.status !== 200 && outcome.status !== 503)).toEqual([]);
    const unavailable = first.filter((outcome) => outcome.status === 503);
    expect(unavailable.length).toBeGreaterThan(0);
    expect(unavailable[0].body?.message).toMatch(/retry later/);
    // every 200 is stored; the INSERT of each 503 never got past the lock, so Adjust's retry is the first copy
    let stored = await storedAdids();
    expect(first.map((outcome) => stored.has(outcome.adid))).toEqual(first.map((outcome) => outcome.status === 200));

    // Adjust retries a 503: the service has reconnected and stores each retry once
    const retries = await Promise.all(unavailable.map((outcome) => send(outcome.adid)));
    expect(retries.map((outcome) => `${outcome.status} ${outcome.body?.status}`)).toEqual(retries.map(() => '200 stored'));
    stored = await storedAdids();
    expect(first.filter((outcome) => !stored.has(outcome.adid))).toEqual([]);
  });

  it('has committed every callback it answered 200 when the process is killed right after answering', async () => {
    const total = 400;
    const adids = Array.from({ length: total }, (_, i) => `killed${String(i).padStart(26, '0')}`);
    const blocker = new pg.Client({ connectionString: databases.sourceUrl });
    await blocker.connect();
    let outcomes: Outcome[];
    try {
      await blocker.query('BEGIN');
      // Once the first answers are in, no INSERT can commit any more: a service that answered before its
      // commit would keep answering, one that answers after it goes quiet.
      let locked: Promise<unknown> | undefined;
      let answered = 0;
      const burst = inParallel(total, 100, async (i) => {
        const outcome = await send(adids[i], NOW_EPOCH + 1);
        if (outcome.status !== 'lost' && ++answered === 50) locked = blocker.query('LOCK TABLE mob.adjust IN EXCLUSIVE MODE');
        return outcome;
      });
      await waitUntil(() => locked !== undefined, 10_000, 'the first answers are in');
      await locked;
      // the service's next batch is held by the lock: nothing it answers from now on has committed
      await waitUntil(
        async () => {
          const waiting = await adminQuery(
            "SELECT 1 FROM pg_stat_activity WHERE datname = $1 AND application_name = 'mobile-kpi-source' AND wait_event_type = 'Lock' AND query LIKE '%INSERT INTO mob.adjust%'",
            [sourceDb],
          );
          return waiting.length > 0;
        },
        10_000,
        'a batch waits for the lock',
      );
      service.signal('SIGKILL');
      await service.exit();
      // the dead process's sessions die with it: their uncommitted INSERTs must not commit later
      await adminQuery(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND application_name = 'mobile-kpi-source'",
        [sourceDb],
      );
      await blocker.query('COMMIT');
      outcomes = await burst;
    } finally {
      await blocker.end();
    }

    const acknowledged = outcomes.filter((outcome) => outcome.status === 200);
    const lost = outcomes.filter((outcome) => outcome.status === 'lost');
    expect(outcomes.filter((outcome) => outcome.status !== 200 && outcome.status !== 'lost')).toEqual([]);
    expect(acknowledged.length).toBeGreaterThanOrEqual(50);
    expect(lost.length).toBeGreaterThan(0);
    expect(acknowledged.every((outcome) => outcome.body?.status === 'stored')).toBe(true);

    const rows = await query<{ adid: string; complete: boolean }>(
      `SELECT adid, (dedup_key IS NOT NULL AND activity_kind = 'session' AND created_at = to_timestamp($1)
                     AND received_at IS NOT NULL AND last_time_spent = 412 AND extra IS NOT NULL) AS complete
       FROM mob.adjust WHERE adid LIKE 'killed%'`,
      [NOW_EPOCH + 1],
    );
    const stored = new Set(rows.map((row) => row.adid));
    // every 200 is durable ...
    expect(acknowledged.filter((outcome) => !stored.has(outcome.adid))).toEqual([]);
    // ... and a row without a 200 can only be one whose answer the kill swallowed
    const lostAdids = new Set(lost.map((outcome) => outcome.adid));
    expect(rows.filter((row) => !lostAdids.has(row.adid) && !acknowledged.some((outcome) => outcome.adid === row.adid))).toEqual([]);
    expect(rows.length).toBeGreaterThanOrEqual(acknowledged.length);
    expect(rows.filter((row) => !row.complete)).toEqual([]);
  });

  it('answers every callback it started to handle when stopped with SIGTERM, and each 200 is stored', async () => {
    if (!service.running) await startService(); // the previous test killed it
    const total = 300;
    const adids = Array.from({ length: total }, (_, i) => `stopped${String(i).padStart(25, '0')}`);
    let answered = 0;
    const burst = inParallel(total, 50, async (i) => {
      const outcome = await send(adids[i], NOW_EPOCH + 2);
      if (outcome.status !== 'lost' && ++answered === 50) service.signal('SIGTERM');
      return outcome;
    });
    const outcomes = await burst;
    await service.exit(20_000);

    expect(outcomes.filter((outcome) => outcome.status !== 200 && outcome.status !== 503 && outcome.status !== 'lost')).toEqual([]);
    // Unanswered are only connections the closing server refused or dropped before reading a request
    // (a reset of a connection still in the listen queue or idle): to Adjust both mean "unreachable",
    // which it retries. What the service started to handle it finished and answered: no lost callback
    // was stored.
    const lost = outcomes.filter((outcome) => outcome.status === 'lost');
    expect(lost.filter((outcome) => outcome.error !== 'ECONNREFUSED' && outcome.error !== 'ECONNRESET')).toEqual([]);
    const stored = await storedAdids();
    expect(lost.filter((outcome) => stored.has(outcome.adid))).toEqual([]);
    expect(outcomes.filter((outcome) => outcome.status === 200 && !stored.has(outcome.adid))).toEqual([]);
    expect(outcomes.filter((outcome) => outcome.status === 200).length).toBeGreaterThanOrEqual(50);
  });
});
