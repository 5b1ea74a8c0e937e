import { addDays, datesBetween, daysBetween } from '../common/zoned-time.js';
import { DomainError } from '../common/domain-error.js';

// Ranges and buckets of report-time-zone calendar days (YYYY-MM-DD), resolved on the server.

export const PERIODS = [
  'today',
  'yesterday',
  'last_7_days',
  'last_30_days',
  'last_90_days',
  'this_week',
  'last_week',
  'this_month',
  'last_month',
  'year_to_date',
] as const;
export type Period = (typeof PERIODS)[number];

export const GRANULARITIES = ['day', 'week', 'month'] as const;
export type Granularity = (typeof GRANULARITIES)[number];

export const MAX_RANGE_DAYS = 731;
export const DEFAULT_RANGE_DAYS = 30;
// The dates a request may name (api.md): wide enough for any report, narrow enough that no date
// arithmetic leaves four-digit years.
export const FIRST_DATE = '2000-01-01';
export const LAST_DATE = '2099-12-31';

// A YYYY-MM-DD date inside the window (text order is date order for four-digit years).
export function inDateWindow(date: string): boolean {
  return date >= FIRST_DATE && date <= LAST_DATE;
}

export type DateRange = { from: string; to: string };
// A bucket keeps its label (the day, the ISO week's Monday, the month's 1st) even when the range cuts it.
export type Bucket = { label: string; days: string[] };

export type RangeRequest = { from?: string; to?: string; period?: Period };

// `from`/`to` (either may be left out), a period, or by default the last 30 days ending today.
export function resolveRange(request: RangeRequest, today: string): DateRange {
  if (request.period !== undefined) {
    if (request.from !== undefined || request.to !== undefined) {
      throw new DomainError('INVALID_REQUEST', 'period cannot be combined with from/to: send either a period or from and to');
    }
    return periodRange(request.period, today);
  }
  for (const name of ['from', 'to'] as const) {
    const date = request[name];
    if (date !== undefined && !inDateWindow(date)) {
      throw new DomainError('INVALID_REQUEST', `${name} must be a date between ${FIRST_DATE} and ${LAST_DATE}`);
    }
  }
  const to = request.to ?? (request.from !== undefined && request.from > today ? request.from : today);
  // only `to`: the 30 days ending on it, but never before the window
  const from = request.from ?? maxDate(addDays(to, 1 - DEFAULT_RANGE_DAYS), FIRST_DATE);
  if (from > to) throw new DomainError('INVALID_REQUEST', `from (${from}) is after to (${to}): from must be on or before to`);
  const days = daysBetween(from, to) + 1;
  if (days > MAX_RANGE_DAYS) {
    throw new DomainError('INVALID_REQUEST', `from … to spans ${days} days: a range covers at most ${MAX_RANGE_DAYS} days`);
  }
  return { from, to };
}

const maxDate = (a: string, b: string) => (a > b ? a : b);

export function periodRange(period: Period, today: string): DateRange {
  const monday = weekStart(today);
  const firstOfMonth = monthStart(today);
  switch (period) {
    case 'today':
      return { from: today, to: today };
    case 'yesterday':
      return { from: addDays(today, -1), to: addDays(today, -1) };
    case 'last_7_days':
      return { from: addDays(today, -6), to: today };
    case 'last_30_days':
      return { from: addDays(today, -29), to: today };
    case 'last_90_days':
      return { from: addDays(today, -89), to: today };
    case 'this_week':
      return { from: monday, to: today };
    case 'last_week':
      return { from: addDays(monday, -7), to: addDays(monday, -1) };
    case 'this_month':
      return { from: firstOfMonth, to: today };
    case 'last_month':
      return { from: monthStart(addDays(firstOfMonth, -1)), to: addDays(firstOfMonth, -1) };
    case 'year_to_date':
      return { from: `${today.slice(0, 4)}-01-01`, to: today };
  }
}

export function buckets(range: DateRange, granularity: Granularity): Bucket[] {
  const result: Bucket[] = [];
  for (const day of datesBetween(range.from, range.to)) {
    const label = granularity === 'day' ? day : granularity === 'week' ? weekStart(day) : monthStart(day);
    if (result.at(-1)?.label === label) result.at(-1)!.days.push(day);
    else result.push({ label, days: [day] });
  }
  return result;
}

// The Monday of a day's ISO week.
export function weekStart(day: string): string {
  const weekday = new Date(`${day}T00:00:00Z`).getUTCDay(); // 0 = Sunday
  return addDays(day, -((weekday + 6) % 7));
}

function monthStart(day: string): string {
  return `${day.slice(0, 7)}-01`;
}
