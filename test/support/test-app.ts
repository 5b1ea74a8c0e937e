import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApp } from '../../src/app.factory.js';
import type { TestSeams } from '../../src/app.module.js';
import { type AppConfig, loadConfig } from '../../src/config/app-config.js';
import { createTestDatabases, type TestDatabases } from './databases.js';

export const API_KEY = 'test-reader-key-0123456789';
export const ADMIN_KEY = 'test-admin-key-0123456789';

export type TestApp = { app: NestFastifyApplication; config: AppConfig; databases: TestDatabases; close: () => Promise<void> };

// The real application on its own pair of test databases (or on `shared`, another app's: a second
// replica, which leaves them to their owner); `env` overrides the defaults below.
export async function startTestApp(
  env: Record<string, string | undefined> = {},
  seams: TestSeams = {},
  shared?: TestDatabases,
): Promise<TestApp> {
  const databases = shared ?? (await createTestDatabases());
  // not the embedded default: DATA_DIR holds only the staged files (STAGE_URL's default)
  const dataDir = await mkdtemp(path.join(tmpdir(), 'kpi-test-'));
  const config = loadConfig({
    DATA_DIR: dataDir,
    DATABASE_URL: databases.sourceUrl,
    WAREHOUSE_URL: databases.warehouseUrl,
    API_KEYS: API_KEY,
    ADMIN_API_KEYS: ADMIN_KEY,
    // tests about the token set one; the others send callbacks without one, as CALLBACK_TOKEN=none allows
    CALLBACK_TOKEN: 'none',
    ETL_SCHEDULE: 'off',
    ETL_RECONCILE_CRON: 'off',
    // the test output is the runner's; tests about logging set a level (test/e2e/logs.e2e.spec.ts)
    LOG_LEVEL: 'fatal',
    ...env,
  });
  const app = await createApp(config, seams);
  await app.getHttpAdapter().getInstance().ready();
  return {
    app,
    config,
    databases,
    close: async () => {
      // the tests are over: a socket a test left open (a trickling request, a kept-alive connection)
      // must not hold the server's close until its timeout
      (app.getHttpServer() as Server).closeAllConnections();
      await app.close();
      if (!shared) await databases.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
