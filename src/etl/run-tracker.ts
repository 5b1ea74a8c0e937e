import type { Logger } from '@nestjs/common';
import type { EtlMetrics } from '../observability/etl-metrics.js';
import type { EtlRunRepository } from './etl-run.repository.js';
import type { EtlCounts, EtlRunRequest, EtlStep } from './etl-run.js';

export type EtlProgress = { runId: number; step: EtlStep; rowsDone: number; rowsTotal: number | null };
export type ProgressListener = (progress: EtlProgress) => void;

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
  readonly counts: EtlCounts = { rowsExtracted: 0, rowsLoaded: 0, stagedFiles: 0, stagedBytes: 0, daysRefreshed: [], stepMs: {} };
  private rowsTotal: number | null = null;

  constructor(
    readonly id: number,
    readonly request: EtlRunRequest,
    private readonly runs: EtlRunRepository,
    private readonly logger: Logger,
    private readonly metrics: EtlMetrics,
    private readonly listener?: ProgressListener,
  ) {}

  async step<T>(step: EtlStep, work: () => Promise<T>): Promise<T> {
    const started = performance.now();
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
      await this.runs.updateProgress(this.id, this.counts).catch((error: Error) => this.logger.warn(`run ${this.id}: ${error.message}`));
    }
  }

  expectRows(total: number): void {
    this.rowsTotal = total;
  }

  report(step: EtlStep, rowsDone: number): void {
    this.listener?.({ runId: this.id, step, rowsDone, rowsTotal: this.rowsTotal });
  }
}
