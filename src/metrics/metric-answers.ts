import { Inject, Injectable } from '@nestjs/common';
import { addDays, datesBetween } from '../common/zoned-time.js';
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
const WINDOW_COLUMN = { 1: 'dau', 7: 'wau', 30: 'mau' } as const;

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
    const stored = filters.os === undefined && filters.country === undefined && filters.channel === undefined;
    const daily = stored ? await this.storedActive(range, filters.app) : await this.filteredActive(windowDays, range, filters);
    const values = daily.get(windowDays)!;
    const data = bucketsOf.map((bucket) => ({ date: bucket.label, value: round2(mean(bucket.days.map((day) => values.get(day)!))) }));
    const average = round2(mean(datesBetween(range.from, range.to).map((day) => values.get(day)!)));
    return { summary: { average, distinct: await this.distinct(range, filters, daily) }, data };
  }

  // The devices active on any day of the range: a range of 1, 7 or 30 days is the DAU, WAU or MAU of
  // its last day, when that is at hand; otherwise counted.
  private async distinct(range: DateRange, filters: Filters, daily: Map<number, Map<string, number>>): Promise<number> {
    const known = daily.get(daysBetween(range.from, range.to) + 1)?.get(range.to);
    return known ?? this.repository.distinctDevices(range, filters);
  }

  // DAU, WAU and MAU of each day of the range, from the stored changes (all apps, or one app).
  private async storedActive(range: DateRange, app: string | undefined): Promise<Map<number, Map<string, number>>> {
    const changes = await this.repository.activeChanges(range.to, app);
    const daily = new Map<number, Map<string, number>>([1, 7, 30].map((window) => [window, new Map()]));
    const running = { dau: 0, wau: 0, mau: 0 };
    let next = 0;
    for (const day of datesBetween(changes[0] && changes[0].day < range.from ? changes[0].day : range.from, range.to)) {
      for (; next < changes.length && changes[next].day === day; next++) addChange(running, changes[next]);
      if (day < range.from) continue;
      for (const window of [1, 7, 30] as const) daily.get(window)!.set(day, running[WINDOW_COLUMN[window]]);
    }
    return daily;
  }

  // One window's values under filters the stored changes do not cover.
  private async filteredActive(windowDays: number, range: DateRange, filters: Filters): Promise<Map<number, Map<string, number>>> {
    const firstDay = addDays(range.from, 1 - windowDays);
    const changes = new Map(
      (await this.repository.filteredActiveChanges(firstDay, range.to, filters, windowDays)).map((row) => [row.day, row.value]),
    );
    const values = new Map<string, number>();
    let running = 0;
    for (const day of datesBetween(firstDay, range.to)) {
      running += changes.get(day) ?? 0;
      if (day >= range.from) values.set(day, running);
    }
    return new Map([[windowDays, values]]);
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

function addChange(running: { dau: number; wau: number; mau: number }, change: ActiveChange): void {
  running.dau += change.dau;
  running.wau += change.wau;
  running.mau += change.mau;
}

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
export function round2(value: number): number {
  return Math.round((value + Number.EPSILON) * 100) / 100;
}
