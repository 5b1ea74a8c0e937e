import { type Step, step } from './refresh-step.js';
import { DAILY_RETENTION } from './rollup-tables.js';

// The work tables of retention: the devices whose cohorts are recomputed, and the changes.
export const RETENTION_WORK: Step[] = [step('refresh/work/create-retention-device'), { create: DAILY_RETENTION }];

// Moves stg.daily_retention by devices, never by days, for the devices `chooseDevices` puts into
// retention_device: an arrival load's (retention/load-devices.sql), a recount's (day-devices.sql) or a
// full build's (all-devices.sql). Why that equals a recount: a device's cohort (its first install in an
// app, that install's values and dynamic channel) and whether it was active 1, 7 and 30 days later
// depend only on that device's rows. So the refresh takes the chosen devices' cohorts out as they were
// (-1), finds them again from the warehouse as it is now, and puts them back (+1): in time proportional
// to those devices' rows, whatever the history. It runs after stg.active_device has its new rows.
// Notes the cohort days whose numbers moved (a late session on c + 30 moves cohort c).
export function refreshRetention(chooseDevices: Step): Step[] {
  return [
    chooseDevices,
    step('refresh/retention/subtract'),
    step('refresh/retention/delete-devices'),
    step('refresh/retention/insert-devices', { weight: 140 }),
    step('refresh/retention/add', { weight: 15 }),
    step('refresh/retention/moved-days', { read: (rows, state) => state.moved.push(...rows.map((row) => row.day as string)) }),
    { merge: DAILY_RETENTION },
  ];
}
