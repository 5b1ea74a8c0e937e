import path from 'node:path';
import { Logger } from '@nestjs/common';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { OperatorError } from '../common/operator-error.js';
import type { AppConfig, WarehouseEngine } from '../config/app-config.js';
import { lowerBackendPriority } from './backend-priority.js';
import { DataDirInUseError, lockDataDir, readOrCreateSecret } from './data-dir.js';
import { EmbeddedPostgres } from './embedded-postgres.js';
import { type MigrationSet, migrate } from './migrator.js';
import { checkReportTimezone } from './report-timezone.js';
import { SqlCatalog } from './sql-catalog.js';
import { WAREHOUSE_APPLICATION_NAME, warehouseDriverOptions } from './warehouse-settings.js';

export const SOURCE_DB = Symbol('SOURCE_DB');

const SOURCE_DATABASE = 'adjust';
const WAREHOUSE_DATABASE = 'warehouse';

// backendNice: the niceness of the sessions' server processes when the server runs on this machine (a
// repair's process, see backend-priority.ts)
type OpenOptions = { attach?: boolean; warehouseRetryMs?: number; backendNice?: number };
type OnConnect = ((client: pg.Client) => void) | undefined;

// The two databases the service works with, and the embedded server behind them when there is one.
// They are separate connections on purpose: in production the warehouse is Redshift. The collector needs
// only the source, so a warehouse that is down (a paused cluster) does not stop the start: the service
// keeps trying, and health reports the warehouse down meanwhile.
export class Connections {
  private readonly logger = new Logger('Databases');
  private warehouseRetry?: NodeJS.Timeout;
  // users of `warehouse` check this first: until the warehouse answered and was migrated, it is not connected
  warehouseReady = false;

  private constructor(
    readonly source: DataSource,
    readonly warehouse: DataSource,
    readonly describe: { source: string; warehouse: string },
    private readonly warehouseMigrations: MigrationSet,
    private readonly warehouseRetryMs: number,
    private readonly reportTimezone: string,
    private readonly embedded?: EmbeddedServer,
  ) {}

  // `attach`: for command-line tools, which use the embedded server of a running service when there is one.
  static async open(config: AppConfig, { attach = false, warehouseRetryMs = 30_000, backendNice }: OpenOptions = {}): Promise<Connections> {
    const embedded = config.embedded ? await (attach ? attachOrStartEmbedded(config) : startEmbedded(config)) : undefined;
    try {
      const sourceUrl = embedded ? withDatabase(embedded.url, SOURCE_DATABASE) : config.sourceUrl!;
      const warehouseUrl = config.warehouse.url ?? withDatabase(sourceUrl, WAREHOUSE_DATABASE);
      if (embedded) await ensureDatabase(embedded.url, SOURCE_DATABASE);
      if (!config.warehouse.url) await ensureDatabase(sourceUrl, WAREHOUSE_DATABASE);
      const lowered = (url: string): OnConnect => (backendNice ? lowerBackendPriority(url, backendNice) : undefined);
      const source = await sourceDataSource(sourceUrl, lowered(sourceUrl)).initialize();
      const describe = { source: redact(sourceUrl), warehouse: redact(warehouseUrl) };
      const warehouseSet: MigrationSet = `warehouse/${config.warehouse.engine}`;
      const { engine, statementTimeoutMs } = config.warehouse;
      const warehouse = warehouseDataSource(warehouseUrl, engine, statementTimeoutMs, lowered(warehouseUrl));
      const timezone = config.report.timezone;
      const connections = new Connections(source, warehouse, describe, warehouseSet, warehouseRetryMs, timezone, embedded);
      await connections.migrateSource();
      await connections.connectWarehouse(true);
      return connections;
    } catch (error) {
      await embedded?.release();
      throw error;
    }
  }

  // Stops the embedded server now, whatever its sessions are doing (a second signal during shutdown);
  // nothing to do with an external database.
  async stopEmbeddedNow(): Promise<void> {
    await this.embedded?.release();
  }

  async close(): Promise<void> {
    clearTimeout(this.warehouseRetry);
    const open = [this.source, this.warehouse].filter((dataSource) => dataSource.isInitialized);
    await Promise.allSettled(open.map((dataSource) => dataSource.destroy()));
    await this.embedded?.release();
  }

  private async migrateSource(): Promise<void> {
    try {
      this.logApplied('source', await migrate(this.source, 'source'));
    } catch (error) {
      await this.source.destroy();
      throw error;
    }
  }

