import type { DemoCallback } from './callback-queue.js';
import { DemoWorld } from './demo-world.js';
import { History } from './history.js';

export type { DemoCallback } from './callback-queue.js';

const DAY_MS = 86_400_000;

// The demo's defaults: the service back-fills DEMO_DEFAULTS.days on an empty database (see README, Demo).
export const DEMO_DEFAULTS = Object.freeze({ seed: 42, days: 90, dau: 200 });

export type DemoTrafficOptions = { seed: number; dau: number; days: number; nowMs: number };

// The first day of a history of `days` days that ends on the day of `nowMs` (UTC).
export function firstDayOf({ days, nowMs }: Pick<DemoTrafficOptions, 'days' | 'nowMs'>): number {
  return Math.floor(nowMs / DAY_MS) - days + 1;
}

export function createDemoWorld(options: DemoTrafficOptions): DemoWorld {
  return new DemoWorld({ seed: options.seed, dau: options.dau, firstDay: firstDayOf(options) });
}

// Every callback of `days` days of history that Adjust would have sent by `nowMs`, in sending order.
export function generateCallbacks(options: DemoTrafficOptions): DemoCallback[] {
  return createDemoWorld(options).until(options.nowMs);
}

// The same callbacks, made as they are taken (for histories too large to hold).
export function historyOf(world: DemoWorld, options: Pick<DemoTrafficOptions, 'days' | 'nowMs'>): History {
  return new History(world, firstDayOf(options) * DAY_MS, options.nowMs);
}

export type TrafficSummary = {
  callbacks: number;
  activities: number; // distinct: what the collector stores
  repeats: number; // second copies the collector answers "duplicate"
  late: number; // sent an hour or more after the activity
  sandbox: number;
  byKind: Record<string, number>; // distinct production activities per activity_kind
};

export const emptySummary = (): TrafficSummary => ({ callbacks: 0, activities: 0, repeats: 0, late: 0, sandbox: 0, byKind: {} });

function addToSummary(summary: TrafficSummary, callback: DemoCallback): void {
  summary.callbacks++;
  if (callback.repeatOf !== null) {
    summary.repeats++;
    return;
  }
  summary.activities++;
  if (callback.sendAtMs - callback.createdAt * 1000 >= 3_600_000) summary.late++;
  if (callback.sandbox) summary.sandbox++;
  else summary.byKind[callback.kind] = (summary.byKind[callback.kind] ?? 0) + 1;
}

export function summarize(callbacks: Iterable<DemoCallback>): TrafficSummary {
  const summary = emptySummary();
  for (const callback of callbacks) addToSummary(summary, callback);
  return summary;
}

// The callbacks of `source`, each added to `summary` as it is taken.
export function* tally(source: Iterable<DemoCallback>, summary: TrafficSummary): Generator<DemoCallback> {
  for (const callback of source) {
    addToSummary(summary, callback);
    yield callback;
  }
}

// One line for a person: how much of what.
export function describeSummary(summary: TrafficSummary): string {
  const kinds = Object.entries(summary.byKind)
    .sort((a, b) => b[1] - a[1])
    .map(([kind, count]) => `${count.toLocaleString('en-US')} ${kind}`)
    .join(', ');
  return (
    `${summary.callbacks.toLocaleString('en-US')} callbacks: ${summary.activities.toLocaleString('en-US')} activities ` +
    `(${kinds}; ${summary.sandbox.toLocaleString('en-US')} sandbox), ${summary.repeats.toLocaleString('en-US')} repeats, ` +
    `${summary.late.toLocaleString('en-US')} sent late`
  );
}
