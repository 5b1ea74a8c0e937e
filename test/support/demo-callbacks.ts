import { addDays } from '../../src/common/zoned-time.js';
import type { DemoCallback } from '../../src/demo/demo-traffic.js';

// What the demo's callbacks say, read back from their URLs the way the metric definitions (metrics.md)
// read activities, so that tests compute the numbers they expect from what was generated.

export type Activity = { callback: DemoCallback; params: URLSearchParams; day: string };

// Activities that make a device active on their day.
export const ACTIVE_KINDS = new Set(['install', 'session', 'reattribution', 'reinstall', 'reattribution_reinstall']);

export const dayOf = (unixSeconds: number | string) => new Date(Number(unixSeconds) * 1000).toISOString().slice(0, 10);

export function activitiesOf(callbacks: readonly DemoCallback[]): Activity[] {
  return callbacks.map((callback) => ({
    callback,
    params: new URLSearchParams(callback.path.slice(callback.path.indexOf('?') + 1)),
    day: dayOf(callback.createdAt),
  }));
}

// What the collector stores and the klips count: first copies of production activities.
export const counted = (activities: Activity[]) =>
  activities.filter(
    ({ callback, params }) =>
      callback.repeatOf === null && params.get('environment') !== 'sandbox' && !params.get('activity_kind')!.startsWith('rejected_'),
  );

// Devices active per day (the DAU of each day is the size of its set).
export function activeByDay(activities: Activity[]): Map<string, Set<string>> {
  const byDay = new Map<string, Set<string>>();
  for (const { params, day } of activities) {
    if (!ACTIVE_KINDS.has(params.get('activity_kind')!)) continue;
    if (!byDay.has(day)) byDay.set(day, new Set());
    byDay.get(day)!.add(params.get('adid')!);
  }
  return byDay;
}

// The devices active on `day` or the `width - 1` days before it: the day's DAU (1), WAU (7) or MAU (30).
export function activeInWindow(active: Map<string, Set<string>>, day: string, width: number): number {
  const devices = new Set<string>();
  for (let back = 0; back < width; back++) {
    for (const adid of active.get(dayOf(Date.parse(day) / 1000 - back * 86_400)) ?? []) devices.add(adid);
  }
  return devices.size;
}

// Registrations: the demo's apps send them as events named `registration` (REGISTRATION_EVENTS' default).
export const registrationsOf = (activities: Activity[]) =>
  ofKind(activities, 'event').filter((a) => a.params.get('event_name') === 'registration');

// The reported session lengths (seconds, zeros left out) by the day of the session they measure.
export function sessionLengthsByDay(activities: Activity[]): Map<string, number[]> {
  const lengths = new Map<string, number[]>();
  for (const { params } of ofKind(activities, 'session')) {
    const length = Number(params.get('last_time_spent'));
    if (!(length > 0)) continue;
    const day = dayOf(params.get('last_session_time') || params.get('created_at')!);
    if (!lengths.has(day)) lengths.set(day, []);
    lengths.get(day)!.push(length);
  }
  return lengths;
}

// metrics.md's channel: network_name, else tracker_name's first `::` segment, else Organic or Unknown.
export function channelOf(params: URLSearchParams): string {
  const network = params.get('network_name')?.trim();
  if (network) return network;
  const tracker = params.get('tracker_name')?.split('::')[0].trim();
  if (tracker) return tracker;
  return params.get('is_organic') === '1' ? 'Organic' : 'Unknown';
}

// Installs per dynamic channel: the channel of the device's latest install_update, else the install's.
export function installsByChannel(activities: Activity[]): Map<string, number> {
  const updates = new Map<string, Activity>();
  for (const activity of activities.filter((a) => a.params.get('activity_kind') === 'install_update')) {
    const key = `${activity.params.get('app_name')}|${activity.params.get('adid')}`;
    const latest = updates.get(key);
    if (!latest || latest.callback.createdAt < activity.callback.createdAt) updates.set(key, activity);
  }
  const byChannel = new Map<string, number>();
  for (const install of activities.filter((a) => a.params.get('activity_kind') === 'install')) {
    const update = updates.get(`${install.params.get('app_name')}|${install.params.get('adid')}`);
    const channel = channelOf((update ?? install).params);
    byChannel.set(channel, (byChannel.get(channel) ?? 0) + 1);
  }
  return byChannel;
}

// Revenue in US cents: revenue_usd of an event, else its revenue_float when its currency is USD (any
// case); events in other currencies add nothing. The demo's amounts are whole cents.
export function revenueCentsOf(activities: Activity[]): number {
  let cents = 0;
  for (const { params } of ofKind(activities, 'event')) {
    const usd = params.get('revenue_usd') || (params.get('currency')?.toUpperCase() === 'USD' ? params.get('revenue_float') : '');
    if (usd) cents += Math.round(Number(usd) * 100);
  }
  return cents;
}

export const RETENTION_SHARES = ['d1', 'd7', 'd30'] as const;
export type Retention = { installs: number } & Record<(typeof RETENTION_SHARES)[number], number | null>;

// Retention of the cohorts of `range`'s days, as of `today`: a cohort is the devices whose first install of
// an app was that day; dN the share of them active in the same app N days later, over the cohort days whose
// day c+N is over (null when there is none, or those cohorts are empty).
export function retentionOf(activities: Activity[], range: string[], today: string): Retention {
  const firstInstalls = new Map<string, string>();
  for (const { params, day } of ofKind(activities, 'install')) {
    const device = `${params.get('app_name')}|${params.get('adid')}`;
    const known = firstInstalls.get(device);
    if (known === undefined || day < known) firstInstalls.set(device, day);
  }
  const activeDays = new Set(
    activities
      .filter((a) => ACTIVE_KINDS.has(a.params.get('activity_kind')!))
      .map((a) => `${a.params.get('app_name')}|${a.params.get('adid')}|${a.day}`),
  );
  const cohorts = [...firstInstalls].filter(([, day]) => range.includes(day));
  const share = (n: number) => {
    const over = cohorts.filter(([, day]) => addDays(day, n) < today);
    const retained = over.filter(([device, day]) => activeDays.has(`${device}|${addDays(day, n)}`));
    return over.length === 0 ? null : retained.length / over.length;
  };
  return { installs: cohorts.length, d1: share(1), d7: share(7), d30: share(30) };
}

export const ofKind = (activities: Activity[], kind: string) => activities.filter((a) => a.params.get('activity_kind') === kind);
