import type { RefreshQueries } from './refresh-queries.js';

// The rollup tables that a refresh changes by adding rows of changes: each is a key and values that
// add up. A refresh collects the changes in a work table of the same columns (a temporary table of the
// merge's session) and then merges it in, key by key (sql/metrics/refresh/merge/*.sql).
export type RollupTable = { table: string; work: string; keys: string[]; values: string[] };

export const DAILY_INSTALLS: RollupTable = {
  table: 'stg.daily_installs',
  work: 'installs_work',
  keys: ['day', 'app', 'os', 'country', 'channel'],
  values: ['installs'],
};
export const DAILY_COUNTS: RollupTable = {
  table: 'stg.daily_counts',
  work: 'counts_work',
  keys: ['created_day', 'day', 'app', 'os', 'country', 'channel'],
  values: ['registrations', 'session_seconds', 'sessions', 'activities', 'revenue_usd'],
};
export const DAILY_RETENTION: RollupTable = {
  table: 'stg.daily_retention',
  work: 'retention_work',
  keys: ['day', 'app', 'os', 'country', 'channel'],
  values: ['installs', 'd1', 'd7', 'd30'],
};
// each device's cohort per app, which stg.daily_retention adds up (not merged: a refresh replaces the
// rows of the devices it recomputes)
export const COHORT_DEVICE = 'stg.cohort_device';
export const ACTIVE_CHANGE: RollupTable = {
  table: 'stg.active_change',
  work: 'active_change_work',
  keys: ['day', 'scope', 'app', 'os', 'country', 'channel'],
  values: ['dau', 'wau', 'mau'],
};
// A work table of the merge's session with the columns of `table` (sql/metrics/refresh/work/).
export type WorkTable = { table: string; work: string };
// load_active holds stg.active_device's columns (it is not merged: its rows are all new)
export const ACTIVE_DEVICE_WORK: WorkTable = { table: 'stg.active_device', work: 'load_active' };

// The work tables of activities described as the rollups count them, both made by one statement
// (refresh/work/create-activity-rows.sql): an arrival load's own rows, and the activities a recount counts
// again.
export const ACTIVITY_ROWS = ['load_rows', 'recount_rows'] as const;
export type ActivityRows = (typeof ACTIVITY_ROWS)[number];
export const CREATE_ACTIVITY_ROWS = 'refresh/work/create-activity-rows';
// The refresh step that makes one of them.
export const createActivityRows = (work: ActivityRows) => ({ filled: CREATE_ACTIVITY_ROWS, each: [{ work }] });

// Every rollup table, which a full build empties (full-build/clear.sql, once per table) before counting
// everything again. The loads' DELETEs name them here, not in the SQL: Redshift's VACUUM list
// (VACUUMED_TABLES) is checked against this list too (test/unit/redshift-statements.spec.ts).
export const ROLLUP_TABLES = [
  DAILY_INSTALLS.table,
  DAILY_COUNTS.table,
  ACTIVE_DEVICE_WORK.table,
  ACTIVE_CHANGE.table,
  COHORT_DEVICE,
  DAILY_RETENTION.table,
] as const;

// Creates a work table like its rollup table.
export async function createWork(queries: RefreshQueries, { table, work }: WorkTable): Promise<void> {
  await queries.runFilled('refresh/work/create-like', { table, work });
}

// Adds the changes in `rollup.work` to `rollup.table`: its rows of the touched keys become their sums
// with the changes, and a key whose values sum to zero loses its row. Three statements, each reading
// only the touched keys (an equality join on the whole key).
export async function mergeWork(queries: RefreshQueries, rollup: RollupTable): Promise<void> {
  const { table, work, keys, values } = rollup;
  const columns = [...keys, ...values];
  const placeholders = {
    table,
    work,
    columns: columns.join(', '),
    keys: keys.join(', '),
    existing: columns.map((column) => `existing.${column}`).join(', '),
    sums: values.map((value) => `SUM(${value})`).join(', '),
    nonzero: values.map((value) => `SUM(${value}) <> 0`).join(' OR '),
  };
  const match = (left: string, right: string) => keys.map((key) => `${left}.${key} = ${right}.${key}`).join(' AND ');
  await queries.runFilled('refresh/merge/keep', { ...placeholders, match: match('existing', 'touched') });
  await queries.runFilled('refresh/merge/delete', { ...placeholders, match: match(table, 'changed') });
  await queries.runFilled('refresh/merge/insert', placeholders);
}
