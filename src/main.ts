import 'reflect-metadata';
import { createApp } from './app.factory.js';
import { ConfigError } from './config/app-config.js';
import { Connections } from './database/connections.js';
import { assertDataDirFree, DataDirInUseError } from './database/data-dir.js';
import { banner, loadDotEnv, startupConfig } from './startup.js';

// A shutdown that hangs (a stuck query, a client that never finishes) must not keep the process forever.
const SHUTDOWN_GRACE_MS = 15_000;

async function bootstrap(): Promise<void> {
  loadDotEnv();
  const { config, generatedKey } = await startupConfig(process.env);
  // the common mistake, a second `npm start`, gets a plain answer before Nest starts logging
  if (config.embedded) await assertDataDirFree(config.dataDir);
  const app = await createApp(config);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => setTimeout(() => process.exit(1), SHUTDOWN_GRACE_MS).unref());
  }
  await app.listen(config.port, '0.0.0.0');
  const url = `http://localhost:${config.port}`;
  process.stdout.write(banner(config, app.get(Connections), url, generatedKey));
}

bootstrap().catch((error: unknown) => {
  // configuration and data-folder problems are the operator's to fix: say what, without a stack trace
  const known = error instanceof ConfigError || error instanceof DataDirInUseError;
  process.stderr.write(`Cannot start: ${known ? error.message : error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
