import { addDays, zonedMidnight } from '../../common/zoned-time.js';
import { utcTimestamp } from '../../database/pg-client.js';
import type { SqlCatalog } from '../../database/sql-catalog.js';
import type { AppConfig } from '../../config/app-config.js';
import type { EtlMode } from '../etl-run.js';
import type { SqlClient } from '../warehouse/warehouse-session.js';
import { moveActiveWindows } from './active-windows.js';
import { addLoadRows } from './delta-refresh.js';
import { addRecountDays } from './recount-days.js';
import { RefreshQueries, valuesList } from './refresh-queries.js';
import { createRetentionWork, refreshRetention } from './retention.js';
import { ACTIVE_CHANGE, ACTIVE_DEVICE_WORK, createWork, DAILY_COUNTS, DAILY_INSTALLS } from './rollup-tables.js';

export type RollupSettings = AppConfig['report'];

// What a load brought, by the merge's own bounds: its rows' own days, in window mode every day of the
// window; how many rows, whether they wait in the session's stage_adjust, and how many warehouse rows its
// deletes replaced.
export type RollupRefreshRequest = {
  runId: number;
  mode: EtlMode;
  afterId: string;
  windowStart: Date | null;
  days: string[];
  rows: number;
  loadRowsKept: boolean;
  replacedRows: number;
};

// Days whose every activity is recounted, and days whose installs alone are.
type RecountDays = { activities: string[]; installs: string[] };

// Outside window mode the updated-installs lookup has no window: a bound no row reaches.
const NO_WINDOW = new Date('9999-01-01T00:00:00Z');

// Keeps the rollups the metrics API reads, inside the merge transaction: readers see the old rollups
// until the commit, then the new ones with the new rows. Three ways, by what the load is:
// - an arrival load adds what its own rows change (delta-refresh.ts): the near-real-time path;
// - a window run (the repair), or an arrival load that replaced rows (the first one after an upgrade
//   from the time-based resume point), recounts every day it touched;
// - a rebuild, or the first load after the rollups appeared, builds them from every activity.
export class RollupRefresh {
  private readonly queries: RefreshQueries;

  constructor(
    client: SqlClient,
    sql: SqlCatalog,
    private readonly settings: RollupSettings,
  ) {
    this.queries = new RefreshQueries(client, sql, settings.timezone);
  }

  // The days whose numbers the refresh recounted or moved, sorted.
  async run(request: RollupRefreshRequest): Promise<string[]> {
    const fullBuild = request.mode === 'rebuild' || !(await this.isBuilt());
    const delta = !fullBuild && request.mode === 'arrival' && request.loadRowsKept && request.replacedRows === 0;
    // a continuous schedule's loads often find nothing new: nothing to add
    if (delta && request.rows === 0) return [];
    await this.useRegistrationEvents();
    await this.createWorkTables(delta);
    let days: string[];
    if (delta) days = [...request.days, ...(await addLoadRows(this.queries, this.settings))];
    else days = await this.recountDays(request, fullBuild);
    await this.queries.run('refresh/work/drop');
    if (fullBuild) await this.recordSettings(request.runId);
    return [...new Set(days)].sort();
  }

  private async recountDays(request: RollupRefreshRequest, fullBuild: boolean): Promise<string[]> {
    const days: RecountDays = fullBuild ? { activities: await this.allDays(), installs: [] } : await this.touchedDays(request);
    if (fullBuild) await this.clear();
    const recounted = [...days.activities, ...days.installs].sort();
    if (recounted.length === 0) return [];
    await this.recount(days, recounted, fullBuild);
    // after stg.active_device: the cohorts read the devices' active days
    const cohortDays = await refreshRetention(
      this.queries,
      fullBuild ? { of: 'all' } : { of: 'days', scan: this.scan(recounted[0], recounted.at(-1)!) },
    );
    return [...recounted, ...cohortDays];
  }

