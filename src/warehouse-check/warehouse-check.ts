import { Readable } from 'node:stream';
import type { DataSource } from 'typeorm';
import type { AppConfig } from '../config/app-config.js';
import { locateWarehouse, warehouseDataSource } from '../database/connections.js';
import { type CheckedOutClient, checkoutClient } from '../database/pg-client.js';
import { checkReportTimezone } from '../database/report-timezone.js';
import { fillPlaceholders, SqlCatalog } from '../database/sql-catalog.js';
import { RollupRefresh } from '../etl/rollups/rollup-refresh.js';
import type { StageStore } from '../etl/stage/stage-store.js';
import { openStageStore } from '../etl/stage/stage-stores.js';
import { Stager } from '../etl/stage/stager.js';
import { PostgresWarehouseSession } from '../etl/warehouse/postgres.warehouse.js';
import { RedshiftWarehouseSession } from '../etl/warehouse/redshift.warehouse.js';
import type { ReplaceBounds, WarehouseLoad, WarehouseSession } from '../etl/warehouse/warehouse-session.js';
import { CheckReport, CHECK_STEPS } from './check-steps.js';
import { checkPrivileges, checkSettings, whoAmI } from './check-session.js';
import { klipAnswers, klipMismatches } from './klip-check.js';
import { KLIPS } from '../metrics/klips.js';
import { CHECK_DAYS, CHECK_ROWS, CHECK_SETTINGS, knownFileText } from './known-answer.js';
import { scratchClient, ScratchSqlCatalog, scratchMigrations, scratchSchemaName } from './scratch.js';

// The check's load: an arrival load that keeps its rows in the session's stage_adjust on both engines,
// into empty tables, so the rollups are built from it.
const BOUNDS: ReplaceBounds = { mode: 'arrival', afterId: '0', windowStart: null, keepLoadRows: true };
// The run id the check's staged files and load record carry; no real run has it.
const CHECK_RUN_ID = 0;

type Opened = { dataSource: DataSource; client: CheckedOutClient; release: () => Promise<void> };

// npm run warehouse:check: the service's own load path, end to end, on the configured warehouse and
// stage, in a scratch schema and under a staged-run prefix of its own, both removed at the end whatever
// happened. Prints one line per step; resolves true only when every step passed.
export async function runWarehouseCheck(config: AppConfig, print: (line: string) => void): Promise<boolean> {
  return new WarehouseCheck(config, new CheckReport(print)).run(print);
}

class WarehouseCheck {
  private readonly sql = new SqlCatalog();
  private readonly schema = scratchSchemaName();
  private readonly scratchSql = new ScratchSqlCatalog(this.schema);
  private opened?: Opened;
  private schemaCreated = false;
  private store?: StageStore;
  private stagedPrefix?: string;
  private clientBroken = false;

  constructor(
    private readonly config: AppConfig,
    private readonly report: CheckReport,
  ) {}

  private get engine() {
    return this.config.warehouse.engine;
  }

  async run(print: (line: string) => void): Promise<boolean> {
    print(`Warehouse check (${this.engine}), stage ${this.config.stageUrl}, scratch schema ${this.schema}`);
    try {
      await this.steps();
    } finally {
      await this.report.step('clean-up', () => this.cleanUp());
    }
    print(this.report.summary());
    return this.report.passed;
  }

  private async steps(): Promise<void> {
    const identity = await this.report.step('connection', () => this.connect());
    if (!identity) return this.skipFrom('session settings', 'no connection');
    const client = this.opened!.client;
    await this.report.step('session settings', () =>
      checkSettings(client, this.sql, this.engine, this.config.warehouse.statementTimeoutMs),
    );
    await this.report.step('privileges', () => checkPrivileges(client, this.sql, identity.user));
    await this.report.step('time zone', () => this.checkTimezone(client));
    if (!(await this.report.step('scratch schema', () => this.createScratch(client)))) return this.skipFrom('stage', 'no scratch schema');
    const scratch = scratchClient(client, this.schema);
    const staged = await this.report.step('stage', () => this.stage(scratch));
    if (!staged) return this.skipFrom('copy', 'nothing staged');
    const load = await this.report.step('copy', () => this.copy(scratch, staged));
    if (!load) return this.skipFrom('merge and rollups', 'nothing loaded');
    if (!(await this.report.step('merge and rollups', () => this.merge(scratch, load)))) return this.skipFrom('klips', 'no rollups');
    await this.report.step('klips', () => this.compareKlips(scratch));
  }

  private skipFrom(first: (typeof CHECK_STEPS)[number], because: string): void {
    for (const step of CHECK_STEPS.slice(CHECK_STEPS.indexOf(first), -1)) this.report.skip(step, because);
  }

  private async connect() {
    const located = await locateWarehouse(this.config);
    const dataSource = warehouseDataSource(located.url, this.engine, this.config.warehouse.statementTimeoutMs);
    try {
      await dataSource.initialize();
      const client = await checkoutClient(dataSource);
      this.opened = { dataSource, client, release: located.release };
    } catch (error) {
      if (dataSource.isInitialized) await dataSource.destroy();
      await located.release();
      throw new Error(`${located.describe}: ${(error as Error).message}`, { cause: error });
    }
    const { value, detail } = await whoAmI(this.opened.client, this.sql, this.engine);
    return { value, detail: `${located.describe}: ${detail}` };
  }

