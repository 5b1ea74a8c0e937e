import { addDays } from '../../common/zoned-time.js';
import { type RefreshState, type Step, step } from './refresh-step.js';
import { ACTIVE_CHANGE } from './rollup-tables.js';

// The last active day whose 30-day window still contains a given day is 29 days later; its change
// (a device leaving the window) lands 30 days later.
const ACTIVE_WINDOW_DAYS = 30;

// The work tables of the window changes: the devices whose contributions are recomputed, and the changes.
export const ACTIVE_WINDOWS_WORK: Step[] = [step('refresh/work/create-refresh-device'), { create: ACTIVE_CHANGE }];

// add-active-changes.sql's parameters: the changes of the active days and of the 30 after them, read
// from 30 days before (the last activity whose window reaches the first), with the sign.
function contributions({ activeDays }: RefreshState, sign: number): unknown[] {
  const { first, last } = activeDays!;
  return [first, addDays(last, ACTIVE_WINDOW_DAYS), addDays(first, -ACTIVE_WINDOW_DAYS), sign];
}

// Moves stg.active_change by what `changeDevices` does to stg.active_device for the devices in
// refresh_device, active from state.activeDays.first to .last. Why that equals a recount: a device's
// activity on day d moves only the windows of d … d + 30, and a device's changes depend only on its own
// active days; so taking those devices' changes out as they were (-1) and putting them back as they are
// (+1) leaves exactly what a recount finds. A full build (`before: false`) has nothing to take out.
export function moveActiveWindows(changeDevices: Step[], { before }: { before: boolean }): Step[] {
  return [
    ...(before ? [step('refresh/active-windows/add-active-changes', { params: (state) => contributions(state, -1), weight: 300 })] : []),
    ...changeDevices,
    step('refresh/active-windows/add-active-changes', { params: (state) => contributions(state, 1), weight: 300 }),
    { merge: ACTIVE_CHANGE },
  ];
}
