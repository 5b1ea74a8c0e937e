import type { Writable } from 'node:stream';
import type pg from 'pg';
import { utcTimestamp } from '../../database/pg-client.js';
import { fillPlaceholders, type SqlCatalog } from '../../database/sql-catalog.js';
import { type EtlMode, replacesEveryRow } from '../etl-run.js';
import { bareName, oldOf, SHADOWED_TABLES, shadowOf, SWAPPED_TABLES } from './shadow-tables.js';

// What one session needs from a connection; the Redshift statement tests record through it.
export type SqlClient = Pick<pg.ClientBase, 'query'>;

// What the next run needs of the latest load: where to resume (the highest id its extract saw, and its
// snapshot; null for a load recorded before snapshots were), and the newest arrival loaded so far.
export type LoadRecord = { resumeAfterId: string; resumeSnapshot: string | null; dataThrough: Date | null };

// Which warehouse rows a run replaces, known before it extracts: every row after the extract's id
// bound, plus (window mode) every row created since the window's start, or (rebuild) every row.
// `keepLoadRows`: the load's own rows stay in the session's stage_adjust until the commit, for the
// rollups to add up (an arrival load that follows an earlier one).
export type ReplaceBounds = { mode: EtlMode; afterId: string; windowStart: Date | null; keepLoadRows: boolean };

// What the merge records, known once the extract is done.
export type MergePlan = ReplaceBounds & {
  runId: number;
  stagedRows: number;
  resumeAfterId: string;
  resumeSnapshot: string;
  dataThrough: Date | null;
  loadedAt: Date;
};

// What the merge did before the caller's work in its transaction: how many warehouse rows its deletes
// took out (the staged rows put them back). The caller's work (the rollups) may answer the first report
// day whose numbers changed, which the load record keeps (none: any day may have).
export type MergeOutcome = { replacedRows: number };
export type ChangedDays = { firstChangedDay: string | null };
export type BeforeCommit = (client: SqlClient, outcome: MergeOutcome) => Promise<ChangedDays | void>;

// One run's load, from its first part to its commit. Readers see the warehouse as it was until the
// commit; any failure before it (or a killed process) leaves it so.
export interface WarehouseLoad {
  // where the staged text also goes as the stager writes it, for a warehouse that reads it as it comes
  // (PostgreSQL's COPY … FROM STDIN); null: the warehouse reads the staged parts (Redshift's COPY from S3)
  readonly rows: Writable | null;
  // every part is written: the manifest's URL, or null when the extract was empty
  loadStaged(manifestUrl: string | null): Promise<void>;
  // records the load, runs `beforeCommit` (rollups, fault injection) and commits
  commit(plan: MergePlan, beforeCommit: BeforeCommit): Promise<void>;
  abort(error: Error): void;
}

// Load records are read back only for the latest one; older ones are kept a while for inspection.
const LOAD_RECORD_DAYS = 30;

// One run's session with the warehouse: a single connection, because the merge is one transaction.
// Subclasses differ only where the engines do: how the parts are copied in, the lock, maintenance.
export abstract class WarehouseSession {
  // rows the merge's deletes took out, which the staged rows put back
  private replacedRows = 0;

  constructor(
    protected readonly client: SqlClient,
    protected readonly sql: SqlCatalog,
  ) {}

  abstract beginLoad(bounds: ReplaceBounds): Promise<WarehouseLoad>;
  // ANALYZE/VACUUM, outside any transaction (both engines refuse VACUUM inside one); none: nothing to do
  protected abstract maintenanceStatements(): string[];
  protected abstract lockLoadsStatement(): string;
  // CREATE TABLE {shadow} LIKE {table}, with what the engine copies of it
  protected abstract createShadowStatement(): string;
  // a transaction whose statements all read one snapshot
  protected abstract snapshotTransactionStatement(): string;
  // ANALYZE {table}, outside a transaction
  protected abstract analyzeShadowStatement(): string;
  // run in a window run's copy transaction before {shadow} is filled; none: nothing to do
  protected abstract emptyShadowStatement(): string | null;
  // run inside the merge before the rollups read what it loaded; none: nothing to do
  protected abstract statisticsStatements(plan: MergePlan): string[];

