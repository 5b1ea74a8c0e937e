import { PassThrough } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { fillPlaceholders, type SqlCatalog } from '../../database/sql-catalog.js';
import { replacesEveryRow } from '../etl-run.js';
import { type MergePlan, type ReplaceBounds, type WarehouseLoad, WarehouseSession } from './warehouse-session.js';

// The PostgreSQL stand-in. It cannot read S3; its COPY … FROM STDIN reads the staged text as the stager
// writes it, chunk by chunk: the same bytes, in the same order, that go into the gzip parts, without
// reading each part back and unzipping what was zipped a moment before. Its transactions hold a COPY,
// so the merge transaction opens first, deletes the rows the run replaces, and copies the rows in while
// the source's COPY streams them out: the two run on two cores at once. A first load, a window run or a
// rebuild copies straight into stg.adjust (every row written once); an arrival load copies into the
// session's stage_adjust, whose rows the rollups add up, then inserts them.
// Loads smaller than this leave the table's statistics about right; autovacuum catches up after them.
const ANALYZE_AT_ROWS = 100_000;
// lets the source's COPY and this one run at the same time instead of taking turns chunk by chunk
const STAGED_TEXT_SLACK_BYTES = 4 * 1024 * 1024;

export class PostgresWarehouseSession extends WarehouseSession {
  constructor(
    protected override readonly client: pg.PoolClient,
    sql: SqlCatalog,
  ) {
    super(client, sql);
  }

  async beginLoad(bounds: ReplaceBounds): Promise<WarehouseLoad> {
    await this.openMerge(bounds);
    if (bounds.keepLoadRows) await this.inMerge(() => this.run('etl/warehouse/create-stage'));
    // rows copied into the stg.adjust this transaction truncated are written frozen: nobody else can
    // see that table before the commit
    const statement = fillPlaceholders(this.sql.get('etl/warehouse/postgres/copy-rows'), {
      target: bounds.keepLoadRows ? 'stage_adjust' : 'stg.adjust',
      freeze: !bounds.keepLoadRows && replacesEveryRow(bounds) ? 'true' : 'false',
    });
    // a failed COPY destroys `rows`, which fails the stager's next write, or loadStaged(): it is never
    // left unhandled
    const rows = new PassThrough({ highWaterMark: STAGED_TEXT_SLACK_BYTES });
    const copied = pipeline(rows, this.client.query(copyFrom(statement)));
    copied.catch(() => undefined);
    return {
      rows,
      loadStaged: async () => {
        rows.end();
        await copied;
      },
      commit: async (plan, beforeCommit) => {
        if (bounds.keepLoadRows && plan.stagedRows > 0) await this.inMerge(() => this.run('etl/warehouse/insert-staged'));
        await this.closeMerge(plan, beforeCommit);
      },
      // the session is then released broken, which ends the open transaction
      abort: (error) => rows.destroy(error),
    };
  }

  // TRUNCATE instead of DELETE: transactional here, no dead rows left for VACUUM, and new table files,
  // which the COPY fills without WAL when the server runs with wal_level=minimal (sql/etl/warehouse/
  // postgres/truncate-rows.sql).
  protected override async replaceEveryRow(): Promise<number> {
    const { rows } = await this.client.query<{ row_count: string }>(this.sql.get('etl/warehouse/postgres/count-rows'));
    await this.run('etl/warehouse/postgres/truncate-rows');
    return Number(rows[0].row_count);
  }

  private async run(name: string): Promise<void> {
    await this.client.query(this.sql.get(name));
  }

  protected createShadowStatement(): string {
    return this.sql.get('etl/warehouse/postgres/create-shadow');
  }

  protected snapshotTransactionStatement(): string {
    return this.sql.get('etl/warehouse/postgres/begin-snapshot');
  }

  protected analyzeShadowStatement(): string {
    return this.sql.get('etl/warehouse/postgres/analyze-shadow');
  }

  protected emptyShadowStatement(): string {
    return this.sql.get('etl/warehouse/postgres/empty-shadow');
  }

  protected lockLoadsStatement(): string {
    return this.sql.get('etl/warehouse/postgres/lock-loads');
  }

  // A large load changes the table's statistics, which the rollups' plans need in the same transaction.
  protected statisticsStatements(plan: MergePlan): string[] {
    return plan.stagedRows >= ANALYZE_AT_ROWS ? [this.sql.get('etl/warehouse/postgres/analyze-loaded')] : [];
  }

  // PostgreSQL's autovacuum (on by default) already vacuums and analyses stg.adjust on its own cadence,
  // after enough rows changed; nothing to add after a load.
  protected maintenanceStatements(): string[] {
    return [];
  }
}
