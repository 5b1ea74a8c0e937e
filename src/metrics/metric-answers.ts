import { Inject, Injectable } from '@nestjs/common';
import { datesBetween } from '../common/zoned-time.js';
import { type Bucket, buckets, type DateRange, daysBetween, type Granularity } from './date-range.js';
import { KLIP_DEFINITIONS, type Klip } from './klips.js';
import { type ActiveChange, type Filters, MetricsRepository } from './metrics.repository.js';

export type MetricRow = { date?: string; channel?: string; value: number | null };
export type MetricSummary = { total?: number; average?: number | null; distinct?: number };
// The answer without its freshness, which the service adds when it sends it.
export type MetricAnswer = {
  metric: Klip;
  unit: string;
  from: string;
  to: string;
  granularity: Granularity | null;
  timezone: string;
  filters: Filters;
  summary: MetricSummary;
  data: MetricRow[];
};
export type MetricRequest = { klip: Klip; range: DateRange; granularity: Granularity | null; filters: Filters };

type Body = Pick<MetricAnswer, 'summary' | 'data'>;
type Window = 'dau' | 'wau' | 'mau';
const WINDOW_COLUMN: Record<number, Window | undefined> = { 1: 'dau', 7: 'wau', 30: 'mau' };

// Turns the rollups' rows into a klip's answer: every bucket present (0, or null for a mean), bucket
// values and the summary as metrics.md says (sums, weighted means, means of daily values).
@Injectable()
export class MetricAnswers {
  constructor(@Inject(MetricsRepository) private readonly repository: MetricsRepository) {}

  async compute(request: MetricRequest, timezone: string): Promise<MetricAnswer> {
    const { klip, range, granularity, filters } = request;
    const body = await this.body(request);
    return { metric: klip, unit: KLIP_DEFINITIONS[klip].unit, from: range.from, to: range.to, granularity, timezone, filters, ...body };
  }

  private body({ klip, range, granularity, filters }: MetricRequest): Promise<Body> {
    const bucketsOf = buckets(range, granularity ?? 'day');
    switch (KLIP_DEFINITIONS[klip].kind) {
      case 'total':
        return this.totals(klip, range, filters, bucketsOf);
      case 'mean':
        return this.sessionDuration(range, filters, bucketsOf);
      case 'active':
        return this.activeUsers(KLIP_DEFINITIONS[klip].windowDays as 1 | 7 | 30, range, filters, bucketsOf);
      case 'channels':
        return this.installsByChannel(range, filters, granularity ? bucketsOf : null);
    }
  }

  private async totals(klip: Klip, range: DateRange, filters: Filters, bucketsOf: Bucket[]): Promise<Body> {
    const rows = klip === 'installs' ? await this.repository.installs(range, filters) : await this.repository.registrations(range, filters);
    const byDay = new Map(rows.map((row) => [row.day, row.value]));
    const data = bucketsOf.map((bucket) => ({ date: bucket.label, value: sum(bucket.days.map((day) => byDay.get(day) ?? 0)) }));
    return { summary: { total: sum(data.map((row) => row.value)) }, data };
  }

  private async sessionDuration(range: DateRange, filters: Filters, bucketsOf: Bucket[]): Promise<Body> {
    const byDay = new Map((await this.repository.sessionLengths(range, filters)).map((row) => [row.day, row]));
    const lengthsOf = (days: string[]) => ({
      seconds: sum(days.map((day) => byDay.get(day)?.seconds ?? 0)),
      sessions: sum(days.map((day) => byDay.get(day)?.sessions ?? 0)),
    });
    const data = bucketsOf.map((bucket) => ({ date: bucket.label, value: weightedMean(lengthsOf(bucket.days)) }));
    return { summary: { average: weightedMean(lengthsOf(datesBetween(range.from, range.to))) }, data };
  }

  private async activeUsers(windowDays: 1 | 7 | 30, range: DateRange, filters: Filters, bucketsOf: Bucket[]): Promise<Body> {
    const daily = runningSums(await this.repository.activeChanges(range.to, filters), range);
    const values = daily[WINDOW_COLUMN[windowDays]!];
    const data = bucketsOf.map((bucket) => ({ date: bucket.label, value: round2(mean(bucket.days.map((day) => values.get(day)!))) }));
    const average = round2(mean(datesBetween(range.from, range.to).map((day) => values.get(day)!)));
    // the devices active on any day of a range of 1, 7 or 30 days are its last day's DAU, WAU or MAU
    const span = WINDOW_COLUMN[daysBetween(range.from, range.to) + 1];
    const distinct = span ? daily[span].get(range.to)! : await this.repository.distinctDevices(range, filters);
    return { summary: { average, distinct }, data };
  }

  private async installsByChannel(range: DateRange, filters: Filters, bucketsOf: Bucket[] | null): Promise<Body> {
    const rows = await this.repository.installsByChannel(range, filters);
    const totals = new Map<string, number>();
    for (const row of rows) totals.set(row.channel, (totals.get(row.channel) ?? 0) + row.value);
    // largest first; equal counts by name, so the order never changes between two identical answers
    const channels = [...totals.keys()].sort((a, b) => totals.get(b)! - totals.get(a)! || (a < b ? -1 : a > b ? 1 : 0));
    const summary = { total: sum([...totals.values()]) };
    if (!bucketsOf) return { summary, data: channels.map((channel) => ({ channel, value: totals.get(channel)! })) };
    const byDayChannel = new Map(rows.map((row) => [`${row.day}|${row.channel}`, row.value]));
    const data = bucketsOf.flatMap((bucket) =>
      channels.map((channel) => ({
        date: bucket.label,
        channel,
        value: sum(bucket.days.map((day) => byDayChannel.get(`${day}|${channel}`) ?? 0)),
      })),
    );
    return { summary, data };
  }
}

// DAU, WAU and MAU of each day of the range: the running sums of the changes (which start at a day
// with no device before it), kept from `range.from` on.
function runningSums(changes: ActiveChange[], range: DateRange): Record<Window, Map<string, number>> {
  const daily = { dau: new Map<string, number>(), wau: new Map<string, number>(), mau: new Map<string, number>() };
  const running = { dau: 0, wau: 0, mau: 0 };
  let next = 0;
  const first = changes.length > 0 && changes[0].day < range.from ? changes[0].day : range.from;
  for (const day of datesBetween(first, range.to)) {
    for (; next < changes.length && changes[next].day === day; next++) {
      for (const window of WINDOWS) running[window] += changes[next][window];
    }
    if (day >= range.from) for (const window of WINDOWS) daily[window].set(day, running[window]);
  }
  return daily;
}

const WINDOWS = ['dau', 'wau', 'mau'] as const;

function sum(values: number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

function mean(values: number[]): number {
  return values.length === 0 ? 0 : sum(values) / values.length;
}

function weightedMean({ seconds, sessions }: { seconds: number; sessions: number }): number | null {
  return sessions === 0 ? null : round2(seconds / sessions);
}

// Means are answered rounded to 2 decimals (metrics.md).
function round2(value: number): number {
  return Math.round((value + Number.EPSILON) * 100) / 100;
}