  // After the session's work, before its connection goes back to the pool: the staging table goes.
  async cleanUp(): Promise<void> {
    await this.client.query(this.sql.get('etl/warehouse/drop-stage'));
  }

  async lastLoad(): Promise<LoadRecord | null> {
    const { rows } = await this.client.query(this.sql.get('etl/warehouse/last-load'));
    if (rows.length === 0) return null;
    const { resume_after_id: resumeAfterId, resume_snapshot: resumeSnapshot, data_through: dataThrough } = rows[0];
    return { resumeAfterId: String(resumeAfterId), resumeSnapshot, dataThrough };
  }

  // Whether the live warehouse has loads and built rollups: a repair then builds beside it (before,
  // there is nothing live to keep fresh, and a repair builds in place).
  async liveBuilt(): Promise<boolean> {
    if (!(await this.lastLoad())) return false;
    const { rows } = await this.client.query(this.sql.get('etl/warehouse/shadow/live-builds'));
    return Number(rows[0].builds) > 0;
  }

  // A repair's start: every table beside the live ones made afresh, whatever a repair killed midway left:
  // empty for a rebuild; for a window run, a copy of the live ones and of their latest load record, all
  // in one snapshot.
  async prepareShadow(copyLive: boolean): Promise<void> {
    for (const table of SWAPPED_TABLES) await this.dropTable(oldOf(table));
    for (const table of SHADOWED_TABLES) {
      await this.dropTable(shadowOf(table));
      await this.client.query(fillPlaceholders(this.createShadowStatement(), { table, shadow: shadowOf(table) }));
    }
    if (!copyLive) return;
    await this.client.query(this.snapshotTransactionStatement());
    await this.inMerge(async () => {
      const copy = this.sql.get('etl/warehouse/shadow/copy');
      const empty = this.emptyShadowStatement();
      for (const table of SWAPPED_TABLES) {
        if (empty) await this.client.query(fillPlaceholders(empty, { shadow: shadowOf(table) }));
        await this.client.query(fillPlaceholders(copy, { table, shadow: shadowOf(table) }));
      }
      await this.client.query(this.sql.get('etl/warehouse/shadow/copy-last-load'));
      await this.client.query('COMMIT');
    });
    await this.analyzeShadow();
  }

  // Statistics for the tables beside the live ones, once filled: new tables have none.
  async analyzeShadow(): Promise<void> {
    for (const table of SWAPPED_TABLES)
      await this.client.query(fillPlaceholders(this.analyzeShadowStatement(), { table: shadowOf(table) }));
  }

  // A repair's end: one short transaction, queued behind the live loads' merges like one of them, puts
  // the tables built beside the live ones in their place (renames: no rows move) and records the load.
  // Readers see the old warehouse or the repaired one. The replaced tables and the repair's bookkeeping
  // go after the commit (a kill before leaves them to the next repair's prepareShadow).
  async swapShadow(runId: number, mode: EtlMode, rowsLoaded: number): Promise<void> {
    await this.client.query('BEGIN');
    await this.inMerge(async () => {
      await this.client.query(this.lockLoadsStatement());
      const rename = this.sql.get('etl/warehouse/shadow/rename');
      for (const table of SWAPPED_TABLES) {
        await this.client.query(fillPlaceholders(rename, { table, name: bareName(oldOf(table)) }));
        await this.client.query(fillPlaceholders(rename, { table: shadowOf(table), name: bareName(table) }));
      }
      const recorded = await this.client.query(this.sql.get('etl/warehouse/shadow/record-load'), [runId, mode, rowsLoaded]);
      // its catch-up's record, beside the live tables: without it the swap would lose the resume point
      if (recorded.rowCount !== 1)
        throw new Error(`the repair's load record is missing beside the live tables (stg.load_next, run ${runId})`);
      await this.client.query(this.sql.get('etl/warehouse/shadow/delete-superseded'), [runId]);
      await this.client.query('COMMIT');
    });
  }

