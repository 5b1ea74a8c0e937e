import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApp } from '../../src/app.factory.js';
import { createDemoWorld } from '../../src/demo/demo-traffic.js';
import { DemoService } from '../../src/demo/demo.service.js';
import { createTestDatabases, type TestDatabases } from '../support/databases.js';
import { query } from '../support/etl.js';
import { getMetric } from '../support/metrics-api.js';
import { baseUrlOf } from '../support/raw-http.js';
import { ServiceProcess, waitUntil } from '../support/service-process.js';
import { ADMIN_KEY, API_KEY, startTestApp, type TestApp } from '../support/test-app.js';

// The demo inside the service (DEMO on): the history into an empty source, one load, the live callbacks
// as the clock moves, and a restart that carries on with the same users instead of a second history.

const START_MS = Date.parse('2026-11-20T12:00:00Z');
const HOUR_MS = 3_600_000;
const SETTINGS = { seed: 3, days: 5, dau: 30, trickleMs: 50 };

// What the collector holds once the demo world started at START_MS has sent everything due by `nowMs`:
// its distinct activities.
const storedBy = (nowMs: number) =>
  createDemoWorld({ ...SETTINGS, nowMs: START_MS })
    .until(nowMs)
    .filter((c) => c.repeatOf === null).length;

describe('the demo traffic of the service', () => {
  let t: TestApp;
  let restarted: NestFastifyApplication | undefined;
  let now = START_MS;
  const clock = () => now;
  const sourceRows = async () => (await query<{ n: number }>(t.databases.sourceUrl, 'SELECT count(*)::int AS n FROM mob.adjust'))[0].n;
  const demoRuns = () =>
    query<{ status: string; trigger: string }>(t.databases.sourceUrl, "SELECT status, trigger FROM mob.etl_run WHERE status <> 'skipped'");

  async function startDemo(app: NestFastifyApplication, seed: number): Promise<void> {
    await app.listen(0, '127.0.0.1');
    await app.get(DemoService).start(baseUrlOf(app.getHttpServer()), { ...SETTINGS, seed, clock });
  }

  beforeAll(async () => {
    t = await startTestApp({ DEMO: 'true', LOG_LEVEL: 'fatal' });
    await startDemo(t.app, SETTINGS.seed);
  });
  afterAll(async () => {
    if (!restarted) return t?.close();
    // the first app is closed already: close its successor, then drop what startTestApp made
    await restarted.close();
    await t.databases.drop();
    await rm(t.config.dataDir, { recursive: true, force: true });
  });

  it('sends the history into the empty source and loads it once (a run of its own trigger), so every klip has numbers', async () => {
    expect(await sourceRows()).toBe(storedBy(START_MS));
    expect(await demoRuns()).toEqual([{ status: 'succeeded', trigger: 'demo' }]);
    const dau = await getMetric(t, 'dau', { from: '2026-11-16', to: '2026-11-20' });
    expect(dau.data.every((row) => row.value! > 0)).toBe(true);
  });

  it('keeps its plan in the data folder', async () => {
    const plan = JSON.parse(await readFile(path.join(t.config.dataDir, 'demo.json'), 'utf8'));
    expect(plan).toEqual({ seed: SETTINGS.seed, dau: SETTINGS.dau, firstDay: Math.floor(START_MS / 86_400_000) - 4 });
  });

  it('sends the callbacks that fall due as the clock moves', async () => {
    now = START_MS + 6 * HOUR_MS;
    const expected = storedBy(now);
    expect(expected).toBeGreaterThan(storedBy(START_MS));
    await waitUntil(async () => (await sourceRows()) === expected, 10_000, 'the live callbacks of six hours are stored');
  });

  it('carries on with the same users after a restart, without a second history', async () => {
    await t.app.close();
    restarted = await createApp(t.config);
    // another seed: the plan kept in the data folder wins
    await startDemo(restarted, 99);
    expect(await sourceRows()).toBe(storedBy(START_MS + 6 * HOUR_MS));
    expect(await demoRuns()).toHaveLength(1);

    // past midnight: the world's days go on from the same first day
    now = START_MS + 14 * HOUR_MS;
    await waitUntil(async () => (await sourceRows()) === storedBy(now), 10_000, 'the live callbacks of the next six hours are stored');
  });
});

// The real entry point: DEMO decides whether `npm start` sends demo traffic, and a stop during the
// history's back-fill is a clean one.
describe('DEMO and the service process', () => {
  let databases: TestDatabases;
  let workDir: string;
  let dataDir: string;
  let service: ServiceProcess | undefined;
  const rows = async () => (await query<{ n: number }>(databases.sourceUrl, 'SELECT count(*)::int AS n FROM mob.adjust'))[0].n;

  async function start(env: Record<string, string | undefined>): Promise<ServiceProcess> {
    const settings = {
      PATH: process.env.PATH ?? '',
      HOME: os.homedir(),
      DATABASE_URL: databases.sourceUrl,
      WAREHOUSE_URL: databases.warehouseUrl,
      API_KEYS: API_KEY,
      ADMIN_API_KEYS: ADMIN_KEY,
      // the demo sends it with every callback, as Adjust would
      CALLBACK_TOKEN: 'demo-service-callback-token',
      DATA_DIR: dataDir,
      PORT: '0',
      ETL_SCHEDULE: 'off',
      LOG_LEVEL: 'warn',
    };
    service = new ServiceProcess({ ...settings, ...env }, workDir);
    await service.waitForOutput(/listening on/);
    return service;
  }

  beforeAll(async () => {
    databases = await createTestDatabases();
    workDir = await mkdtemp(path.join(os.tmpdir(), 'kpi-demo-cwd-'));
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'kpi-demo-data-'));
  });
  afterAll(async () => {
    await service?.kill();
    await databases?.drop();
    await Promise.all([workDir, dataDir].map((folder) => rm(folder, { recursive: true, force: true })));
  });

  it('sends nothing when DATABASE_URL is set and DEMO is not', async () => {
    // DEMO left out of the environment: its default with a DATABASE_URL
    const quiet = await start({ DEMO: undefined });
    expect(quiet.stdout).not.toContain('Demo traffic');
    quiet.signal('SIGTERM');
    await expect(quiet.exit(10_000)).resolves.toEqual({ code: 0, signal: null });
    // a demo writes its plan as it starts, before its first callback: after the exit, all it did is done
    expect(existsSync(path.join(dataDir, 'demo.json'))).toBe(false);
    expect(await rows()).toBe(0);
  }, 30_000);

  it('sends the history with DEMO=true, says so in the banner, and stops cleanly in the middle of it', async () => {
    const demo = await start({ DEMO: 'true', LOG_LEVEL: 'info' });
    expect(demo.stdout).toContain(
      'Demo traffic     on: 90 days of history for an empty database, then live callbacks (DEMO=false turns it off)',
    );
    await waitUntil(async () => (await rows()) > 1_000, 20_000, 'the back-fill has stored a thousand callbacks');
    demo.signal('SIGTERM');
    await expect(demo.exit(15_000)).resolves.toEqual({ code: 0, signal: null });
    expect(demo.stdout).toContain('Back-fill stopped');
    expect(demo.stderr).toBe('');
  }, 60_000);
});
