import { fillPlaceholders, type SqlCatalog } from '../../database/sql-catalog.js';
import { ROLLUP_TABLES } from '../rollups/rollup-tables.js';
import { type ReplaceBounds, type SqlClient, type WarehouseLoad, WarehouseSession } from './warehouse-session.js';

export type RedshiftCopyOptions = { iamRole: string; region?: string };

// How often the load's session runs a trivial statement while the extract keeps it waiting: below
// Redshift's shortest SESSION TIMEOUT a user may have (60 s, r_ALTER_USER).
export const IDLE_PING_MS = 45_000;
// Where a failed COPY's rejected rows are: STL on provisioned clusters, SYS on Serverless (and both).
const LOAD_ERROR_SOURCES = ['etl/warehouse/redshift/load-errors-stl', 'etl/warehouse/redshift/load-errors-sys'];
// Tables loads change by DELETE besides stg.adjust: their deleted rows stay until a VACUUM.
export const VACUUMED_TABLES = [...ROLLUP_TABLES, 'stg.load'];

// Amazon Redshift: COPY reads the staged parts from S3 itself, through the manifest, with the
// cluster's IAM role. Access keys never appear in a statement.
export class RedshiftWarehouseSession extends WarehouseSession {
  constructor(
    client: SqlClient,
    sql: SqlCatalog,
    private readonly options: RedshiftCopyOptions,
  ) {
    super(client, sql);
  }

  // AWS's merge recipe: COPY into a temporary staging table outside the transaction, then one
  // transaction that deletes the replaced rows and inserts the staged ones.
  async beginLoad(bounds: ReplaceBounds): Promise<WarehouseLoad> {
    await this.client.query(this.sql.get('etl/warehouse/create-stage'));
    const stopPinging = this.pingWhileWaiting();
    return {
      rows: null,
      loadStaged: async (manifestUrl) => {
        stopPinging();
        if (manifestUrl) await this.copyStage(manifestUrl);
      },
      commit: async (plan, beforeCommit) => {
        stopPinging();
        await this.openMerge(bounds);
        if (plan.stagedRows > 0)
          await this.inMerge(() => this.client.query(this.sql.get('etl/warehouse/insert-staged')).then(() => undefined));
        await this.closeMerge(plan, beforeCommit);
      },
      abort: () => stopPinging(),
    };
  }

  // A failed ping needs no handling here: a lost connection fails the COPY that follows.
  private pingWhileWaiting(): () => void {
    const ping = this.sql.get('etl/warehouse/redshift/keepalive');
    const timer = setInterval(() => void this.client.query(ping).catch(() => undefined), IDLE_PING_MS);
    timer.unref();
    return () => clearInterval(timer);
  }

  // fills stage_adjust with exactly the manifest's parts
  async copyStage(manifestUrl: string): Promise<void> {
    const statement = this.copyStatement(manifestUrl);
    try {
      await this.client.query(statement);
    } catch (error) {
      throw new Error(`Redshift COPY failed: ${(error as Error).message}${await this.loadErrors()}`, { cause: error });
    }
  }

  copyStatement(manifestUrl: string): string {
    if (!/^s3:\/\/[^'\\\s]+$/.test(manifestUrl)) throw new Error(`not an S3 manifest URL Redshift can read: ${manifestUrl}`);
    const values: Record<string, string> = {
      manifest_url: `'${manifestUrl}'`,
      // config validation allows only an ARN or the word default: nothing that needs escaping
      iam_role: this.options.iamRole === 'default' ? 'default' : `'${this.options.iamRole}'`,
      region: this.options.region ? `REGION '${this.options.region}'` : '',
    };
    return fillPlaceholders(this.sql.get('etl/warehouse/redshift/copy-stage'), values);
  }

  protected createShadowStatement(): string {
    return this.sql.get('etl/warehouse/redshift/create-shadow');
  }

  protected snapshotTransactionStatement(): string {
    // Redshift's transactions are serializable (or snapshot isolation): one snapshot from the first statement
    return 'BEGIN';
  }

  protected analyzeShadowStatement(): string {
    return this.sql.get('etl/warehouse/redshift/analyze-shadow');
  }

  // TRUNCATE commits on Redshift, which would end the copy's snapshot; the new tables are empty anyway
  protected emptyShadowStatement(): null {
    return null;
  }

  protected lockLoadsStatement(): string {
    return this.sql.get('etl/warehouse/redshift/lock-loads');
  }

  // Redshift keeps stg.adjust's statistics with its automatic analyze, and the daily ANALYZE after it.
  protected statisticsStatements(): string[] {
    return [];
  }

  // VACUUM and ANALYZE of a table this user does not own succeed doing nothing (r_VACUUM_command): the
  // maintenance is then not recorded, and the warning says whose tables they are.
  protected override async assertMaintainable(): Promise<void> {
    const { rows } = await this.client.query(this.sql.get('etl/warehouse/redshift/tables-not-owned'));
    if (rows.length === 0) return;
    const tables = rows.map((row) => String(row.table_name)).join(', ');
    throw new Error(`VACUUM and ANALYZE need the owner of ${tables}, which this user is not (docs/production.md): maintenance skipped`);
  }

  protected maintenanceStatements(): string[] {
    const vacuumTable = this.sql.get('etl/warehouse/redshift/vacuum-table');
    return [
      this.sql.get('etl/warehouse/redshift/vacuum'),
      ...VACUUMED_TABLES.map((table) => fillPlaceholders(vacuumTable, { table })),
      this.sql.get('etl/warehouse/redshift/analyze'),
    ];
  }

  // The first rejected rows, so the run's error says which file, line and column failed and why: from
  // the first error table that answers with rows (an error table that refuses the query is passed over).
  private async loadErrors(): Promise<string> {
    for (const name of LOAD_ERROR_SOURCES) {
      const rows = await this.client.query(this.sql.get(name)).then(
        (result) => result.rows,
        () => [],
      );
      if (rows.length > 0) return `; first rejected rows: ${rows.map(describeRejectedRow).join(' | ')}`;
    }
    return '';
  }
}

// Redshift pads CHAR columns with blanks.
function describeRejectedRow(row: Record<string, unknown>): string {
  const text = (value: unknown) => String(value).trim();
  return `${text(row.file_name)} line ${row.line_number}, column ${text(row.column_name)}: ${text(row.error_message)}`;
}
