import type { RefreshQueries } from './refresh-queries.js';
import { createWork, DAILY_RETENTION, mergeWork } from './rollup-tables.js';

// Which devices a refresh recomputes the cohorts of: an arrival load's (those it made active on a new
// day, or whose installs or updates it brought), a recount's (those of its days), or a full build's (all).
export type CohortDevices = { of: 'load' } | { of: 'days'; scan: string[] } | { of: 'all' };

const DEVICES_SQL = {
  load: 'refresh/retention/load-devices',
  days: 'refresh/retention/day-devices',
  all: 'refresh/retention/all-devices',
} as const;

export async function createRetentionWork(queries: RefreshQueries): Promise<void> {
  await queries.run('refresh/work/create-retention-device');
  await createWork(queries, DAILY_RETENTION);
}

// Moves stg.daily_retention by devices, never by days: a device's cohort (its first install in an app,
// that install's values and dynamic channel) and whether it was active 1, 7 and 30 days later depend only
// on that device's rows. So the refresh takes the chosen devices' cohorts out as they were (-1),
// finds them again from the warehouse as it is now, and puts them back (+1): in time proportional to
// those devices' rows, whatever the history. It runs after stg.active_device has its new rows.
// Returns the cohort days whose numbers moved (a late session on c + 30 moves cohort c).
export async function refreshRetention(queries: RefreshQueries, devices: CohortDevices): Promise<string[]> {
  await queries.run(DEVICES_SQL[devices.of], devices.of === 'days' ? devices.scan : []);
  await queries.run('refresh/retention/subtract');
  await queries.run('refresh/retention/delete-devices');
  await queries.run('refresh/retention/insert-devices');
  await queries.run('refresh/retention/add');
  const { rows } = await queries.run('refresh/retention/moved-days');
  await mergeWork(queries, DAILY_RETENTION);
  return rows.map((row) => row.day as string);
}
