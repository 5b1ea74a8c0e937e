import { fillPlaceholders, type SqlCatalog } from '../../database/sql-catalog.js';
import { ACTIVE_CHANGE, ACTIVE_DEVICE_WORK, DAILY_COUNTS, DAILY_INSTALLS } from '../rollups/rollup-tables.js';
import { type ReplaceBounds, type SqlClient, type WarehouseLoad, WarehouseSession } from './warehouse-session.js';

export type RedshiftCopyOptions = { iamRole: string; region?: string };

// Tables loads change by DELETE besides stg.adjust: their deleted rows stay until a VACUUM.
export const VACUUMED_TABLES = [DAILY_INSTALLS.table, DAILY_COUNTS.table, ACTIVE_DEVICE_WORK.table, ACTIVE_CHANGE.table, 'stg.load'];

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
    return {
      partWritten: () => undefined,
      loadStaged: async (manifestUrl) => {
        if (manifestUrl) await this.copyStage(manifestUrl);
      },
      commit: async (plan, beforeCommit) => {
        await this.openMerge(bounds);
        if (plan.stagedRows > 0)
          await this.inMerge(() => this.client.query(this.sql.get('etl/warehouse/insert-staged')).then(() => undefined));
        await this.closeMerge(plan, beforeCommit);
      },
      abort: () => undefined,
    };
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

  protected lockLoadsStatement(): string {
    return this.sql.get('etl/warehouse/redshift/lock-loads');
  }

  // Redshift keeps stg.adjust's statistics with its automatic analyze, and the daily ANALYZE after it.
  protected statisticsStatements(): string[] {
    return [];
  }

  protected maintenanceStatements(): string[] {
    const vacuumTable = this.sql.get('etl/warehouse/redshift/vacuum-table');
    return [
      this.sql.get('etl/warehouse/redshift/vacuum'),
      ...VACUUMED_TABLES.map((table) => fillPlaceholders(vacuumTable, { table })),
      this.sql.get('etl/warehouse/redshift/analyze'),
    ];
  }

  // the first rejected rows, so the run's error says which file, line and column failed and why
  private async loadErrors(): Promise<string> {
    try {
      const { rows } = await this.client.query(this.sql.get('etl/warehouse/redshift/load-errors'));
      const lines = rows.map(
        (row) =>
          `${String(row.file_name).trim()} line ${row.line_number}, column ${String(row.column_name).trim()}: ${String(row.error_message).trim()}`,
      );
      return lines.length > 0 ? `; first rejected rows: ${lines.join(' | ')}` : '';
    } catch {
      return '';
    }
  }
}
