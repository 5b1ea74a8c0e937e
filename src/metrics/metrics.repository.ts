import { Inject, Injectable, Logger } from '@nestjs/common';
import { Connections } from '../database/connections.js';
import { SqlCatalog } from '../database/sql-catalog.js';
import { DomainError } from '../common/domain-error.js';
import type { DateRange, Granularity } from './date-range.js';

export type Filters = { app?: string; os?: string; country?: string; channel?: string };
export type DayValue = { day: string; value: number };
export type DayTotal = { day: string; total: number; samples: number };
export type ChannelValue = { channel: string; value: number };
export type BucketChannelValue = { bucket: string; channel: string; value: number };
export type CohortDay = { day: string; installs: number; d1: number; d7: number; d30: number };
export type ActiveCounts = { dau: number; wau: number; mau: number };
export type ActiveChange = { day: string } & ActiveCounts;
export type ActiveChanges = { before: ActiveCounts; days: ActiveChange[] };
export type BuildSettings = { REPORT_TIMEZONE: string; REGISTRATION_EVENTS: string; SESSION_LENGTH_FIELD: string };
// changedFrom: the first day the loads after the version asked about changed (null: any day may have)
export type Freshness = { loadedAt: string | null; dataThrough: string | null; changedBy: number | null; changedFrom: string | null };

// Runs sql/metrics/*.sql on the warehouse; `pg` returns SUM and COUNT as strings: numbers are made here.
@Injectable()
export class MetricsRepository {
  private readonly logger = new Logger('Metrics');

  constructor(
    @Inject(Connections) private readonly connections: Connections,
    @Inject(SqlCatalog) private readonly sql: SqlCatalog,
  ) {}

  // The statements below are named by the klip registry (klips.ts): one number per day (count kinds)…
  async dayValues(statement: string, range: DateRange, filters: Filters): Promise<DayValue[]> {
    const rows = await this.query<{ day: string; value: string }>(statement, [...dayRange(range), ...filterValues(filters)]);
    return rows.map((row) => ({ day: row.day, value: Number(row.value) }));
  }

  // …a total and the number of samples it adds up per day (averages: buckets take total / samples)…
  async dayTotals(statement: string, range: DateRange, filters: Filters): Promise<DayTotal[]> {
    const rows = await this.query<{ day: string; total: string; samples: string }>(statement, [
      ...dayRange(range),
      ...filterValues(filters),
    ]);
    return rows.map((row) => ({ day: row.day, total: Number(row.total), samples: Number(row.samples) }));
  }

  // …a number per channel over the range, and per bucket and channel (by-channel kinds).
  async channelValues(statement: string, range: DateRange, filters: Filters): Promise<ChannelValue[]> {
    const rows = await this.query<{ channel: string; value: string }>(statement, [...dayRange(range), ...filterValues(filters)]);
    return rows.map((row) => ({ channel: row.channel, value: Number(row.value) }));
  }

  async bucketChannelValues(
    statement: string,
    range: DateRange,
    filters: Filters,
    granularity: Granularity,
  ): Promise<BucketChannelValue[]> {
    const rows = await this.query<{ bucket: string; channel: string; value: string }>(statement, [
      ...dayRange(range),
      ...filterValues(filters),
      granularity,
    ]);
    return rows.map((row) => ({ bucket: row.bucket, channel: row.channel, value: Number(row.value) }));
  }

  // …the cohorts of each install day: their size and how many of them were retained (retention)…
  async cohortDays(statement: string, range: DateRange, filters: Filters): Promise<CohortDay[]> {
    const rows = await this.query<Record<keyof CohortDay, string>>(statement, [...dayRange(range), ...filterValues(filters)]);
    return rows.map((row) => ({
      day: row.day,
      installs: Number(row.installs),
      d1: Number(row.d1),
      d7: Number(row.d7),
      d30: Number(row.d30),
    }));
  }

  // The stored DAU/WAU/MAU changes under the filters: their sums before the range (the counts of the day
  // before it), then each day's of the range, in day order. The scope is the filtered dimensions
  // (stg.active_scope), and a dimension not filtered is stored as ''.
  async activeChanges(statement: string, range: DateRange, filters: Filters): Promise<ActiveChanges> {
    const filtered = FILTER_NAMES.filter((name) => filters[name] !== undefined);
    const scope = filtered.length === 0 ? 'all' : filtered.join('+');
    const values = FILTER_NAMES.map((name) => filters[name] ?? '');
    const [before, ...days] = await this.query<ActiveChangeRow>(statement, [...dayRange(range), scope, ...values]);
    const counts = (row: ActiveChangeRow) => ({ dau: Number(row.dau), wau: Number(row.wau), mau: Number(row.mau) });
    return { before: counts(before), days: days.map((row) => ({ day: row.day!, ...counts(row) })) };
  }

  async distinctDevices(statement: string, range: DateRange, filters: Filters): Promise<number> {
    const rows = await this.query<{ devices: string }>(statement, [...dayRange(range), ...filterValues(filters)]);
    return Number(rows[0].devices);
  }

  // `since`: the data version the reader holds
  async freshness(since: number | null): Promise<Freshness> {
    const rows = await this.query<FreshnessRow>('freshness', [since]);
    const row = rows[0];
    return {
      loadedAt: row?.loaded_at ? row.loaded_at.toISOString() : null,
      dataThrough: row?.data_through ? row.data_through.toISOString() : null,
      changedBy: row?.changed_by == null ? null : Number(row.changed_by),
      changedFrom: row?.changed_from ?? null,
    };
  }

  // The settings the rollups were built with, or null before the first build.
  async buildSettings(): Promise<BuildSettings | null> {
    const [row] = await this.query<{ timezone: string; registration_events: string; session_length_field: string }>(
      'refresh/settings/build-settings',
      [],
    );
    if (!row) return null;
    return { REPORT_TIMEZONE: row.timezone, REGISTRATION_EVENTS: row.registration_events, SESSION_LENGTH_FIELD: row.session_length_field };
  }

  private async query<Row>(name: string, params: unknown[]): Promise<Row[]> {
    if (!this.connections.warehouseReady) throw new DomainError('UNAVAILABLE', 'The warehouse is not reachable yet; try again shortly');
    try {
      return await this.connections.warehouse.query(this.sql.get(`metrics/${name}`), params);
    } catch (error) {
      this.logger.warn(`sql/metrics/${name}.sql failed: ${(error as Error).message}`);
      throw new DomainError('UNAVAILABLE', 'The warehouse did not answer; try again shortly');
    }
  }
}

type FreshnessRow = { loaded_at: Date | null; data_through: Date | null; changed_by: string | null; changed_from: string | null };
type ActiveChangeRow = { day: string | null; dau: string | number; wau: string | number; mau: string | number };
// in the order of stg.active_scope's names ('app+os+country+channel')
const FILTER_NAMES = ['app', 'os', 'country', 'channel'] as const;

function dayRange(range: DateRange): string[] {
  return [range.from, range.to];
}

function filterValues(filters: Filters): (string | null)[] {
  return [filters.app ?? null, filters.os ?? null, filters.country ?? null, filters.channel ?? null];
}
