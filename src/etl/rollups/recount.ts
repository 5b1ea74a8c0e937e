import { addDays, datesBetween, zonedMidnight } from '../../common/zoned-time.js';
import { utcTimestamp } from '../../database/pg-client.js';
import { ACTIVE_WINDOWS_WORK, moveActiveWindows } from './active-windows.js';
import { insertValues, type RefreshQueries } from './refresh-queries.js';
import { type RecountDays, type RefreshState, type Step, step } from './refresh-step.js';
import { refreshRetention, RETENTION_WORK } from './retention.js';
import { createActivityRows } from './rollup-tables.js';

// Rows per INSERT of recount/add-days.sql: a few years of days in a handful of statements, far below any
// driver's limit on parameters (five a row).
const ROWS_PER_INSERT = 200;

// Outside window mode the updated-installs lookup has no window: a bound no row reaches.
const NO_WINDOW = new Date('9999-01-01T00:00:00Z');

type DayRow = [day: string, bucket: string, startsAt: string, endsAt: string, activities: boolean];

// A report day's rows of refresh_day: its first instant and the next day's (UTC), once per UTC date
// between them, so the recount's statements join stg.adjust on that date, an equality, instead of on
// the day's instants alone.
export function dayRows(day: string, timezone: string, activities: boolean): DayRow[] {
  const startsAt = zonedMidnight(day, timezone);
  const endsAt = zonedMidnight(addDays(day, 1), timezone);
  const lastUtcDate = new Date(endsAt.getTime() - 1).toISOString().slice(0, 10);
  return datesBetween(startsAt.toISOString().slice(0, 10), lastUtcDate).map((bucket) => [
    day,
    bucket,
    utcTimestamp(startsAt),
    utcTimestamp(endsAt),
    activities,
  ]);
}

const recountRows = (days: RecountDays, timezone: string): DayRow[] => [
  ...days.activities.flatMap((day) => dayRows(day, timezone, true)),
  ...days.installs.flatMap((day) => dayRows(day, timezone, false)),
];

// Fills refresh_day with the days a recount counts again (all their activities, else only their
// installs), in multi-row INSERTs.
export async function addRecountDays(queries: RefreshQueries, days: RecountDays, timezone: string): Promise<void> {
  await insertValues(queries, 'refresh/recount/add-days', 5, recountRows(days, timezone), ROWS_PER_INSERT);
}

// The first instant of `first` and the first instant after `last`, UTC: a scan's bounds.
function scan({ settings }: RefreshState, first: string, last: string): string[] {
  return [utcTimestamp(zonedMidnight(first, settings.timezone)), utcTimestamp(zonedMidnight(addDays(last, 1), settings.timezone))];
}
const recounted = ({ days }: RefreshState) => [...days.activities, ...days.installs].sort();
const scanRecounted = (state: RefreshState) => scan(state, recounted(state)[0], recounted(state).at(-1)!);
const scanActivities = (state: RefreshState) => scan(state, state.days.activities[0], state.days.activities.at(-1)!);

// What a recount or full build found to count again: the state's days, their active-window days, and
// the days it moves.
export function useRecountDays(state: RefreshState, days: RecountDays): void {
  state.days = days;
  const { activities } = days;
  state.activeDays = activities.length > 0 ? { first: activities[0], last: activities.at(-1)! } : null;
  state.moved.push(...activities, ...days.installs);
}

// Counts the days in state.days again, set-based: every day in refresh_day, each statement once for all
// of them. A recount deletes the days' rows and counts them from stg.adjust, so it equals itself; what
// it moves beyond its days (active windows, cohorts) moves by device. In a full build (`fullBuild`) every
// rollup is empty and every device is recomputed.
export function recountDays({ fullBuild }: { fullBuild: boolean }): Step {
  return {
    when: (state) => recounted(state).length > 0,
    steps: [
      { values: 'refresh/recount/add-days', width: 5, perInsert: ROWS_PER_INSERT, rows: (s) => recountRows(s.days, s.settings.timezone) },
      // the days' activities, described once, for the installs, the counts and the active devices
      step('refresh/recount/insert-rows', {
        when: ({ days }) => days.activities.length > 0,
        params: (s) => [s.settings.sessionLengthField, ...scanActivities(s)],
        weight: 260,
      }),
      step('refresh/recount/delete-installs'),
      step('refresh/recount/insert-installs', { params: scanRecounted, weight: 125 }),
      {
        when: ({ days }) => days.activities.length > 0,
        steps: [
          step('refresh/recount/delete-counts'),
          step('refresh/recount/insert-counts', { weight: 110 }),
          // the devices whose active days may change: everyone active on those days, before or after (a
          // full build: every device, once stg.active_device is filled)
          ...(fullBuild ? [] : [step('refresh/recount/add-devices')]),
          ...moveActiveWindows(
            [
              step('refresh/recount/delete-active-devices'),
              step('refresh/recount/insert-active-devices', { weight: 210 }),
              ...(fullBuild ? [step('refresh/full-build/add-all-devices')] : []),
            ],
            { before: !fullBuild },
          ),
        ],
      },
      // after stg.active_device: the cohorts read the devices' active days
      ...refreshRetention(
        fullBuild
          ? step('refresh/retention/all-devices', { weight: 40 })
          : step('refresh/retention/day-devices', { params: scanRecounted }),
      ),
    ],
  };
}

export const RECOUNT_WORK: Step[] = [
  ...ACTIVE_WINDOWS_WORK,
  ...RETENTION_WORK,
  step('refresh/work/create-refresh-day'),
  createActivityRows('recount_rows'),
];

// A recount (sql/metrics/refresh/recount/): the load's own days (all their activities), and the days of
// installs whose dynamic channel an install_update in the load may move (their installs alone).
export const RECOUNT: Step[] = [
  ...RECOUNT_WORK,
  step('refresh/recount/updated-install-days', {
    params: ({ request }) => [request.afterId, utcTimestamp(request.windowStart ?? NO_WINDOW)],
    read: (rows, state) => {
      const activities = [...new Set(state.request.days)].sort();
      const updated = new Set(rows.map((row) => row.day as string));
      useRecountDays(state, { activities, installs: [...updated].filter((day) => !activities.includes(day)).sort() });
    },
  }),
  recountDays({ fullBuild: false }),
];
