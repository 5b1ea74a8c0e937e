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
// into its rollup, a filled statement run once per value, a multi-row INSERT, what the run already knows
// taken into the state without a statement (`known` names it, as the statement it stands for), or a
// group of steps.
// `weight`: what it costs next to a light statement (1, the default: about a tenth of a second) in a full
// build of 10,000,000 activities, for the progress a long refresh reports (from the statement table of
// the first full load that bench:freshness prints at that size; docs/design.md, "A run's progress").
export type Step = { when?: Condition; weight?: number } & (
  | { sql: string; params?: (state: RefreshState) => unknown[]; read?: (rows: Rows, state: RefreshState) => void }
  | { create: WorkTable }
  | { merge: RollupTable }
  | { filled: string; each: Record<string, string>[] }
  | { values: string; width: number; perInsert: number; rows: (state: RefreshState) => unknown[][] }
  | { known: string; use: (state: RefreshState) => void }
  | { steps: Step[] }
);

// A statement step; its name is relative to sql/metrics, as RefreshQueries runs it.
export function step(sql: string, options: Omit<Extract<Step, { sql: string }>, 'sql'> = {}): Step {
  return { sql, ...options };
}

// Told before each step runs and once at the end: the weight of the steps done (or passed over), the
// weight of them all, and what runs now (null at the end).
export type WalkListener = (done: number, total: number, current: string | null) => void;

// Runs the steps in order, each whose condition holds, telling `listener` how far it has come.
export async function walkSteps(queries: RefreshQueries, steps: Step[], state: RefreshState, listener?: WalkListener): Promise<void> {
  const total = weightOf({ steps });
  let done = 0;
  const walk = async (current: Step): Promise<void> => {
    if (current.when && !current.when(state)) {
      done += weightOf(current);
      return;
    }
    if ('steps' in current) {
      for (const inner of current.steps) await walk(inner);
      return;
    }
    listener?.(done, total, nameOf(current));
    await runStep(queries, current, state);
    done += weightOf(current);
  };
  for (const current of steps) await walk(current);
  listener?.(total, total, null);
}

async function runStep(queries: RefreshQueries, current: Exclude<Step, { steps: Step[] }>, state: RefreshState): Promise<void> {
  if ('create' in current) await createWork(queries, current.create);
  else if ('merge' in current) await mergeWork(queries, current.merge);
  else if ('filled' in current) for (const placeholders of current.each) await queries.runFilled(current.filled, placeholders);
  else if ('values' in current) await insertValues(queries, current.values, current.width, current.rows(state), current.perInsert);
  else if ('known' in current) current.use(state);
  else {
    const { rows } = await queries.run(current.sql, current.params?.(state) ?? []);
    current.read?.(rows, state);
  }
}

function weightOf(current: Step): number {
  if ('steps' in current) return current.steps.reduce((sum, inner) => sum + weightOf(inner), 0);
  // a merge is three statements
  return current.weight ?? ('merge' in current ? 3 : 1);
}

// What a step does, as progress names it: its statement without the folder every one shares.
function nameOf(current: Exclude<Step, { steps: Step[] }>): string {
  if ('create' in current) return `create ${current.create.work}`;
  if ('merge' in current) return `merge into ${current.merge.table}`;
  const name =
    'filled' in current ? current.filled : 'values' in current ? current.values : 'known' in current ? current.known : current.sql;
  return name.replace(/^refresh\//, '');
}