  private async connectWarehouse(atStart: boolean): Promise<void> {
    try {
      if (!this.warehouse.isInitialized) await this.warehouse.initialize();
      await checkReportTimezone((statement) => this.warehouse.query(statement), new SqlCatalog(), this.reportTimezone);
      this.logApplied('warehouse', await migrate(this.warehouse, this.warehouseMigrations));
      this.warehouseReady = true;
    } catch (error) {
      // a changed migration or a zone the warehouse does not know is a deployment mistake, not an
      // outage: it stops the start (later, the retries keep saying so in the log)
      if (atStart && error instanceof OperatorError) {
        await this.close();
        throw error;
      }
      this.logger.warn(`Warehouse not ready (${(error as Error).message}); retrying in ${this.warehouseRetryMs / 1000} s`);
      this.warehouseRetry = setTimeout(() => void this.connectWarehouse(false), this.warehouseRetryMs).unref();
    }
  }

  private logApplied(database: string, names: string[]): void {
    if (names.length > 0) this.logger.log(`Applied ${database} migrations: ${names.join(', ')}`);
  }
}

// The warehouse as the service reaches it, migrating nothing (npm run warehouse:check): on the embedded
// default, the embedded server of a running service, or one started for the caller; `release` lets go.
export async function locateWarehouse(config: AppConfig): Promise<{ url: string; describe: string; release: () => Promise<void> }> {
  const embedded = config.embedded ? await attachOrStartEmbedded(config) : undefined;
  try {
    const sourceUrl = embedded ? withDatabase(embedded.url, SOURCE_DATABASE) : config.sourceUrl!;
    const url = config.warehouse.url ?? withDatabase(sourceUrl, WAREHOUSE_DATABASE);
    if (!config.warehouse.url) await ensureDatabase(sourceUrl, WAREHOUSE_DATABASE);
    return { url, describe: redact(url), release: async () => embedded?.release() };
  } catch (error) {
    await embedded?.release();
    throw error;
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

function sourceDataSource(url: string, onConnect: OnConnect): DataSource {
  return new DataSource({
    type: 'postgres',
    url,
    installExtensions: false,
    applicationName: 'mobile-kpi-source',
    poolSize: 20,
    connectTimeoutMS: 10_000,
    // a 200 to Adjust must mean durable, whatever the role's default; a stuck statement ends in a 503
    // rather than holding callbacks forever; timestamps travel as UTC
    extra: { options: '-c TimeZone=UTC -c synchronous_commit=on -c statement_timeout=30000', onConnect },
  });
}

export function warehouseDataSource(url: string, engine: WarehouseEngine, statementTimeoutMs: number, onConnect?: OnConnect): DataSource {
  const redshift = engine === 'redshift';
  return new DataSource({
    type: 'postgres',
    url: redshift ? redshiftToPostgresUrl(url) : url,
    // Redshift takes TLS connections and speaks the PostgreSQL protocol, without its extensions
    ssl: redshift ? true : undefined,
    installExtensions: false,
    applicationName: WAREHOUSE_APPLICATION_NAME,
    poolSize: 5,
    connectTimeoutMS: 10_000,
    // session settings and TCP keepalive (warehouse-settings.ts)
    extra: { ...warehouseDriverOptions(engine, statementTimeoutMs), types: WAREHOUSE_TYPES, onConnect },
  });
}

// TIMESTAMP (without time zone) holds UTC in the warehouse: read it as UTC, whatever the process's
// zone; DATE stays a YYYY-MM-DD string rather than a local midnight.
const TIMESTAMP_OID = 1114;
const DATE_OID = 1082;
const WAREHOUSE_TYPES = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === TIMESTAMP_OID) return (text: string) => new Date(`${text.replace(' ', 'T')}Z`);
    if (oid === DATE_OID) return (text: string) => text;
    return pg.types.getTypeParser(oid, format);
  },
};

// Creates a database the service owns by name when it does not exist yet; connecting to it first means
// a role without rights on the `postgres` database works once the database exists.
async function ensureDatabase(serverUrl: string, name: string): Promise<void> {
  const probe = new pg.Client({ connectionString: withDatabase(serverUrl, name) });
  const missing = await probe.connect().then(
    () => false,
    (error: { code?: string }) => {
      if (error.code !== INVALID_CATALOG_NAME) throw error;
      return true;
    },
  );
  await probe.end().catch(() => undefined);
  if (!missing) return;
  const admin = new pg.Client({ connectionString: withDatabase(serverUrl, 'postgres') });
  await admin.connect();
  try {
    // the name is a constant of this file, never user input; a replica may create it at the same moment
    await admin.query(`CREATE DATABASE ${name}`).catch((error: { code?: string }) => {
      if (error.code !== DUPLICATE_DATABASE) throw error;
    });
  } finally {
    await admin.end();
  }
}

const INVALID_CATALOG_NAME = '3D000';
const DUPLICATE_DATABASE = '42P04';

function redshiftToPostgresUrl(url: string): string {
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
function redact(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}
