import { Inject, Injectable } from '@nestjs/common';
import { DomainError } from '../common/domain-error.js';
import { addDays, datesBetween, daysBetween } from '../common/zoned-time.js';
import { type Bucket, buckets, type DateRange, type Granularity } from './date-range.js';
import { KLIP_ENTRIES, type Klip, type KlipEntry, type RetentionField } from './klips.js';
import { type ActiveChanges, type CohortDay, type Filters, MetricsRepository } from './metrics.repository.js';

export type MetricRow = { date?: string; channel?: string; value?: number | null } & Partial<Record<RetentionField, number | null>>;
export type MetricSummary = { total?: number; average?: number | null; distinct?: number; arpdau?: number | null } & Partial<
  Record<RetentionField, number | null>
>;
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
// today: the report time zone's date when asked, which decides which retention days have ended
export type MetricRequest = { klip: Klip; range: DateRange; granularity: Granularity | null; filters: Filters; today: string };

type Body = Pick<MetricAnswer, 'summary' | 'data'>;
// The most rows an answer may have: what its computation costs grows with them (see docs/hardening.md's figures).
export const MAX_ANSWER_ROWS = 5_000;
type Window = 'dau' | 'wau' | 'mau';
// the rollup's columns of the windows of 1, 7 and 30 days
const WINDOW_COLUMN: Record<number, Window | undefined> = { 1: 'dau', 7: 'wau', 30: 'mau' };
type ActiveUsersEntry = Extract<KlipEntry, { kind: 'active-users' }>;
type ByChannelEntry = Extract<KlipEntry, { kind: 'by-channel' }>;
type RevenueEntry = Extract<KlipEntry, { kind: 'revenue' }>;
// a retention share counts the cohort days whose day c + N has ended
const RETENTION_DAYS = { d1: 1, d7: 7, d30: 30 } as const;

// Turns the rollups' rows into a klip's answer: every bucket present (0, or null for a mean), bucket
// values and the summary as metrics.md says (sums, weighted means, means of daily values).
@Injectable()
export class MetricAnswers {
  constructor(@Inject(MetricsRepository) private readonly repository: MetricsRepository) {}

  async compute(request: MetricRequest, timezone: string): Promise<MetricAnswer> {
    const { klip, range, granularity, filters } = request;
    const entry = KLIP_ENTRIES[klip];
    const body = await this.body(entry, request);
    return { metric: klip, unit: entry.unit, from: range.from, to: range.to, granularity, timezone, filters, ...body };
  }

  private body(entry: KlipEntry, { range, granularity, filters, today }: MetricRequest): Promise<Body> {
    const bucketsOf = buckets(range, granularity ?? 'day');
    switch (entry.kind) {
      case 'count':
        return this.count(entry.sql.days, range, filters, bucketsOf);
      case 'average':
        return this.average(entry.sql.days, range, filters, bucketsOf);
      case 'active-users':
        return this.activeUsers(entry, range, filters, bucketsOf);
      case 'by-channel':
        return this.byChannel(entry, range, filters, granularity, bucketsOf);
      case 'revenue':
        return this.revenue(entry, range, filters, bucketsOf);
      case 'retention':
        return this.retention(entry.sql.cohorts, range, filters, bucketsOf, today);
    }
  }

  private async count(statement: string, range: DateRange, filters: Filters, bucketsOf: Bucket[]): Promise<Body> {
    const byDay = new Map((await this.repository.dayValues(statement, range, filters)).map((row) => [row.day, row.value]));
    const data = bucketsOf.map((bucket) => ({ date: bucket.label, value: sum(bucket.days.map((day) => byDay.get(day) ?? 0)) }));
    return { summary: { total: sum(data.map((row) => row.value)) }, data };
  }

  private async average(statement: string, range: DateRange, filters: Filters, bucketsOf: Bucket[]): Promise<Body> {
    const byDay = new Map((await this.repository.dayTotals(statement, range, filters)).map((row) => [row.day, row]));
    const totalsOf = (days: string[]) => ({
      total: sum(days.map((day) => byDay.get(day)?.total ?? 0)),
      samples: sum(days.map((day) => byDay.get(day)?.samples ?? 0)),
    });
    const data = bucketsOf.map((bucket) => ({ date: bucket.label, value: weightedMean(totalsOf(bucket.days)) }));
    return { summary: { average: weightedMean(totalsOf(datesBetween(range.from, range.to))) }, data };
  }

  // Sums of exact (micro-dollar) daily revenue, rounded to cents only when shown; ARPDAU divides the
  // range's revenue by the sum of its daily DAU under the same filters.
  private async revenue(entry: RevenueEntry, range: DateRange, filters: Filters, bucketsOf: Bucket[]): Promise<Body> {
    const [days, changes] = await Promise.all([
      this.repository.dayValues(entry.sql.days, range, filters),
      this.repository.activeChanges(entry.sql.changes, range, filters),
    ]);
    const byDay = new Map(days.map((row) => [row.day, row.value]));
    const revenueOf = (dates: string[]) => sum(dates.map((day) => byDay.get(day) ?? 0));
    const data = bucketsOf.map((bucket) => ({ date: bucket.label, value: round(revenueOf(bucket.days), 2) }));
    const dates = datesBetween(range.from, range.to);
    const dau = runningSums(changes, range).dau;
    const dauDays = sum(dates.map((day) => dau.get(day)!));
    const total = revenueOf(dates);
    return { summary: { total: round(total, 2), arpdau: dauDays === 0 ? null : round(total / dauDays, 4) }, data };
  }