  private async checkTimezone(client: CheckedOutClient) {
    const zone = this.config.report.timezone;
    await checkReportTimezone(async (statement) => (await client.query(statement)).rows, this.sql, zone);
    return { value: undefined, detail: `REPORT_TIMEZONE ${zone} is in the warehouse's zone list` };
  }

  private async createScratch(client: CheckedOutClient) {
    const migrations = scratchMigrations(this.engine, this.schema);
    this.schemaCreated = true;
    for (const statement of migrations) await client.query(statement);
    return { value: true, detail: `${this.schema}, with the tables of the service's ${migrations.length} warehouse migrations` };
  }

  // The known file, through the service's own stage writer, under a staged-run prefix of the check's own.
  // The load begins first, as a run's does: PostgreSQL's COPY reads the text as the stager writes it.
  private async stage(client: CheckedOutClient) {
    this.store = openStageStore(this.config.stageUrl, this.config.s3);
    const stager = new Stager(this.store, this.config);
    const prefix = stager.runPrefix(CHECK_RUN_ID, new Date());
    this.clientBroken = true;
    const load = await this.session(client).beginLoad(BOUNDS);
    try {
      const parts = await stager.writeParts(prefix, Readable.from([Buffer.from(knownFileText())]), () => undefined, load.rows);
      // from here on there are files to delete (the store aborts a failed upload itself)
      this.stagedPrefix = prefix;
      const manifestUrl = await stager.writeManifest(prefix, parts);
      const bytes = parts.reduce((sum, part) => sum + part.bytes, 0);
      return { value: { load, manifestUrl }, detail: `${parts.length} gzip part (${bytes} bytes) and its manifest at ${manifestUrl}` };
    } catch (error) {
      load.abort(error as Error);
      throw error;
    }
  }

  // COPY with the role (Redshift) or the stand-in's COPY FROM STDIN of the text as it was staged.
  private async copy(client: CheckedOutClient, { load, manifestUrl }: { load: WarehouseLoad; manifestUrl: string }) {
    try {
      await load.loadStaged(manifestUrl);
    } catch (error) {
      load.abort(error as Error);
      throw error;
    }
    const { rows } = await client.query(this.sql.get('check/count-staged'));
    const staged = Number(rows[0].staged);
    if (staged !== CHECK_ROWS) throw new Error(`COPY staged ${staged} rows of the known file's ${CHECK_ROWS}`);
    const how = this.engine === 'redshift' ? `COPY … IAM_ROLE from ${manifestUrl}` : 'COPY … FROM STDIN of the text as it was staged';
    return { value: load, detail: `${staged} rows staged by ${how}` };
  }

  private session(client: CheckedOutClient): WarehouseSession {
    if (this.engine === 'postgres') return new PostgresWarehouseSession(client, this.scratchSql);
    return new RedshiftWarehouseSession(client, this.scratchSql, { iamRole: this.config.redshiftIamRole!, region: this.config.s3.region });
  }

  private async merge(client: CheckedOutClient, load: WarehouseLoad) {
    let days: string[] = [];
    const plan = {
      ...BOUNDS,
      runId: CHECK_RUN_ID,
      stagedRows: CHECK_ROWS,
      resumeAfterId: String(CHECK_ROWS),
      resumeSnapshot: '1:1:',
      dataThrough: new Date(`${CHECK_DAYS.at(-1)}T13:00:00Z`),
      loadedAt: new Date(),
    };
    await load.commit(plan, async (merging) => {
      const request = { ...plan, days: CHECK_DAYS, rows: CHECK_ROWS, loadRowsKept: true, replacedRows: 0 };
      days = await new RollupRefresh(merging, this.scratchSql, CHECK_SETTINGS).run(request);
      return { firstChangedDay: days[0] ?? null };
    });
    await this.session(client).cleanUp();
    this.clientBroken = false;
    return { value: true, detail: `${CHECK_ROWS} rows merged in one transaction; rollups built for ${days.join(', ')}` };
  }

  private async compareKlips(client: CheckedOutClient) {
    const mismatches = await klipMismatches(klipAnswers(client, this.scratchSql));
    if (mismatches.length > 0) throw new Error(mismatches.join('; '));
    return {
      value: true,
      detail: `every klip's SQL answers the known file's numbers (${KLIPS.join(', ')})`,
    };
  }

  // A fresh connection when the check's own may be mid-COPY or in a failed transaction.
  private async cleanUp() {
    const done: string[] = [];
    if (this.opened) {
      const { dataSource, client, release } = this.opened;
      try {
        client.release(this.clientBroken);
        if (this.schemaCreated) {
          const dropping = await checkoutClient(dataSource);
          try {
            await dropping.query(fillPlaceholders(this.sql.get('check/drop-schema'), { schema: this.schema }));
          } finally {
            dropping.release();
          }
          done.push(`dropped schema ${this.schema}`);
        }
      } finally {
        await dataSource.destroy();
        await release();
      }
    }
    if (this.store && this.stagedPrefix) {
      await this.store.deletePrefix(this.stagedPrefix);
      done.push(`deleted the staged files under ${this.store.urlOf(this.stagedPrefix)}`);
    }
    return { value: true, detail: done.length > 0 ? done.join('; ') : 'nothing to remove' };
  }
}