  private async recount(days: RecountDays, recounted: string[], fullBuild: boolean): Promise<void> {
    const { timezone, sessionLengthField } = this.settings;
    // set-based: every day in refresh_day, each statement once for all of them
    await addRecountDays(this.queries, days, timezone);
    await this.queries.run('refresh/delete-installs');
    await this.queries.run('refresh/insert-installs', this.scan(recounted[0], recounted.at(-1)!));
    if (days.activities.length === 0) return;
    const scan = this.scan(days.activities[0], days.activities.at(-1)!);
    await this.queries.run('refresh/delete-counts');
    await this.queries.run('refresh/insert-counts', [sessionLengthField, ...scan]);
    // the devices whose active days may change: everyone active on those days, before or after (a full
    // build: every device, once stg.active_device is filled)
    if (!fullBuild) await this.queries.run('refresh/add-devices', scan);
    const recountDevices = async () => {
      await this.queries.run('refresh/delete-active-devices');
      await this.queries.run('refresh/insert-active-devices', scan);
      if (fullBuild) await this.queries.run('refresh/add-all-devices');
    };
    await moveActiveWindows(this.queries, { first: days.activities[0], last: days.activities.at(-1)! }, recountDevices, {
      before: !fullBuild,
    });
  }

  // The load's own days (all their activities), and the days of installs whose dynamic channel an
  // install_update in the load may move (their installs alone).
  private async touchedDays(request: RollupRefreshRequest): Promise<RecountDays> {
    const { rows } = await this.queries.run('refresh/updated-install-days', [
      request.afterId,
      utcTimestamp(request.windowStart ?? NO_WINDOW),
    ]);
    const activities = [...new Set(request.days)].sort();
    const installs = [...new Set(rows.map((row) => row.day as string))].filter((day) => !activities.includes(day)).sort();
    return { activities, installs };
  }

  private async createWorkTables(delta: boolean): Promise<void> {
    await this.queries.run('refresh/work/create-refresh-device');
    await createWork(this.queries, ACTIVE_CHANGE);
    await createRetentionWork(this.queries);
    if (!delta) {
      await this.queries.run('refresh/work/create-refresh-day');
      return;
    }
    await this.queries.run('refresh/work/create-load-rows');
    for (const work of [ACTIVE_DEVICE_WORK, DAILY_INSTALLS, DAILY_COUNTS]) await createWork(this.queries, work);
  }

  // The first instant of `first` and the first instant after `last`, UTC: a scan's bounds.
  private scan(first: string, last: string): string[] {
    const { timezone } = this.settings;
    return [utcTimestamp(zonedMidnight(first, timezone)), utcTimestamp(zonedMidnight(addDays(last, 1), timezone))];
  }

  private async allDays(): Promise<string[]> {
    const { rows } = await this.queries.run('refresh/all-days');
    return rows.map((row) => row.day as string).sort();
  }

  private async isBuilt(): Promise<boolean> {
    const { rows } = await this.queries.run('refresh/build-settings');
    return rows.length > 0;
  }

  private async clear(): Promise<void> {
    for (const name of [
      'refresh/clear-installs',
      'refresh/clear-counts',
      'refresh/clear-active-devices',
      'refresh/clear-active-changes',
      'refresh/clear-cohort-devices',
      'refresh/clear-retention',
    ]) {
      await this.queries.run(name);
    }
  }

  // The event names that count as registrations, written again only when REGISTRATION_EVENTS changed.
  private async useRegistrationEvents(): Promise<void> {
    const wanted = [...new Set(this.settings.registrationEvents)].sort();
    const { rows } = await this.queries.run('refresh/registration-events');
    const stored = rows.map((row) => row.name as string).sort();
    if (JSON.stringify(stored) === JSON.stringify(wanted)) return;
    await this.queries.run('refresh/clear-registration-events');
    // config validation keeps the list to a few thousand bytes: one statement
    if (wanted.length > 0) await this.queries.runWith('refresh/add-registration-events', { rows: valuesList(wanted.length, 1) }, wanted);
  }

  private async recordSettings(runId: number): Promise<void> {
    const { timezone, registrationEvents, sessionLengthField } = this.settings;
    await this.queries.run('refresh/clear-build-settings');
    await this.queries.run('refresh/record-build-settings', [
      runId,
      utcTimestamp(new Date()),
      timezone,
      registrationEvents.join(','),
      sessionLengthField,
    ]);
  }
}
