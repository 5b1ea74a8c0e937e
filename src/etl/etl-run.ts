import type { RunProgressView } from './run-progress.js';

// The vocabulary of ETL runs, shared by the service, its record and its API.
export const ETL_MODES = ['arrival', 'window', 'rebuild'] as const;
export type EtlMode = (typeof ETL_MODES)[number];
// who started a run: the schedules, the API, the command line, or the demo's load of its history
export const ETL_TRIGGERS = ['schedule', 'reconcile', 'api', 'cli', 'demo'] as const;
export type EtlTrigger = (typeof ETL_TRIGGERS)[number];
export type EtlStatus = 'running' | 'succeeded' | 'failed' | 'skipped';
// `prepare` and `swap` are a repair's beside the live warehouse: the tables it builds made ready, and
// its catch-up with the loads that landed meanwhile and the swap
export const ETL_STEPS = ['lease', 'prepare', 'extract', 'stage', 'load', 'merge', 'rollups', 'swap', 'maintain'] as const;
export type EtlStep = (typeof ETL_STEPS)[number];

export type EtlRunRequest = { trigger: EtlTrigger; mode: EtlMode; windowDays?: number };
// Window runs and rebuilds repair the warehouse; arrival loads keep it fresh.
export const isRepair = (mode: EtlMode) => mode !== 'arrival';
// A rebuild replaces every warehouse row, and so does a load without a resume point (a first load): its
// extract reads every source row, every id being after 0.
export const replacesEveryRow = ({ mode, afterId }: { mode: EtlMode; afterId: string }) => mode === 'rebuild' || afterId === '0';

// What a run has done so far; written to its record after every step.
export type EtlCounts = {
  rowsExtracted: number;
  rowsLoaded: number;
  stagedFiles: number;
  stagedBytes: number;
  daysRefreshed: string[];
  stepMs: Partial<Record<EtlStep, number>>;
  // the rollup step's statements (sql/metrics/refresh/<name>.sql, work tables and merges), in the order
  // they first ran, with their milliseconds summed
  rollupMs: Record<string, number>;
};

export type EtlRunView = EtlCounts & {
  // how far it has come (null: a run recorded before progress was, or skipped)
  progress: RunProgressView | null;
  id: number;
  status: EtlStatus;
  trigger: EtlTrigger;
  mode: EtlMode;
  startedAt: string;
  finishedAt: string | null;
  error: string | null;
};

// Test seam: called after each step (for the merge: before its commit). Throwing fails the run there.
export const ETL_STEP_HOOK = Symbol('ETL_STEP_HOOK');
export type EtlStepHook = (step: EtlStep, runId: number) => Promise<void> | void;
