import 'reflect-metadata';
import { type DynamicModule, type INestApplicationContext, type LogLevel, Module, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { OperatorError } from '../common/operator-error.js';
import type { AppConfig } from '../config/app-config.js';
import { ConfigModule } from '../config/config.module.js';
import { writeOwnerOnly } from '../database/data-dir.js';
import { DatabaseModule } from '../database/database.module.js';
import { startupLogger } from '../logging/logging.module.js';
import { loadDotEnv, startupConfig } from '../startup.js';

type Feature = Type | DynamicModule;
type Task = (context: INestApplicationContext) => Promise<void>;

@Module({})
class CliModule {
  static forRoot(config: AppConfig, feature: Feature, backendNice?: number): DynamicModule {
    return { module: CliModule, imports: [ConfigModule.forRoot(config), DatabaseModule.forRoot({ attach: true, backendNice }), feature] };
  }
}

// Runs one command-line task with the service's configuration and databases (no HTTP server).
export async function runCli(feature: Feature, task: Task): Promise<void> {
  try {
    writeOwnerOnly();
    loadDotEnv();
    const { config } = await startupConfig(process.env);
    await withContext(CliModule.forRoot(config, feature), ['error', 'warn'], task);
  } catch (error) {
    process.stderr.write(`${error instanceof OperatorError ? error.message : error instanceof Error ? error.stack : String(error)}\n`);
    process.exitCode = 1;
  }
}

// A service's own worker (a repair's process): the service's configuration, its logger once started
// (the modules' start-up lines are the service's, not each repair's), and the database sessions at
// `backendNice`. Failures are the caller's to report.
export async function runWorker(config: AppConfig, feature: Feature, backendNice: number, task: Task): Promise<void> {
  writeOwnerOnly();
  await withContext(CliModule.forRoot(config, feature, backendNice), ['error', 'warn'], async (context) => {
    context.useLogger(startupLogger(config));
    await task(context);
  });
}

async function withContext(module: DynamicModule, logger: LogLevel[], task: Task): Promise<void> {
  const context = await NestFactory.createApplicationContext(module, { logger, abortOnError: false });
  try {
    await task(context);
  } finally {
    await context.close();
  }
}

// Elsewhere than on a terminal (a log file, a pipe), a long task says where it is this often, the first
// time this long after the command began; a short one prints only its last line.
export const PLAIN_PROGRESS_MS = 30_000;
let plainPrintedAt = Date.now();

// A one-line progress report that rewrites itself on a terminal and prints plainly elsewhere.
export function progress(line: string, done = false): void {
  if (process.stdout.isTTY) {
    process.stdout.write(`\r\x1b[2K${line}${done ? '\n' : ''}`);
    return;
  }
  const now = Date.now();
  if (!done && now - plainPrintedAt < PLAIN_PROGRESS_MS) return;
  plainPrintedAt = now;
  process.stdout.write(`${line}\n`);
}
