import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { SOURCE_DB } from '../database/connections.js';
import { SqlCatalog } from '../database/sql-catalog.js';
import { ACTIVITY_COLUMNS, type AdjustActivity } from './callback-parser.js';

export type RejectedCallback = { id: string; params: Record<string, unknown> };
export type ReplayOutcome = 'stored' | 'duplicate';

@Injectable()
export class CallbackRepository {
  private readonly insertActivitiesSql: string;
  private readonly insertRejectedSql: string;
  private readonly pendingRejectedSql: string;
  private readonly markReplayedSql: string;
  private readonly updateReasonSql: string;
  private readonly pruneRejectedSql: string;

  constructor(
    @Inject(SOURCE_DB) private readonly db: DataSource,
    @Inject(SqlCatalog) sql: SqlCatalog,
  ) {
    this.insertActivitiesSql = sql.get('collector/insert-activities');
    this.insertRejectedSql = sql.get('collector/insert-rejected');
    this.pendingRejectedSql = sql.get('collector/pending-rejected');
    this.markReplayedSql = sql.get('collector/mark-replayed');
    this.updateReasonSql = sql.get('collector/update-rejection-reason');
    this.pruneRejectedSql = sql.get('collector/prune-rejected');
  }

  // One statement and one commit for the whole batch. Returns the dedup keys (hex) that were new.
  async insertActivities(activities: AdjustActivity[]): Promise<Set<string>> {
    const columns = ACTIVITY_COLUMNS.map((column) =>
      activities.map((activity) => (column === 'extra' ? JSON.stringify(activity.extra) : activity[column])),
    );
    const rows: { dedup_key: Buffer }[] = await this.db.query(this.insertActivitiesSql, columns);
    return new Set(rows.map((row) => row.dedup_key.toString('hex')));
  }

  // Returns the id of the mob.rejected_callback row.
  async insertRejected(method: string, reason: string, rawQuery: string, params: Record<string, unknown>): Promise<string> {
    const rows: { id: string }[] = await this.db.query(this.insertRejectedSql, [method, reason, rawQuery, JSON.stringify(params)]);
    return rows[0].id;
  }

  async pendingRejected(afterId: string, limit: number): Promise<RejectedCallback[]> {
    return this.db.query(this.pendingRejectedSql, [afterId, limit]);
  }

  async markReplayed(id: string, outcome: ReplayOutcome): Promise<void> {
    await this.db.query(this.markReplayedSql, [id, outcome]);
  }

  async updateRejectionReason(id: string, reason: string): Promise<void> {
    await this.db.query(this.updateReasonSql, [id, reason]);
  }

  // Deletes up to `limit` refused callbacks received before `before`; returns how many it deleted.
  async pruneRejected(before: Date, limit: number): Promise<number> {
    // TypeORM answers a DELETE with [rows, count]
    const [, count] = (await this.db.query(this.pruneRejectedSql, [before, limit])) as [unknown[], number];
    return count;
  }
}
