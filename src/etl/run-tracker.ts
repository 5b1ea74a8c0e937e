import type { Logger } from '@nestjs/common';
import type { EtlMetrics } from '../observability/etl-metrics.js';
import type { EtlRunRepository } from './etl-run.repository.js';
import type { EtlCounts, EtlRunRequest, EtlStep } from './etl-run.js';
import { RunProgress, type RunProgressView } from './run-progress.js';

export type EtlProgress = { runId: number; step: EtlStep; rowsDone: number; rowsTotal: number | null; progress: RunProgressView };
export type ProgressListener = (progress: EtlProgress) => void;

// A long step's progress reaches the run's record at most this often (and at every step's end).
const SAVE_PROGRESS_MS = 1_000;

// A step's failure, worded for the run record: which step, and what was unreachable or wrong.
class EtlStepError extends Error {
  constructor(
    readonly step: EtlStep,
    cause: unknown,
  ) {
    super(`${step} failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

// One run's counts and step timings, saved to its record after each step and logged with its id.
export class RunTracker {
  readonly counts: EtlCounts = {
    rowsExtracted: 0,
    rowsLoaded: 0,
    stagedFiles: 0,
    stagedBytes: 0,
    daysRefreshed: [],
    stepMs: {},
    rollupMs: {},
  };
  private rowsTotal: number | null = null;
  private readonly progress = new RunProgress(Date.now());
  private progressSavedAt = 0;
  private saving: Promise<void> | null = null;
  private nextSave: NodeJS.Timeout | null = null;
  private rollupStatement: { name: string; startedAt: number } | null = null;
  // inside a step that runs a load's steps again (a repair's catch-up, within its swap)
  private nested = false;

  constructor(
    readonly id: number,
    readonly request: EtlRunRequest,
    private readonly runs: EtlRunRepository,
    private readonly logger: Logger,
    private readonly metrics: EtlMetrics,
    private readonly listener?: ProgressListener,
  ) {}

  async step<T>(step: EtlStep, work: () => Promise<T>): Promise<T> {
    if (this.nested) return work();
    const started = performance.now();
    this.progress.enter(step);
    this.report(step, 0);
    try {
      return await work();
    } catch (error) {
      throw error instanceof EtlStepError ? error : new EtlStepError(step, error);
    } finally {
      const ms = Math.round(performance.now() - started);
      this.counts.stepMs[step] = ms;
      this.metrics.stepFinished(step, ms / 1000);
      // loads follow each other every few seconds: their steps are for debugging, their ends are logged
      this.logger.debug(`run ${this.id}: ${step} took ${ms} ms`);
      if (this.nextSave) clearTimeout(this.nextSave);
      this.nextSave = null;
      await this.saving;
      await this.save();
    }
  }

  // A load's steps run again inside the current step (a repair's catch-up, in its swap): their rows and
  // statement times add to the run's, their step times and progress stay the current step's.
  async within<T>(work: () => Promise<T>): Promise<T> {
    const { rowsExtracted, rowsLoaded, stagedFiles, stagedBytes, daysRefreshed } = this.counts;
    this.nested = true;
    try {
      return await work();
    } finally {
      this.nested = false;
      this.counts.rowsExtracted += rowsExtracted;
      this.counts.rowsLoaded += rowsLoaded;
      this.counts.stagedFiles += stagedFiles;
      this.counts.stagedBytes += stagedBytes;
      this.counts.daysRefreshed = [...new Set([...daysRefreshed, ...this.counts.daysRefreshed])].sort();
    }
  }

  // The run repairs beside the live warehouse: its progress has the steps of one.
  besideLive(): void {
    this.progress.besideLive();
  }

  // What the current step waits for (the swap, for the load holding the ETL lease).
  describe(detail: string): void {
    this.progress.advance(0, detail);
    this.told(this.progress.view().phase, 0);
  }

  progressNow(): RunProgressView {
    return this.progress.view();
  }

  // The run's steps are done: the record says 100 %.
  finish(): RunProgressView {
    this.progress.finish();
    return this.progress.view();
  }

  expectRows(total: number): void {
    this.rowsTotal = total;
  }

  // The extract's rows so far.
  report(step: EtlStep, rowsDone: number): void {
    if (this.nested) return;
    if (step === 'extract' && this.rowsTotal)
      this.progress.advance(rowsDone / this.rowsTotal, `${rowsDone.toLocaleString('en')} of ${this.rowsTotal.toLocaleString('en')} rows`);
    this.told(step, rowsDone);
  }

  // The rollups' statements so far: the weight of those done, of all, and the one running (the one
  // before it has just ended: its time is counted).
  reportRollups(done: number, total: number, current: string | null): void {
    const now = performance.now();
    if (this.rollupStatement) {
      const { name, startedAt } = this.rollupStatement;
      this.counts.rollupMs[name] = (this.counts.rollupMs[name] ?? 0) + Math.round(now - startedAt);
    }
    this.rollupStatement = current === null ? null : { name: current, startedAt: now };
    if (this.nested) return;
    this.progress.advance(total > 0 ? done / total : 1, current);
    this.told('rollups', 0);
  }

  private told(step: EtlStep, rowsDone: number): void {
    const progress = this.progress.view();
    this.listener?.({ runId: this.id, step, rowsDone, rowsTotal: this.rowsTotal, progress });
    this.saveSoon();
  }

  // The record follows at most every SAVE_PROGRESS_MS, and always gets the latest progress: a statement
  // that runs for minutes is in the record a second after it began.
  private saveSoon(): void {
    if (this.nextSave) return;
    const wait = Math.max(0, this.progressSavedAt + SAVE_PROGRESS_MS - Date.now());
    this.nextSave = setTimeout(() => {
      this.nextSave = null;
      this.saving = (this.saving ?? Promise.resolve()).then(() => this.save()).finally(() => (this.saving = null));
    }, wait);
    this.nextSave.unref();
  }

  // Never rejects: a record that misses one update gets the next.
  private async save(): Promise<void> {
    this.progressSavedAt = Date.now();
    await this.runs
      .updateProgress(this.id, this.counts, this.progress.view())
      .catch((error: Error) => this.logger.warn(`run ${this.id}: ${error.message}`));
  }
}
