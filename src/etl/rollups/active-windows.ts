import { addDays } from '../../common/zoned-time.js';
import { ACTIVE_CHANGE, mergeWork } from './rollup-tables.js';
import type { RefreshQueries } from './refresh-queries.js';

// The last active day whose 30-day window still contains a given day is 29 days later; its change
// (a device leaving the window) lands 30 days later.
const ACTIVE_WINDOW_DAYS = 30;

// Moves stg.active_change by what `changeDevices` does to stg.active_device for the devices in
// refresh_device, whose active days lie from `first` to `last`: a device's activity on day d moves the
// windows of d … d + 30, so the changes of those days move by what those devices contributed before
// minus what they contribute after (refresh/add-active-changes.sql). A full build (`before: false`) has
// nothing to take away.
export async function moveActiveWindows(
  queries: RefreshQueries,
  days: { first: string; last: string },
  changeDevices: () => Promise<void>,
  { before }: { before: boolean },
): Promise<void> {
  const last = addDays(days.last, ACTIVE_WINDOW_DAYS);
  const contributions = (sign: number) => [days.first, last, addDays(days.first, -ACTIVE_WINDOW_DAYS), sign];
  if (before) await queries.run('refresh/add-active-changes', contributions(-1));
  await changeDevices();
  await queries.run('refresh/add-active-changes', contributions(1));
  await mergeWork(queries, ACTIVE_CHANGE);
}
