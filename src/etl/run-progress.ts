import type { EtlStep } from './etl-run.js';

// How far a run has come, as its record, the command line and the dashboard show it: the step it is in,
// what in that step (the rollup statement, the rows extracted), the share of the whole run done, and an
// estimate of the time left.
export type RunProgressView = {
  phase: EtlStep;
  detail: string | null;
  percent: number;
  secondsLeft: number | null;
};

// The share of a run each step takes, rounded from rebuilds on a 2-core machine (at 1,000,000 activities
// the extract took about 35 % and the rollups 58 %; at 10,000,000, docs/benchmarks.md's ETL section, 40 %
// and 50 %): the extract streams the rows into the warehouse as it reads them, the load finishes that
// COPY, the merge replaces the warehouse rows and the rollups count them. A repair beside the live
// warehouse first prepares its tables (a window run copies the live ones) and ends with its catch-up and
// swap. An estimate: a run of a few new rows spends its time elsewhere, and it is brief.
const SHARES: Partial<Record<EtlStep, number>> = {
  prepare: 0.03,
  extract: 0.35,
  stage: 0.01,
  load: 0.04,
  merge: 0.05,
  rollups: 0.55,
  swap: 0.02,
};
const ALL_STEPS = Object.keys(SHARES) as EtlStep[];
// a load, or a repair that builds in place (the first build, with nothing live beside it)
const IN_PLACE_STEPS: EtlStep[] = ALL_STEPS.filter((step) => step !== 'prepare' && step !== 'swap');

// An estimate needs some work done to go on: before that share, and in the first second, there is none.
const MIN_SHARE_FOR_ESTIMATE = 0.01;
const MIN_SECONDS_FOR_ESTIMATE = 1;

// Tracks one run's progress: `enter` at each step, `advance` with the share of the current step done.
// The estimate of the time left assumes the rest goes at the pace of what is done: elapsed × left / done.
export class RunProgress {
  private phase: EtlStep = 'lease';
  private detail: string | null = null;
  private withinPhase = 0;
  private finished = false;
  private steps = IN_PLACE_STEPS;

  constructor(
    private readonly startedAt: number,
    private readonly now: () => number = Date.now,
  ) {}

  // The run is a repair beside the live warehouse: it has the steps of one.
  besideLive(): void {
    this.steps = ALL_STEPS;
  }

  // A step with no share (the lease before the run, the maintenance after it) leaves the progress as it is.
  enter(phase: EtlStep): void {
    if (this.finished || !this.steps.includes(phase)) return;
    this.phase = phase;
    this.detail = null;
    this.withinPhase = 0;
  }

  // `share` of the current step done (0 … 1), with what it is doing now.
  advance(share: number, detail: string | null = this.detail): void {
    if (this.finished) return;
    this.withinPhase = Math.min(1, Math.max(this.withinPhase, share));
    this.detail = detail;
  }

  // The run's steps are done (the record says how it ended): nothing after them moves it.
  finish(): void {
    this.finished = true;
    this.phase = this.steps.at(-1)!;
    this.detail = null;
    this.withinPhase = 1;
  }

  view(): RunProgressView {
    const done = this.share();
    const seconds = (this.now() - this.startedAt) / 1000;
    const estimate = done >= MIN_SHARE_FOR_ESTIMATE && seconds >= MIN_SECONDS_FOR_ESTIMATE && done < 1;
    return {
      phase: this.phase,
      detail: this.detail,
      // rounded down to a tenth (100 only when done), past the sums' floating-point dust
      percent: Math.floor(done * 1000 + 1e-6) / 10,
      secondsLeft: done >= 1 ? 0 : estimate ? Math.round((seconds * (1 - done)) / done) : null,
    };
  }

  // The shares of the steps before the current one, and the done part of the current one. The merge's
  // share ends where the rollups (which run inside it) begin; the rollups (or a repair's swap) end the run.
  private share(): number {
    const index = this.steps.indexOf(this.phase);
    if (index < 0) return 0;
    const before = this.steps.slice(0, index).reduce((sum, step) => sum + SHARES[step]!, 0);
    const total = this.steps.reduce((sum, step) => sum + SHARES[step]!, 0);
    return Math.min(1, (before + SHARES[this.phase]! * this.withinPhase) / total);
  }
}

// An estimate is rough: whole seconds under a minute, then whole minutes.
export function timeLeft(seconds: number): string {
  return seconds < 60 ? `about ${seconds} s left` : `about ${Math.round(seconds / 60)} min left`;
}