  // After the swap has committed: the tables it replaced and the repair's bookkeeping go. Never throws:
  // what stays (a view on a replaced table keeps it) is said in `left`, and the next repair drops it.
  async dropReplaced(): Promise<{ left: string[] }> {
    const left: string[] = [];
    for (const table of [...SWAPPED_TABLES.map(oldOf), ...SHADOWED_TABLES.map(shadowOf)]) {
      await this.dropTable(table).catch((error: Error) => left.push(`${table} (${error.message})`));
    }
    return { left };
  }

  // After a failed repair: the space its tables took goes back (a killed one's goes at the next repair).
  async dropShadow(): Promise<void> {
    for (const table of SHADOWED_TABLES) await this.dropTable(shadowOf(table));
  }

  private async dropTable(table: string): Promise<void> {
    await this.client.query(fillPlaceholders(this.sql.get('etl/warehouse/shadow/drop'), { table }));
  }

  async maintainIfDue(runId: number, now: Date, intervalMs: number): Promise<boolean> {
    const statements = this.maintenanceStatements();
    if (statements.length === 0) return false;
    const { rows } = await this.client.query(this.sql.get('etl/warehouse/last-maintained'));
    const last: Date | null = rows[0]?.maintained_at ?? null;
    if (last && now.getTime() - last.getTime() < intervalMs) return false;
    await this.assertMaintainable();
    for (const statement of statements) await this.client.query(statement);
    await this.client.query(this.sql.get('etl/warehouse/mark-maintained'), [runId]);
    return true;
  }

  // Throws when the maintenance statements would not do their work (nothing to check by default).
  protected async assertMaintainable(): Promise<void> {}

  // The merge's start: one transaction whose first statement queues merges behind each other, then the
  // deletes of every row the run replaces, by the extract's own bounds (no join with staged rows): all of
  // them for a rebuild and for a load without a resume point (a first load: every id is after 0).
  protected async openMerge(bounds: ReplaceBounds): Promise<void> {
    this.replacedRows = 0;
    await this.client.query('BEGIN');
    await this.inMerge(async () => {
      await this.client.query(this.lockLoadsStatement());
      if (replacesEveryRow(bounds)) {
        this.replacedRows = await this.replaceEveryRow();
        return;
      }
      if (bounds.windowStart) await this.replace(this.sql.get('etl/warehouse/delete-window'), [utcTimestamp(bounds.windowStart)]);
      await this.replace(this.sql.get('etl/warehouse/delete-after-id'), [bounds.afterId]);
    });
  }

  // Empties stg.adjust inside the merge transaction, returning how many rows it held. A DELETE: on
  // Redshift, TRUNCATE commits, which would break the merge's atomicity.
  protected async replaceEveryRow(): Promise<number> {
    const result = await this.client.query(this.sql.get('etl/warehouse/delete-all'));
    return result.rowCount ?? 0;
  }

  private async replace(statement: string, params: unknown[] = []): Promise<void> {
    const result = await this.client.query(statement, params);
    this.replacedRows += result.rowCount ?? 0;
  }

  // The merge's end: the caller's work (the rollups), then the load record (with the resume point), which
  // moves with the rows; it counts the rows that were not there before (a run that read rows again
  // changes nothing), and the first day the load changed.
  protected async closeMerge(plan: MergePlan, beforeCommit: BeforeCommit): Promise<void> {
    await this.inMerge(async () => {
      for (const statement of this.statisticsStatements(plan)) await this.client.query(statement);
      const changed = await beforeCommit(this.client, { replacedRows: this.replacedRows });
      await this.client.query(this.sql.get('etl/warehouse/record-load'), [
        plan.runId,
        plan.mode,
        utcTimestamp(plan.loadedAt),
        plan.resumeAfterId,
        plan.resumeSnapshot,
        plan.dataThrough ? utcTimestamp(plan.dataThrough) : null,
        plan.stagedRows,
        Math.max(0, plan.stagedRows - this.replacedRows),
        changed?.firstChangedDay ?? null,
      ]);
      const cutOff = new Date(plan.loadedAt.getTime() - LOAD_RECORD_DAYS * 86_400_000);
      await this.client.query(this.sql.get('etl/warehouse/prune-loads'), [utcTimestamp(cutOff)]);
      await this.client.query('COMMIT');
    });
  }

  protected async inMerge(work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (error) {
      await this.client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  }
}
