import 'reflect-metadata';
import { createApp } from './app.factory.js';
import { Connections } from './database/connections.js';
import { OperatorError } from './common/operator-error.js';
import { assertDataDirFree, writeOwnerOnly } from './database/data-dir.js';
import { DemoService } from './demo/demo.service.js';
import { banner, loadDotEnv, startupConfig } from './startup.js';

// A shutdown that hangs (a stuck query, a client that never finishes) must not keep the process forever.
const SHUTDOWN_GRACE_MS = 15_000;

async function bootstrap(): Promise<void> {
  writeOwnerOnly();
  loadDotEnv();
  const { config, generated } = await startupConfig(process.env);
  // the common mistake, a second `npm start`, gets a plain answer before Nest starts logging
  if (config.embedded) await assertDataDirFree(config.dataDir);
  const app = await createApp(config);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    // once: a second Ctrl-C during shutdown ends the process at once, as terminal users expect
    process.once(signal, () => {
      setTimeout(() => process.exit(1), SHUTDOWN_GRACE_MS).unref();
      // requests in flight finish, but their keep-alive connections would then hold the closing server
      // open (Fastify keeps an idle connection for 72 s): close each one as soon as it falls idle
      setInterval(() => app.getHttpServer().closeIdleConnections(), 100).unref();
      app.close().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    });
  }
  await app.listen(config.port, '0.0.0.0');
  const url = `http://localhost:${config.port}`;
  process.stdout.write(banner(config, app.get(Connections), url, generated));
  // through the real collector, so only once it listens
  if (config.demo) void app.get(DemoService).start(`http://127.0.0.1:${config.port}`);
}

bootstrap().catch((error: unknown) => {
  process.stderr.write(`Cannot start: ${startFailure(error)}\n`);
  process.exit(1);
});

// Configuration, data-folder and port problems are the operator's to fix: say what, without a stack trace.
function startFailure(error: unknown): string {
  if (error instanceof OperatorError) return error.message;
  const { code, port } = (error ?? {}) as NodeJS.ErrnoException & { port?: number };
  if (code === 'EADDRINUSE') return `PORT ${port} is already in use by another program; stop it or set PORT to a free port.`;
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}