  // Per bucket of cohort days: the cohorts' installs, and for each N the devices retained on c + N over
  // the installs of the cohort days whose c + N has ended (null when none has, or they had no installs).
  private async retention(statement: string, range: DateRange, filters: Filters, bucketsOf: Bucket[], today: string): Promise<Body> {
    const byDay = new Map((await this.repository.cohortDays(statement, range, filters)).map((row) => [row.day, row]));
    const cohortsOf = (dates: string[]) => {
      const cohorts = dates.map((day) => byDay.get(day)).filter((cohort): cohort is CohortDay => cohort !== undefined);
      const share = (field: keyof typeof RETENTION_DAYS) => {
        const ended = cohorts.filter((cohort) => addDays(cohort.day, RETENTION_DAYS[field]) < today);
        const installs = sum(ended.map((cohort) => cohort.installs));
        return installs === 0 ? null : round(sum(ended.map((cohort) => cohort[field])) / installs, 4);
      };
      return { installs: sum(cohorts.map((cohort) => cohort.installs)), d1: share('d1'), d7: share('d7'), d30: share('d30') };
    };
    const data = bucketsOf.map((bucket) => ({ date: bucket.label, ...cohortsOf(bucket.days) }));
    return { summary: cohortsOf(datesBetween(range.from, range.to)), data };
  }

  private async activeUsers(entry: ActiveUsersEntry, range: DateRange, filters: Filters, bucketsOf: Bucket[]): Promise<Body> {
    const daily = runningSums(await this.repository.activeChanges(entry.sql.changes, range, filters), range);
    const values = daily[WINDOW_COLUMN[entry.windowDays]!];
    const data = bucketsOf.map((bucket) => ({ date: bucket.label, value: round(mean(bucket.days.map((day) => values.get(day)!)), 2) }));
    const average = round(mean(datesBetween(range.from, range.to).map((day) => values.get(day)!)), 2);
    // the devices active on any day of a range of 1, 7 or 30 days are its last day's DAU, WAU or MAU
    const span = WINDOW_COLUMN[daysBetween(range.from, range.to) + 1];
    const distinct = span ? daily[span].get(range.to)! : await this.repository.distinctDevices(entry.sql.distinct, range, filters);
    return { summary: { average, distinct }, data };
  }

  private async byChannel(
    entry: ByChannelEntry,
    range: DateRange,
    filters: Filters,
    granularity: Granularity | null,
    bucketsOf: Bucket[],
  ): Promise<Body> {
    const totals = new Map((await this.repository.channelValues(entry.sql.totals, range, filters)).map((row) => [row.channel, row.value]));
    // largest first; equal values by name, so the order never changes between two identical answers
    const channels = [...totals.keys()].sort((a, b) => totals.get(b)! - totals.get(a)! || (a < b ? -1 : a > b ? 1 : 0));
    const summary = { total: sum([...totals.values()]) };
    if (!granularity) return { summary, data: channels.map((channel) => ({ channel, value: totals.get(channel)! })) };
    // every bucket × every channel: the one answer whose size the range does not bound
    const cells = bucketsOf.length * channels.length;
    if (cells > MAX_ANSWER_ROWS) {
      throw new DomainError(
        'INVALID_REQUEST',
        `${entry.route} with granularity=${granularity} would have ${bucketsOf.length} buckets × ${channels.length} channels = ${cells} rows, at most ${MAX_ANSWER_ROWS}: ask for a shorter range, a coarser granularity, a channel filter, or no granularity`,
      );
    }
    const rows = await this.repository.bucketChannelValues(entry.sql.buckets, range, filters, granularity);
    const byCell = new Map(rows.map((row) => [`${row.bucket}|${row.channel}`, row.value]));
    const data = bucketsOf.flatMap((bucket) =>
      channels.map((channel) => ({ date: bucket.label, channel, value: byCell.get(`${bucket.label}|${channel}`) ?? 0 })),
    );
    return { summary, data };
  }
}

// DAU, WAU and MAU of each day of the range: the running sums of the changes, from their sums before
// the range on, so the walk covers the range's days only (at most 731), whatever the history.
function runningSums({ before, days }: ActiveChanges, range: DateRange): Record<Window, Map<string, number>> {
  const daily = { dau: new Map<string, number>(), wau: new Map<string, number>(), mau: new Map<string, number>() };
  const running = { ...before };
  let next = 0;
  for (const day of datesBetween(range.from, range.to)) {
    for (; next < days.length && days[next].day === day; next++) {
      for (const window of WINDOWS) running[window] += days[next][window];
    }
    for (const window of WINDOWS) daily[window].set(day, running[window]);
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

function weightedMean({ total, samples }: { total: number; samples: number }): number | null {
  return samples === 0 ? null : round(total / samples, 2);
}

// Means and money are answered rounded to 2 decimals, shares to 4 (metrics.md).
// Half away from zero, as decimal arithmetic would: 5.995 (5.99499… as a double) gives 6.
function round(value: number, decimals: number): number {
  const scale = 10 ** decimals;
  return (Math.sign(value) * Math.round(Math.abs(value) * scale + 1e-7)) / scale;
}
