import type pg from 'pg';
import { utcTimestamp } from '../../database/pg-client.js';
import type { SqlCatalog } from '../../database/sql-catalog.js';
import type { EtlMode } from '../etl-run.js';
import type { Manifest } from '../stage/manifest.js';

// What one session needs from a connection; the Redshift statement tests record through it.
export type SqlClient = Pick<pg.ClientBase, 'query'>;

export type LoadRecord = {
  runId: number;
  mode: EtlMode;
  loadedAt: Date;
  resumeAfterId: string;
  dataThrough: Date | null;
  rowsLoaded: number;
};

export type MergePlan = {
  runId: number;
  mode: EtlMode;
  // window mode: every warehouse row created at or after this is replaced
  windowStart: Date | null;
  // every source row after this id was extracted (see delete-after-id.sql)
  afterId: string;
  stagedRows: number;
  resumeAfterId: string;
  dataThrough: Date | null;
  loadedAt: Date;
};

// How the staged parts reach stage_adjust. PostgreSQL reads each part back and copies it as soon as it
// is written, beside the extract; Redshift copies them all from the manifest once it exists.
export interface StageLoad {
  partWritten(url: string): void;
  // the manifest, or null when the extract was empty; resolves once stage_adjust holds every part
  complete(staged: { url: string; manifest: Manifest } | null): Promise<void>;
  // the run failed before complete(): stop loading
  abort(error: Error): void;
}

// Load records are read back only for the latest one; older ones are kept a while for inspection.
const LOAD_RECORD_DAYS = 30;

// One run's session with the warehouse: a single connection, because the staging table is temporary
// and the merge is one transaction. Subclasses differ only where the engines do.
export abstract class WarehouseSession {
  constructor(
    protected readonly client: SqlClient,
    protected readonly sql: SqlCatalog,
  ) {}

  // starts loading stage_adjust (created first) with the parts the run is about to write
  abstract beginLoad(): StageLoad;
  // ANALYZE/VACUUM, outside any transaction (both engines refuse VACUUM inside one)
  protected abstract maintenanceStatements(): string[];
  protected abstract lockLoadsStatement(): string;

  async lastLoad(): Promise<LoadRecord | null> {
    const { rows } = await this.client.query(this.sql.get('etl/warehouse/last-load'));
    if (rows.length === 0) return null;
    const row = rows[0];
    return {
      runId: Number(row.run_id),
      mode: row.mode,
      loadedAt: row.loaded_at,
      resumeAfterId: String(row.resume_after_id),
      dataThrough: row.data_through,
      rowsLoaded: Number(row.rows_loaded),
    };
  }

  async createStage(): Promise<void> {
    await this.client.query(this.sql.get('etl/warehouse/create-stage'));
  }

  async dropStage(): Promise<void> {
    await this.client.query(this.sql.get('etl/warehouse/drop-stage'));
  }

  // One transaction: readers see the old rows or the new ones, never a gap or a duplicate, and the
  // resume point moves with the rows. Nothing in it commits implicitly (no TRUNCATE, no VACUUM).
  // `beforeCommit` runs inside it (rollups, tests' fault injection).
  async merge(plan: MergePlan, beforeCommit: (client: SqlClient) => Promise<void>): Promise<void> {
    await this.client.query('BEGIN');
    try {
      await this.client.query(this.lockLoadsStatement());
      await this.replaceRows(plan);
      await this.recordLoad(plan);
      await beforeCommit(this.client);
      await this.client.query('COMMIT');
    } catch (error) {
      await this.client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  }

  async maintainIfDue(runId: number, now: Date, intervalMs: number): Promise<boolean> {
    const { rows } = await this.client.query(this.sql.get('etl/warehouse/last-maintained'));
    const last: Date | null = rows[0]?.maintained_at ?? null;
    if (last && now.getTime() - last.getTime() < intervalMs) return false;
    for (const statement of this.maintenanceStatements()) await this.client.query(statement);
    await this.client.query(this.sql.get('etl/warehouse/mark-maintained'), [runId]);
    return true;
  }

  // Deletes what the extract read again, by the extract's own bounds (no join with the staged rows),
  // then inserts the staged rows.
  private async replaceRows(plan: MergePlan): Promise<void> {
    if (plan.mode === 'rebuild') {
      await this.client.query(this.sql.get('etl/warehouse/delete-all'));
    } else {
      if (plan.windowStart) await this.client.query(this.sql.get('etl/warehouse/delete-window'), [utcTimestamp(plan.windowStart)]);
      await this.client.query(this.sql.get('etl/warehouse/delete-after-id'), [plan.afterId]);
    }
    if (plan.stagedRows > 0) await this.client.query(this.sql.get('etl/warehouse/insert-staged'));
  }

  private async recordLoad(plan: MergePlan): Promise<void> {
    await this.client.query(this.sql.get('etl/warehouse/record-load'), [
      plan.runId,
      plan.mode,
      utcTimestamp(plan.loadedAt),
      plan.resumeAfterId,
      plan.dataThrough ? utcTimestamp(plan.dataThrough) : null,
      plan.stagedRows,
    ]);
    const cutOff = new Date(plan.loadedAt.getTime() - LOAD_RECORD_DAYS * 86_400_000);
    await this.client.query(this.sql.get('etl/warehouse/prune-loads'), [utcTimestamp(cutOff)]);
  }
}
