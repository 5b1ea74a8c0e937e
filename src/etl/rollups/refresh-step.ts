import type { AppConfig } from '../../config/app-config.js';
import type { EtlMode } from '../etl-run.js';
import { insertValues, type RefreshQueries } from './refresh-queries.js';
import { createWork, mergeWork, type RollupTable, type WorkTable } from './rollup-tables.js';

export type RollupSettings = AppConfig['report'];

// What a load brought, by the merge's own bounds: its rows' own days, in window mode every day of the
// window; how many rows, whether they wait in the session's stage_adjust, and how many warehouse rows its
// deletes replaced.
export type RollupRefreshRequest = {
  runId: number;
  mode: EtlMode;
  afterId: string;
  windowStart: Date | null;
  days: string[];
  rows: number;
  loadRowsKept: boolean;
  replacedRows: number;
};

// Days whose every activity is recounted, and days whose installs alone are.
export type RecountDays = { activities: string[]; installs: string[] };

// What a refresh knows as it walks its steps: the run's request and settings, and what the steps that
// read rows found out.
export type RefreshState = {
  readonly settings: RollupSettings;
  readonly request: RollupRefreshRequest;
  // a recount's or full build's days
  days: RecountDays;
  // the days whose active-window changes move (those of new or recounted active devices)
  activeDays: { first: string; last: string } | null;
  // whether REGISTRATION_EVENTS differs from what the warehouse holds
  eventsChanged: boolean;
  // the days whose numbers the refresh moved, besides the load's own
  moved: string[];
};

type Rows = Record<string, unknown>[];
type Condition = (state: RefreshState) => boolean;

// One step of a refresh, run only `when` its condition holds: a statement of sql/metrics/refresh (with
// parameters from the state, and rows the state learns from), a work table created, a work table merged
// into its rollup, a filled statement run once per value, a multi-row INSERT, or a group of steps.
export type Step = { when?: Condition } & (
  | { sql: string; params?: (state: RefreshState) => unknown[]; read?: (rows: Rows, state: RefreshState) => void }
  | { create: WorkTable }
  | { merge: RollupTable }
  | { filled: string; each: Record<string, string>[] }
  | { values: string; width: number; perInsert: number; rows: (state: RefreshState) => unknown[][] }
  | { steps: Step[] }
);

// A statement step; its name is relative to sql/metrics, as RefreshQueries runs it.
export function step(sql: string, options: Omit<Extract<Step, { sql: string }>, 'sql'> = {}): Step {
  return { sql, ...options };
}

// Runs the steps in order, each whose condition holds.
export async function walkSteps(queries: RefreshQueries, steps: Step[], state: RefreshState): Promise<void> {
  for (const current of steps) {
    if (current.when && !current.when(state)) continue;
    if ('steps' in current) await walkSteps(queries, current.steps, state);
    else if ('create' in current) await createWork(queries, current.create);
    else if ('merge' in current) await mergeWork(queries, current.merge);
    else if ('filled' in current) for (const placeholders of current.each) await queries.runFilled(current.filled, placeholders);
    else if ('values' in current) await insertValues(queries, current.values, current.width, current.rows(state), current.perInsert);
    else {
      const { rows } = await queries.run(current.sql, current.params?.(state) ?? []);
      current.read?.(rows, state);
    }
  }
}
