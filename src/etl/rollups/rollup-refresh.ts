import { addDays, zonedMidnight } from '../../common/zoned-time.js';
import { utcTimestamp } from '../../database/pg-client.js';
import type { SqlCatalog } from '../../database/sql-catalog.js';
import type { AppConfig } from '../../config/app-config.js';
import type { EtlMode } from '../etl-run.js';
import type { SqlClient } from '../warehouse/warehouse-session.js';

export type RollupSettings = AppConfig['report'];

// What a load brought, by the merge's own bounds, and the days it touched (its rows' own days, and in
// window mode every day of the window).
export type RollupRefreshRequest = { runId: number; mode: EtlMode; afterId: string; windowStart: Date | null; days: string[] };

// The last active day whose 30-day window still contains a given day is 29 days later; its change
// (a device leaving the window) lands 30 days later.
const ACTIVE_WINDOW_DAYS = 30;
// Days whose every activity is recounted, and days whose installs alone are.
type RecountDays = { activities: string[]; installs: string[] };

// Outside window mode the updated-installs lookup has no window: a bound no row reaches.
const NO_WINDOW = new Date('9999-01-01T00:00:00Z');

// Recounts the rollups the metrics API reads, inside the merge transaction, for the days the load
// touched: readers see the old rollups until the commit, then the new ones with the new rows. A rebuild,
// or the first load after the rollups appeared, builds them from every activity.
export class RollupRefresh {
  constructor(
    private readonly client: SqlClient,
    private readonly sql: SqlCatalog,
    private readonly settings: RollupSettings,
  ) {}

  // The days recounted, sorted.
  async run(request: RollupRefreshRequest): Promise<string[]> {
    const fullBuild = request.mode === 'rebuild' || !(await this.isBuilt());
    await this.useRegistrationEvents();
    const days: RecountDays = fullBuild ? { activities: await this.allDays(), installs: [] } : await this.touchedDays(request);
    if (fullBuild) await this.clear();
    const recounted = [...days.activities, ...days.installs].sort();
    if (recounted.length > 0) await this.recount(request, days, recounted, fullBuild);
    if (fullBuild) await this.recordSettings(request.runId);
    return recounted;
  }

  private async recount(request: RollupRefreshRequest, days: RecountDays, recounted: string[], fullBuild: boolean): Promise<void> {
    const { timezone, sessionLengthField } = this.settings;
    await this.query('refresh/clear-days');
    for (const day of recounted) await this.query('refresh/add-day', [day, ...this.scan(day, day), days.activities.includes(day)]);
    await this.query('refresh/delete-installs');
    for (const day of recounted) await this.query('refresh/insert-installs', [day, ...this.scan(day, day)]);
    if (days.activities.length > 0) {
      const scan = this.scan(days.activities[0], days.activities.at(-1)!);
      await this.query('refresh/delete-counts');
      await this.query('refresh/insert-counts', [timezone, sessionLengthField, ...scan]);
      await this.recountActiveDevices(request, days.activities, scan, fullBuild);
    }
    await this.query('refresh/clear-days');
  }

  // A device's activity on day d moves the windows of d … d + 30: the changes of those days move by
  // what the recounted devices contributed before and contribute after (a full build: every device).
  private async recountActiveDevices(request: RollupRefreshRequest, days: string[], scan: string[], fullBuild: boolean): Promise<void> {
    const [first, last] = [days[0], addDays(days.at(-1)!, ACTIVE_WINDOW_DAYS)];
    const contributions = (sign: number) => [first, last, addDays(first, -ACTIVE_WINDOW_DAYS), sign];
    await this.query('refresh/clear-active-change-work');
    await this.query('refresh/copy-active-changes', [first, last]);
    await this.query('refresh/clear-devices');
    if (!fullBuild) {
      // an arrival load changes only its own rows' devices; a window load may repair anyone's day
      if (request.mode === 'arrival') await this.query('refresh/add-loaded-devices', [request.afterId]);
      else await this.query('refresh/add-devices', scan);
      await this.query('refresh/add-active-changes', contributions(-1));
    }
    await this.query('refresh/delete-active-devices');
    await this.query('refresh/insert-active-devices', scan);
    if (fullBuild) await this.query('refresh/add-all-devices');
    await this.query('refresh/add-active-changes', contributions(1));
    await this.query('refresh/delete-active-changes', [first, last]);
    await this.query('refresh/merge-active-changes');
    await this.query('refresh/clear-active-change-work');
    await this.query('refresh/clear-devices');
  }

  // The load's own days (all their activities), and the days of installs whose dynamic channel an
  // install_update in the load may move (their installs alone).
  private async touchedDays(request: RollupRefreshRequest): Promise<RecountDays> {
    const { rows } = await this.query('refresh/updated-install-days', [
      this.settings.timezone,
      request.afterId,
      utcTimestamp(request.windowStart ?? NO_WINDOW),
    ]);
    const activities = [...new Set(request.days)].sort();
    const installs = [...new Set(rows.map((row) => row.day as string))].filter((day) => !activities.includes(day)).sort();
    return { activities, installs };
  }

  // The first instant of `first` and the first instant after `last`, UTC: a scan's bounds.
  private scan(first: string, last: string): string[] {
    const { timezone } = this.settings;
    return [utcTimestamp(zonedMidnight(first, timezone)), utcTimestamp(zonedMidnight(addDays(last, 1), timezone))];
  }

  private async allDays(): Promise<string[]> {
    const { rows } = await this.query('refresh/all-days', [this.settings.timezone]);
    return rows.map((row) => row.day as string).sort();
  }

  private async isBuilt(): Promise<boolean> {
    const { rows } = await this.query('refresh/build-settings');
    return rows.length > 0;
  }

  private async clear(): Promise<void> {
    for (const name of ['refresh/clear-installs', 'refresh/clear-counts', 'refresh/clear-active-devices', 'refresh/clear-active-changes']) {
      await this.query(name);
    }
  }

  private async useRegistrationEvents(): Promise<void> {
    await this.query('refresh/clear-registration-events');
    for (const name of new Set(this.settings.registrationEvents)) await this.query('refresh/add-registration-event', [name]);
  }

  private async recordSettings(runId: number): Promise<void> {
    const { timezone, registrationEvents, sessionLengthField } = this.settings;
    await this.query('refresh/clear-build-settings');
    await this.query('refresh/record-build-settings', [
      runId,
      utcTimestamp(new Date()),
      timezone,
      registrationEvents.join(','),
      sessionLengthField,
    ]);
  }

  private query(name: string, params: unknown[] = []) {
    return this.client.query(this.sql.get(`metrics/${name}`), params);
  }
}
