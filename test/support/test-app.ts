import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApp } from '../../src/app.factory.js';
import { type AppConfig, loadConfig } from '../../src/config/app-config.js';
import { createTestDatabases, type TestDatabases } from './databases.js';

export const API_KEY = 'test-reader-key-0123456789';
export const ADMIN_KEY = 'test-admin-key-0123456789';

export type TestApp = { app: NestFastifyApplication; config: AppConfig; databases: TestDatabases; close: () => Promise<void> };

// The real application on its own pair of test databases; `env` overrides the defaults below.
export async function startTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const databases = await createTestDatabases();
  const config = loadConfig({
    DATABASE_URL: databases.sourceUrl,
    WAREHOUSE_URL: databases.warehouseUrl,
    API_KEYS: API_KEY,
    ADMIN_API_KEYS: ADMIN_KEY,
    ETL_CRON: 'off',
    LOG_LEVEL: 'warn',
    ...env,
  });
  const app = await createApp(config);
  await app.getHttpAdapter().getInstance().ready();
  return {
    app,
    config,
    databases,
    close: async () => {
      await app.close();
      await databases.drop();
    },
  };
}
