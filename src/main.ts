import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import { Logger } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApp } from './app.factory.js';
import { Connections } from './database/connections.js';
import { OperatorError } from './common/operator-error.js';
import { assertDataDirFree, writeOwnerOnly } from './database/data-dir.js';
import { DemoService } from './demo/demo.service.js';
import { banner, loadDotEnv, startupConfig } from './startup.js';

// A shutdown that hangs (a stuck query, a client that never finishes) must not keep the process forever.
const SHUTDOWN_GRACE_MS = 15_000;
const FAST_STOP_MS = 10_000;

async function bootstrap(): Promise<void> {
  writeOwnerOnly();
  loadDotEnv();
  const { config, generated } = await startupConfig(process.env);
  // the common mistake, a second `npm start`, gets a plain answer before Nest starts logging
  if (config.embedded) await assertDataDirFree(config.dataDir);
  const app = await createApp(config);
  stopOnSignals(app, config.embedded);
  await app.listen(config.port, '0.0.0.0');
  // PORT=0 lets the system choose
  const { port } = app.getHttpServer().address() as AddressInfo;
  const url = `http://localhost:${port}`;
  process.stdout.write(banner(config, app.get(Connections), url, generated));
  // through the real collector, so only once it listens
  if (config.demo) void app.get(DemoService).start(`http://127.0.0.1:${port}`);
}

// The first SIGINT/SIGTERM stops taking requests, lets those in flight finish, then stops the databases.
// A second one during that (an impatient Ctrl-C, an orchestrator's repeated TERM), like a shutdown that
// hangs past the grace period, stops the embedded PostgreSQL at once (fast shutdown: sessions ended,
// transactions rolled back) and exits, so that no path but SIGKILL leaves it running.
function stopOnSignals(app: NestFastifyApplication, embedded: boolean): void {
  let stopping = false;
  // once stopping at once, the graceful path may still finish first (the fast shutdown ends the
  // sessions its requests wait on): it leaves the exit to stopNow, once PostgreSQL has stopped
  let stoppedNow = false;
  const stopNow = (why: string) => {
    stoppedNow = true;
    process.stderr.write(`${why}: ${embedded ? 'stopping the embedded PostgreSQL now (fast shutdown) and ' : ''}exiting\n`);
    // a fast shutdown takes a checkpoint's time; should even that hang, exit (the exit handler asks again)
    setTimeout(() => process.exit(1), FAST_STOP_MS).unref();
    void app
      .get(Connections)
      .stopEmbeddedNow()
      .finally(() => process.exit(1));
  };
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) return stopNow(`${signal} during shutdown`);
    stopping = true;
    new Logger('Shutdown').log(
      `${signal}: finishing the requests and the ETL run in flight (up to ${SHUTDOWN_GRACE_MS / 1000} s), then stopping; a second signal stops at once`,
    );
    setTimeout(() => stopNow(`Shutdown still not done after ${SHUTDOWN_GRACE_MS / 1000} s`), SHUTDOWN_GRACE_MS).unref();
    // requests in flight finish, but their keep-alive connections would then hold the closing server
    // open (Fastify keeps an idle connection for 72 s): close each one as soon as it falls idle
    setInterval(() => app.getHttpServer().closeIdleConnections(), 100).unref();
    app.close().then(
      () => stoppedNow || process.exit(0),
      () => stoppedNow || process.exit(1),
    );
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, onSignal);
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
