import { ACTIVE_WINDOWS_WORK, moveActiveWindows } from './active-windows.js';
import { type Step, step } from './refresh-step.js';
import { refreshRetention, RETENTION_WORK } from './retention.js';
import { ACTIVE_DEVICE_WORK, createActivityRows, DAILY_COUNTS, DAILY_INSTALLS } from './rollup-tables.js';

// The arrival delta (sql/metrics/refresh/delta/): an arrival load's rollups move by what its own rows
// add. They are all new to the warehouse and wait in the session's stage_adjust, so the refresh takes
// time proportional to those rows and the devices they touch, never to the rows of the days they fall
// on. Each step says why its change equals what a recount of those days would find.
export const ARRIVAL_DELTA: Step[] = [
  ...ACTIVE_WINDOWS_WORK,
  ...RETENTION_WORK,
  createActivityRows('load_rows'),
  { create: ACTIVE_DEVICE_WORK },
  { create: DAILY_INSTALLS },
  { create: DAILY_COUNTS },
  // the load's rows as the rollups count them (day, counted day, app, os, country, channel, …)
  step('refresh/delta/load-rows', { params: ({ settings }) => [settings.sessionLengthField] }),
  // registrations, session seconds and lengths, sessions and revenue are sums over rows: the new rows'
  // sums are the change
  step('refresh/delta/add-counts'),
  { merge: DAILY_COUNTS },
  // an install counts under its dynamic channel (its device's latest install_update in the app), so an
  // install or install_update moves every install of its (app, device): each counts -1 under the channel
  // it had before the load and +1 under the one it has now, which moves an install between channels
  // whether the update arrives before or after it; the other devices' installs do not move
  step('refresh/delta/add-installs'),
  step('refresh/delta/changed-install-days', { read: (rows, state) => state.moved.push(...rows.map((row) => row.day as string)) }),
  { merge: DAILY_INSTALLS },
  // DAU/WAU/MAU: only a (day, device, values) new to stg.active_device moves the active windows; another
  // session of a device already active that day moves nothing
  step('refresh/delta/load-active'),
  step('refresh/delta/active-days', {
    read: ([row], state) => {
      const { first_day: first, last_day: last } = row as { first_day: string | null; last_day: string | null };
      state.activeDays = first && last ? { first, last } : null;
    },
  }),
  {
    when: ({ activeDays }) => activeDays !== null,
    steps: [
      // those devices' window changes over their new days - 30 … + 30, before (-) and after (+) the new rows
      step('refresh/delta/load-devices'),
      ...moveActiveWindows([step('refresh/delta/add-active-devices')], { before: true }),
    ],
  },
  // retention is recomputed per touched device: those made active on a new day (d1/d7/d30 may change)
  // and those with a new install or install_update (a first install, or a new channel)
  ...refreshRetention(step('refresh/retention/load-devices')),
];
