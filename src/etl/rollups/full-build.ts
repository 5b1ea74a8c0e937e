import { recountDays, RECOUNT_WORK, useRecountDays } from './recount.js';
import { type Step, step } from './refresh-step.js';
import { ROLLUP_TABLES } from './rollup-tables.js';

// A full build (sql/metrics/refresh/full-build/): every rollup emptied, every day with activities
// counted again, every device's active windows and cohorts recomputed.
export const FULL_BUILD: Step[] = [
  ...RECOUNT_WORK,
  step('refresh/full-build/all-days', {
    weight: 7,
    read: (rows, state) => useRecountDays(state, { activities: rows.map((row) => row.day as string).sort(), installs: [] }),
  }),
  { filled: 'refresh/full-build/clear', each: ROLLUP_TABLES.map((table) => ({ table })) },
  recountDays({ fullBuild: true }),
];
