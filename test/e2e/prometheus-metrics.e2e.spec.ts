import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { COLLECTOR_LIMITS } from '../../src/collector/collector.service.js';
import type { EtlRunView } from '../../src/etl/etl-run.js';
import { ScrapeController } from '../../src/observability/scrape.controller.js';
import { adminQuery } from '../support/databases.js';
import { CALLBACK_PATH, callbackUrl, installCallback, sessionCallback, toRecord } from '../support/adjust-callbacks.js';
import { waitForLeaseFree } from '../support/etl.js';
import { parseSamples, type Samples } from '../support/prometheus-text.js';
import { waitUntil } from '../support/service-process.js';
import { ADMIN_KEY, API_KEY, startTestApp, type TestApp } from '../support/test-app.js';

const TOKEN = 'metrics-test-callback-token';
const RATE_LIMIT = 20;
const STEPS = ['lease', 'extract', 'stage', 'load', 'merge', 'rollups', 'maintain'];

// GET /metrics on the real application and its databases: what each series counts, from the requests,
// callbacks and runs the tests make (read as differences, so that the tests do not depend on each other).
describe(ScrapeController.name, () => {
  let t: TestApp;
  let failLoads = false;
  const server = () => t.app.getHttpServer() as Server;
  const scrape = async (): Promise<Samples> =>
    parseSamples((await request(server()).get('/metrics').set('Authorization', `Bearer ${ADMIN_KEY}`).expect(200)).text);
  const callback = (params: URLSearchParams) => request(server()).get(callbackUrl(`token=${TOKEN}&${params.toString()}`));
  const klip = (path: string, key = ADMIN_KEY) => request(server()).get(`/api/v1/metrics/${path}`).set('X-API-Key', key);

  async function runEtl(): Promise<EtlRunView> {
    const { body } = await request(server()).post('/api/v1/etl/runs').set('X-API-Key', ADMIN_KEY).expect(202);
    let run: EtlRunView | undefined;
    await waitUntil(
      async () => {
        run = (await request(server()).get(`/api/v1/etl/runs/${body.id}`).set('X-API-Key', ADMIN_KEY)).body as EtlRunView;
        return run.status !== 'running';
      },
      15_000,
      `run ${body.id} has ended`,
    );
    await waitForLeaseFree(t.databases.sourceUrl);
    return run!;
  }

  beforeAll(async () => {
    t = await startTestApp(
      // a daily schedule at a minute no test waits for: its interval is one day
      { CALLBACK_TOKEN: TOKEN, RATE_LIMIT: String(RATE_LIMIT), ETL_SCHEDULE: '17 3 * * *', LOG_LEVEL: 'fatal' },
      {
        etlStepHook: (step) => {
          if (failLoads && step === 'load') throw new Error('the warehouse refused the load (test)');
        },
      },
    );
  });
  afterAll(async () => {
    await t?.close();
  });

  it('answers an admin key only, at the root, in the Prometheus text format with the process metrics', async () => {
    await request(server()).get('/metrics').expect(401);
    await request(server()).get('/metrics').set('Authorization', `Bearer ${API_KEY}`).expect(403);
    // under the prefix: the klips' index, not this text
    const index = await request(server()).get('/api/v1/metrics').set('Authorization', `Bearer ${ADMIN_KEY}`).expect(200);
    expect(index.headers['content-type']).toMatch(/^application\/json/);
    expect(index.text).not.toContain('# TYPE');

    const res = await request(server()).get('/metrics').set('Authorization', `Bearer ${ADMIN_KEY}`).expect(200);

    expect(res.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    const samples = parseSamples(res.text);
    for (const name of ['process_cpu_seconds_total', 'process_resident_memory_bytes', 'nodejs_eventloop_lag_seconds']) {
      expect(samples.names).toContain(name);
    }
    expect(samples.value('kpi_dependency_up', { dependency: 'source' })).toBe(1);
    expect(samples.value('kpi_dependency_up', { dependency: 'warehouse' })).toBe(1);
    expect(samples.value('kpi_etl_schedule_interval_seconds')).toBe(86_400);
  });

  it('counts callbacks by outcome, those refused before the collector included', async () => {
    const before = await scrape();
    const install = installCallback();
    await callback(install).expect(200, { status: 'stored' });
    await callback(sessionCallback()).expect(200, { status: 'stored' });
    await callback(install).expect(200, { status: 'duplicate' });
    await callback(sessionCallback({ adid: null })).expect(400);
    await request(server())
      .get(callbackUrl(`token=wrong-token-123&${sessionCallback().toString()}`))
      .expect(401);
    const padded = toRecord(sessionCallback({ padding: 'p'.repeat(1024 * 1024) }));
    await request(server()).post(`${CALLBACK_PATH}?token=${TOKEN}`).send(padded).expect(413);
    const limit = COLLECTOR_LIMITS.maxRefusalsInFlight;
    COLLECTOR_LIMITS.maxRefusalsInFlight = 0;
    try {
      await callback(sessionCallback({ adid: null })).expect(503);
    } finally {
      COLLECTOR_LIMITS.maxRefusalsInFlight = limit;
    }

    const after = await scrape();
    const counted = (outcome: string) =>
      after.value('kpi_collector_callbacks_total', { outcome })! - before.value('kpi_collector_callbacks_total', { outcome })!;
    expect(['stored', 'duplicate', 'rejected', 'unauthorized', 'too_large', 'refused'].map(counted)).toEqual([2, 1, 1, 1, 1, 1]);
    // two INSERTs of one new callback each, and the duplicate's (which stored nothing)
    expect(after.value('kpi_collector_batch_callbacks_count')! - before.value('kpi_collector_batch_callbacks_count')!).toBe(3);
    expect(after.value('kpi_collector_queued_callbacks')).toBe(0);
    expect(after.value('kpi_collector_last_stored_timestamp_seconds')).toBeGreaterThan(Date.now() / 1000 - 60);
  });

  it('counts klip requests by klip and status with their latency, cache lookups and rate-limit refusals', async () => {
    const before = await scrape();
    const range = 'from=2026-10-01&to=2026-10-07';
    await klip(`installs?${range}`).expect(200);
    await klip(`installs?${range}`).expect(200);
    await klip(`installs?${range}&granularity=hour`).expect(400);
    await klip(`no-such-klip?${range}`).expect(404);
    for (let i = 0; i < RATE_LIMIT; i++) await klip(`dau?${range}`, API_KEY).expect(200);
    await klip(`dau?${range}`, API_KEY).expect(429);

    const after = await scrape();
    const requests = (klipName: string, code: string) =>
      after.value('kpi_klip_requests_total', { klip: klipName, code })! -
      (before.value('kpi_klip_requests_total', { klip: klipName, code }) ?? 0);
    expect([requests('installs', '200'), requests('installs', '400'), requests('unknown', '404')]).toEqual([2, 1, 1]);
    expect([requests('dau', '200'), requests('dau', '429')]).toEqual([RATE_LIMIT, 1]);
    const durations = (klipName: string) =>
      after.value('kpi_klip_request_duration_seconds_count', { klip: klipName })! -
      before.value('kpi_klip_request_duration_seconds_count', { klip: klipName })!;
    expect([durations('installs'), durations('dau'), durations('unknown')]).toEqual([3, RATE_LIMIT + 1, 1]);
    expect(after.value('kpi_klip_request_duration_seconds_sum', { klip: 'installs' })).toBeGreaterThan(0);
    // each new request computes its answer once; the repeats are hits (a 400 or a 429 never looks)
    const lookups = (result: string) =>
      after.value('kpi_answer_cache_lookups_total', { result })! - before.value('kpi_answer_cache_lookups_total', { result })!;
    expect([lookups('miss'), lookups('hit')]).toEqual([2, 1 + (RATE_LIMIT - 1)]);
    expect(after.value('kpi_rate_limit_refusals_total')! - before.value('kpi_rate_limit_refusals_total')!).toBe(1);
  });

  it('counts an ETL run by status, trigger and mode, times its steps, counts its rows and shows the freshness lag', async () => {
    await callback(installCallback()).expect(200, { status: 'stored' });
    const [{ count: stored }] = await adminQuery<{ count: string }>('SELECT count(*) FROM mob.adjust', [], dbName(t.databases.sourceUrl));
    const before = await scrape();

    const run = await runEtl();

    expect(run).toMatchObject({ status: 'succeeded', rowsLoaded: Number(stored) });
    const after = await scrape();
    const delta = (name: string, labels: Record<string, string>) => after.value(name, labels)! - (before.value(name, labels) ?? 0);
    expect(delta('kpi_etl_runs_total', { status: 'succeeded', trigger: 'api', mode: 'arrival' })).toBe(1);
    expect(delta('kpi_etl_rows_loaded_total', { mode: 'arrival' })).toBe(Number(stored));
    expect(STEPS.map((step) => delta('kpi_etl_step_duration_seconds_count', { step }))).toEqual(STEPS.map(() => 1));
    expect(after.value('kpi_etl_runs_in_progress')).toBe(0);
    expect(after.value('kpi_etl_failed_runs_in_a_row')).toBe(0);
    // the newest loaded callback arrived during this test
    expect(after.value('kpi_etl_freshness_lag_seconds')).toBeGreaterThanOrEqual(0);
    expect(after.value('kpi_etl_freshness_lag_seconds')).toBeLessThan(60);
  });

  it('counts the failed runs since the last successful one, from the run records', async () => {
    failLoads = true;
    try {
      expect((await runEtl()).status).toBe('failed');
      expect((await runEtl()).status).toBe('failed');
      const failing = await scrape();
      expect(failing.value('kpi_etl_failed_runs_in_a_row')).toBe(2);
      expect(failing.value('kpi_etl_runs_total', { status: 'failed', trigger: 'api', mode: 'arrival' })).toBe(2);
    } finally {
      failLoads = false;
    }
    expect((await runEtl()).status).toBe('succeeded');
    expect((await scrape()).value('kpi_etl_failed_runs_in_a_row')).toBe(0);
  });

  it('shows the databases that do not answer as down, and leaves out the failed-runs count it cannot read', async () => {
    const databases = [dbName(t.databases.sourceUrl), dbName(t.databases.warehouseUrl)];
    for (const database of databases) await adminQuery(`ALTER DATABASE ${database} ALLOW_CONNECTIONS false`);
    try {
      await adminQuery('SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity WHERE datname = ANY($1)', [databases]);
      const down = await scrape();
      expect(down.value('kpi_dependency_up', { dependency: 'source' })).toBe(0);
      expect(down.value('kpi_dependency_up', { dependency: 'warehouse' })).toBe(0);
      expect(down.value('kpi_etl_failed_runs_in_a_row')).toBeUndefined();
    } finally {
      for (const database of databases) await adminQuery(`ALTER DATABASE ${database} ALLOW_CONNECTIONS true`);
    }
    const back = await scrape();
    expect([
      back.value('kpi_dependency_up', { dependency: 'source' }),
      back.value('kpi_dependency_up', { dependency: 'warehouse' }),
    ]).toEqual([1, 1]);
  });
});

function dbName(url: string): string {
  return new URL(url).pathname.slice(1);
}
