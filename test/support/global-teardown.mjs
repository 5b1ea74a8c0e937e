import { rm } from 'node:fs/promises';

export default async function globalTeardown() {
  await globalThis.testPostgres?.stop();
  // each run's cluster takes some 50 MB of the temporary folder
  if (globalThis.testPostgresDir) await rm(globalThis.testPostgresDir, { recursive: true, force: true });
}
