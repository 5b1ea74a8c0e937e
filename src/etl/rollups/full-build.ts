import { replacesEveryRow } from '../etl-run.js';
import { recountDays, RECOUNT_WORK, useRecountDays } from './recount.js';
import { type RefreshState, type Step, step } from './refresh-step.js';
import { ROLLUP_TABLES } from './rollup-tables.js';

// A load that replaced every activity of the warehouse with its own rows: the days the extract counted
// them on (report days, as all-days.sql's) are all the days with activities.
const loadedEveryActivity = ({ request }: RefreshState): boolean => replacesEveryRow(request);

const useAllDays = (state: RefreshState, days: string[]): void =>
  useRecountDays(state, { activities: [...new Set(days)].sort(), installs: [] });

// A full build (sql/metrics/refresh/full-build/): every rollup emptied, every day with activities
// counted again, every device's active windows and cohorts recomputed.
export const FULL_BUILD: Step[] = [
  ...RECOUNT_WORK,
  // the days with activities: the load's own when it replaced every activity (no scan of stg.adjust, a
  // few seconds at ten million), else those of stg.adjust (the first build after an upgrade)
  { when: loadedEveryActivity, known: 'refresh/full-build/load-days', use: (state) => useAllDays(state, state.request.days) },
  step('refresh/full-build/all-days', {
    weight: 50,
    when: (state) => !loadedEveryActivity(state),
    read: (rows, state) =>
      useAllDays(
        state,
        rows.map((row) => row.day as string),
      ),
  }),
  { filled: 'refresh/full-build/clear', each: ROLLUP_TABLES.map((table) => ({ table })) },
  recountDays({ fullBuild: true }),
];
