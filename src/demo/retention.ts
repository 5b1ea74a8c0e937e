import type { Random } from './random.js';

// How demo users come back (ported from bench/metrics-population.mjs, with a curve closer to a typical
// consumer app): every device gets a lifetime L, the last day after its install on which it may come
// back, heavy-tailed with P(L ≥ a) = (1 + a)^-alpha (most users churn within days, a few stay for
// months), capped at maxLifetimeDays; and a daily return probability q, uniform in qRange. It is
// active on day a after its install when a ≤ L and a hash of (device, day) < q × the weekday's rhythm.
// With these values D1 ≈ 27 %, D7 ≈ 10 %, D30 ≈ 3–4 %.
export const RETENTION = Object.freeze({ alpha: 0.7, qRange: [0.2, 0.7] as const, maxLifetimeDays: 365 });

// The weekly rhythm of installs and returns, Sunday first (UTC weekday): people use these apps more at
// the weekend. Scaled so that the week averages 1.
const WEEKDAY_FACTORS = [1.12, 0.93, 0.95, 0.97, 0.99, 1.04, 1.18];
const WEEK_MEAN = WEEKDAY_FACTORS.reduce((sum, factor) => sum + factor, 0) / 7;
export const WEEKLY_RHYTHM = Object.freeze(WEEKDAY_FACTORS.map((factor) => factor / WEEK_MEAN));

const DAY_MS = 86_400_000;

// `day`: days since 1970-01-01 (UTC).
export function weekdayFactor(day: number): number {
  return WEEKLY_RHYTHM[new Date(day * DAY_MS).getUTCDay()];
}

export type Returning = { installDay: number; lifetime: number; q: number; salt: number };

export function drawReturning(random: Random, installDay: number): Returning {
  const lifetime = Math.min(RETENTION.maxLifetimeDays, Math.pow(1 - random.next(), -1 / RETENTION.alpha) - 1);
  const [qMin, qMax] = RETENTION.qRange;
  return { installDay, lifetime, q: qMin + (qMax - qMin) * random.next(), salt: Math.floor(random.next() * 0x100000000) };
}

export const alive = (device: Returning, day: number) => day - device.installDay <= device.lifetime;

// Whether a device comes back on `day` (after its install day): the same answer every time it is asked.
export function returnsOn(device: Returning, day: number): boolean {
  if (day <= device.installDay || !alive(device, day)) return false;
  let h = Math.imul(device.salt ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(day, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return ((h ^ (h >>> 16)) >>> 0) / 4294967296 < device.q * weekdayFactor(day);
}

// Installs per day that give a steady daily active count of `dau`: a device is active on its install
// day and, on average, on q̄ × P(L ≥ a) of the days a after it.
export function installsPerDayFor(dau: number): number {
  const meanQ = (RETENTION.qRange[0] + RETENTION.qRange[1]) / 2;
  let activeDays = 1;
  for (let a = 1; a <= RETENTION.maxLifetimeDays; a++) activeDays += meanQ * Math.pow(1 + a, -RETENTION.alpha);
  return dau / activeDays;
}
