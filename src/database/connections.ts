import path from 'node:path';
import { Logger } from '@nestjs/common';
import pg from 'pg';
import { DataSource } from 'typeorm';
import type { AppConfig } from '../config/app-config.js';
import { DataDirInUseError, lockDataDir, readOrCreateSecret } from './data-dir.js';
import { EmbeddedPostgres } from './embedded-postgres.js';
import { migrate } from './migrator.js';

export const SOURCE_DB = Symbol('SOURCE_DB');
export const WAREHOUSE_DB = Symbol('WAREHOUSE_DB');

const SOURCE_DATABASE = 'adjust';
const WAREHOUSE_DATABASE = 'warehouse';

// The two databases the service works with, and the embedded server behind them when there is one.
// They are separate connections on purpose: in production the warehouse is Redshift.
export class Connections {
  private constructor(
    readonly source: DataSource,
    readonly warehouse: DataSource,
    readonly describe: { source: string; warehouse: string },
    private readonly embedded?: EmbeddedServer,
  ) {}

  // `attach`: for command-line tools, which use the embedded server of a running service when there is one.
  static async open(config: AppConfig, { attach = false } = {}): Promise<Connections> {
    const embedded = config.embedded ? await (attach ? attachOrStartEmbedded(config) : startEmbedded(config)) : undefined;
    try {
      const sourceUrl = embedded ? withDatabase(embedded.url, SOURCE_DATABASE) : config.sourceUrl!;
      const warehouseUrl = config.warehouse.url ?? withDatabase(sourceUrl, WAREHOUSE_DATABASE);
      if (embedded) await createDatabases(embedded.url, [SOURCE_DATABASE, WAREHOUSE_DATABASE]);
      else if (!config.warehouse.url) await createDatabases(sourceUrl, [WAREHOUSE_DATABASE]);
      const source = await openDataSource(sourceUrl, 'source', 20);
      const warehouse = await openDataSource(warehouseUrl, config.warehouse.engine, 5).catch(async (error) => {
        await source.destroy();
        throw error;
      });
      const connections = new Connections(source, warehouse, { source: redact(sourceUrl), warehouse: redact(warehouseUrl) }, embedded);
      await connections.migrate(config).catch(async (error) => {
        await connections.close();
        throw error;
      });
      return connections;
    } catch (error) {
      await embedded?.release();
      throw error;
    }
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.source.destroy(), this.warehouse.destroy()]);
    await this.embedded?.release();
  }

  private async migrate(config: AppConfig): Promise<void> {
    const logger = new Logger('Migrations');
    const applied = {
      source: await migrate(this.source, 'source'),
      warehouse: await migrate(this.warehouse, `warehouse/${config.warehouse.engine}`),
    };
    for (const [db, names] of Object.entries(applied)) {
      if (names.length > 0) logger.log(`Applied ${db} migrations: ${names.join(', ')}`);
    }
  }
}

// The embedded server as this process sees it: where it listens, and what to do when done with it.
type EmbeddedServer = { url: string; release: () => Promise<void> };

async function startEmbedded(config: AppConfig): Promise<EmbeddedServer> {
  const unlock = await lockDataDir(config.dataDir);
  try {
    const server = new EmbeddedPostgres(clusterDir(config), await embeddedPassword(config));
    await server.start();
    return {
      url: server.url,
      release: async () => {
        await server.stop();
        await unlock();
      },
    };
  } catch (error) {
    await unlock();
    throw error;
  }
}

async function attachOrStartEmbedded(config: AppConfig): Promise<EmbeddedServer> {
  try {
    return await startEmbedded(config);
  } catch (error) {
    if (!(error instanceof DataDirInUseError)) throw error;
    const url = await EmbeddedPostgres.runningUrl(clusterDir(config), await embeddedPassword(config));
    if (!url) throw error;
    return { url, release: async () => undefined };
  }
}

const clusterDir = (config: AppConfig) => path.join(config.dataDir, 'postgres');
const embeddedPassword = async (config: AppConfig) => (await readOrCreateSecret(config.dataDir, 'postgres-password')).value;

async function openDataSource(url: string, engine: 'source' | 'postgres' | 'redshift', poolSize: number): Promise<DataSource> {
  const redshift = engine === 'redshift';
  const dataSource = new DataSource({
    type: 'postgres',
    url: redshift ? redshiftToPostgresUrl(url) : url,
    // Redshift takes TLS connections and speaks the PostgreSQL protocol, without its extensions
    ssl: redshift ? true : undefined,
    installExtensions: false,
    applicationName: `mobile-kpi-${engine}`,
    poolSize,
    connectTimeoutMS: 10_000,
    // timestamps travel as UTC text; Redshift sessions are UTC already
    extra: redshift ? {} : { options: '-c TimeZone=UTC' },
  });
  return dataSource.initialize();
}

async function createDatabases(serverUrl: string, names: string[]): Promise<void> {
  const client = new pg.Client({ connectionString: withDatabase(serverUrl, 'postgres') });
  await client.connect();
  try {
    const existing = await client.query('SELECT datname FROM pg_database WHERE datname = ANY($1)', [names]);
    const have = new Set(existing.rows.map((row: { datname: string }) => row.datname));
    // names are constants of this file, never user input
    for (const name of names.filter((n) => !have.has(n))) await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
}

export function redshiftToPostgresUrl(url: string): string {
  const parsed = new URL(url.replace(/^redshift:/, 'postgres:'));
  if (!parsed.port) parsed.port = '5439';
  return parsed.toString();
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

// For banners and logs: a connection URL without its password.
export function redact(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}
