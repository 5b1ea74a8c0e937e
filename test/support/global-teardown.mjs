import { rm } from 'node:fs/promises';

// Each tier that needs PostgreSQL names this teardown; the first one to run stops the shared server.
export default async function globalTeardown() {
  const server = globalThis.testPostgres;
  globalThis.testPostgres = undefined;
  await server?.stop();
  // each run's cluster takes some 50 MB of the temporary folder
  if (globalThis.testPostgresDir) await rm(globalThis.testPostgresDir, { recursive: true, force: true });
  globalThis.testPostgresDir = undefined;
}
