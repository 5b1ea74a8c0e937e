// One real PostgreSQL server for the whole test run (or the one TEST_DATABASE_URL names); each test
// file creates its own databases on it. Plain JavaScript on the built service (`pretest` builds it):
// Jest loads global setup files as CommonJS, outside ts-jest's ESM mode.
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { EmbeddedPostgres } from '../../dist/database/embedded-postgres.js';

export default async function globalSetup() {
  if (process.env.TEST_DATABASE_URL) return;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'kpi-test-'));
  // crash safety off: this throwaway server only has to behave like PostgreSQL
  const flags = ['-c', 'fsync=off', '-c', 'full_page_writes=off', '-c', 'max_connections=300'];
  const server = new EmbeddedPostgres(path.join(dir, 'postgres'), 'test-password', flags);
  await server.start();
  process.env.TEST_DATABASE_URL = server.url;
  globalThis.testPostgres = server;
  globalThis.testPostgresDir = dir;
}
