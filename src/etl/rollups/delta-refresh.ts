import type { RollupSettings } from './rollup-refresh.js';
import { moveActiveWindows } from './active-windows.js';
import type { RefreshQueries } from './refresh-queries.js';
import { refreshRetention } from './retention.js';
import { DAILY_COUNTS, DAILY_INSTALLS, mergeWork } from './rollup-tables.js';

// An arrival load's rollups move by what its own rows add (they are all new to the warehouse, and wait
// in the session's stage_adjust), in time proportional to those rows and the devices they touch, never
// to the rows of the days they fall on:
// - registrations, session seconds and lengths add up: the new rows' sums are the change;
// - installs: each (app, device) with a new install or install_update has its installs counted again,
//   before (-1, old dynamic channel) and now (+1, new), which moves an install between channels;
// - DAU/WAU/MAU: only a (day, device, values) new to stg.active_device moves the window changes, by
//   what those devices contributed to the 30 days after before and after it;
// - sessions and revenue add up like registrations;
// - retention: the cohorts of the devices made active on a new day or with a new install or update are
//   found again (retention.ts).
// Returns the days whose installs or cohorts moved (the other days are the load's own, which the run knows).
export async function addLoadRows(queries: RefreshQueries, settings: RollupSettings): Promise<string[]> {
  await queries.run('refresh/delta/load-rows', [settings.sessionLengthField]);
  await queries.run('refresh/delta/add-counts');
  await mergeWork(queries, DAILY_COUNTS);
  await queries.run('refresh/delta/add-installs');
  const { rows: installDays } = await queries.run('refresh/delta/changed-install-days');
  await mergeWork(queries, DAILY_INSTALLS);
  await queries.run('refresh/delta/load-active');
  const { rows } = await queries.run('refresh/delta/active-days');
  const { first_day: first, last_day: last } = rows[0] as { first_day: string | null; last_day: string | null };
  if (first && last) {
    await queries.run('refresh/delta/load-devices');
    await moveActiveWindows(queries, { first, last }, () => queries.run('refresh/delta/add-active-devices').then(() => undefined), {
      before: true,
    });
  }
  const cohortDays = await refreshRetention(queries, { of: 'load' });
  return [...installDays.map((row) => row.day as string), ...cohortDays];
}
