import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { SOURCE_DB } from '../database/connections.js';
import { SqlCatalog } from '../database/sql-catalog.js';
import type { RunProgressView } from './run-progress.js';
import { ETL_STEPS, type EtlCounts, type EtlMode, type EtlRunView, type EtlStatus, type EtlTrigger } from './etl-run.js';

type RunRow = {
  id: string;
  status: EtlStatus;
  trigger: EtlTrigger;
  mode: EtlMode;
  started_at: Date;
  finished_at: Date | null;
  rows_extracted: string;
  rows_loaded: string;
  staged_files: number;
  staged_bytes: string;
  days_refreshed: string[];
  step_ms: EtlCounts['stepMs'];
  rollup_ms: EtlCounts['rollupMs'] | null;
  progress: RunProgressView | null;
  error: string | null;
};

export type RunningProgress = { runId: number; mode: EtlMode; startedAt: string; progress: RunProgressView | null };

// The record of ETL runs (mob.etl_run in the source database, next to the lease).
@Injectable()
export class EtlRunRepository {
  constructor(
    @Inject(SOURCE_DB) private readonly db: DataSource,
    @Inject(SqlCatalog) private readonly sql: SqlCatalog,
  ) {}

  async start(trigger: EtlTrigger, mode: EtlMode): Promise<number> {
    const [row] = await this.db.query(this.sql.get('etl/runs/start'), [trigger, mode]);
    return Number(row.id);
  }

  async skip(trigger: EtlTrigger, mode: EtlMode, reason: string): Promise<number> {
    const [row] = await this.db.query(this.sql.get('etl/runs/skip'), [trigger, mode, reason]);
    return Number(row.id);
  }

  // Marks failed every other run of `modes` still recorded as running (their process died).
  async abandonOthers(id: number, modes: readonly EtlMode[]): Promise<void> {
    await this.db.query(this.sql.get('etl/runs/abandon-others'), [id, modes]);
  }

  async updateProgress(id: number, counts: EtlCounts, progress: RunProgressView): Promise<void> {
    await this.db.query(this.sql.get('etl/runs/update-progress'), [id, ...countParams(counts), JSON.stringify(progress)]);
  }

  async finish(
    id: number,
    status: 'succeeded' | 'failed',
    error: string | null,
    counts: EtlCounts,
    progress: RunProgressView,
  ): Promise<void> {
    await this.db.query(this.sql.get('etl/runs/finish'), [id, status, error, ...countParams(counts), JSON.stringify(progress)]);
  }

  async list(limit: number): Promise<EtlRunView[]> {
    const rows: RunRow[] = await this.db.query(this.sql.get('etl/runs/list'), [limit]);
    return rows.map(toView);
  }

  async get(id: number): Promise<EtlRunView | null> {
    const [row]: RunRow[] = await this.db.query(this.sql.get('etl/runs/get'), [id]);
    return row ? toView(row) : null;
  }

  // Seconds since the latest load (not skipped) started, on any replica; null before the first.
  async secondsSinceLastStart(): Promise<number | null> {
    const [row] = await this.db.query(this.sql.get('etl/runs/since-last-start'));
    return row ? Number(row.seconds_ago) : null;
  }

  // The run in progress with its progress, or null.
  async runningProgress(): Promise<RunningProgress | null> {
    const [row]: { id: string; mode: EtlMode; started_at: Date; progress: RunProgressView | null }[] = await this.db.query(
      this.sql.get('etl/runs/running-progress'),
    );
    return row ? { runId: Number(row.id), mode: row.mode, startedAt: row.started_at.toISOString(), progress: row.progress } : null;
  }

  async running(modes: readonly EtlMode[]): Promise<number | null> {
    const [row] = await this.db.query(this.sql.get('etl/runs/running'), [modes]);
    return row ? Number(row.id) : null;
  }
}

const countParams = (counts: EtlCounts) => [
  counts.rowsExtracted,
  counts.rowsLoaded,
  counts.stagedFiles,
  counts.stagedBytes,
  counts.daysRefreshed,
  JSON.stringify(counts.stepMs),
  JSON.stringify(counts.rollupMs),
];

// bigint columns arrive as strings from pg: the one place they become numbers
function toView(row: RunRow): EtlRunView {
  return {
    id: Number(row.id),
    status: row.status,
    trigger: row.trigger,
    mode: row.mode,
    startedAt: row.started_at.toISOString(),
    finishedAt: row.finished_at?.toISOString() ?? null,
    rowsExtracted: Number(row.rows_extracted),
    rowsLoaded: Number(row.rows_loaded),
    stagedFiles: row.staged_files,
    stagedBytes: Number(row.staged_bytes),
    daysRefreshed: row.days_refreshed,
    // jsonb keeps keys by length: put them back in step order
    stepMs: Object.fromEntries(ETL_STEPS.filter((step) => step in row.step_ms).map((step) => [step, row.step_ms[step]])),
    rollupMs: row.rollup_ms ?? {},
    progress: row.progress,
    error: row.error,
  };
}
