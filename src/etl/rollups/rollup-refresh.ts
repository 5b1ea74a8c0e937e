// The rollups, as one module. The rollups the klips read (stg.daily_*, stg.active_*, stg.cohort_device)
// are kept here, inside the ETL's merge transaction; each part's code is a file of src/etl/rollups and
// its SQL the folder of sql/metrics/refresh with the same name:
//   rollup-refresh.ts   this file: which path a load takes, and each path's steps in order (REFRESH_PATHS)
//   delta.ts            delta/           the arrival delta: what an arrival load's own rows change
//   recount.ts          recount/         a recount of the days a load touched (window run, replaced rows)
//   full-build.ts       full-build/      a build from every activity (rebuild, first load, new settings)
//   active-windows.ts   active-windows/  DAU/WAU/MAU window changes moved by device
//   retention.ts        retention/       cohorts moved by device
//   settings.ts         settings/        REGISTRATION_EVENTS and the settings a build used
//   rollup-tables.ts    work/ merge/     the rollup tables, their work tables, a work table merged in
//   refresh-step.ts                      the kinds of step and the walk through them
//   refresh-queries.ts                   the statements on the merge's connection ({report_timezone})
//   (SqlCatalog)        fragments/       the app, channel and revenue every rollup counts by, written once
// Migrations (sql/migrations/warehouse/*/) create the tables; sql/metrics/*.sql read them.
import type { SqlCatalog } from '../../database/sql-catalog.js';
import type { SqlClient } from '../warehouse/warehouse-session.js';
import { ARRIVAL_DELTA } from './delta.js';
import { FULL_BUILD } from './full-build.js';
import { RECOUNT } from './recount.js';
import { RefreshQueries } from './refresh-queries.js';
import {
  type RefreshState,
  type RollupRefreshRequest,
  type RollupSettings,
  type Step,
  step,
  walkSteps,
  type WalkListener,
} from './refresh-step.js';
import { RECORD_BUILD_SETTINGS, REGISTRATION_EVENTS } from './settings.js';

export type { RollupRefreshRequest, RollupSettings } from './refresh-step.js';

export type RefreshPath = 'arrivalDelta' | 'recount' | 'fullBuild';

// Every path's steps, in the order RollupRefresh runs them: the settings first (registrations count by
// them), the work tables dropped at the end (so the pooled connection starts the next load without them).
export const REFRESH_PATHS: Record<RefreshPath, Step[]> = {
  arrivalDelta: [...REGISTRATION_EVENTS, ...ARRIVAL_DELTA, step('refresh/work/drop')],
  recount: [...REGISTRATION_EVENTS, ...RECOUNT, step('refresh/work/drop')],
  fullBuild: [...REGISTRATION_EVENTS, ...FULL_BUILD, step('refresh/work/drop'), ...RECORD_BUILD_SETTINGS],
};

// Keeps the rollups the metrics API reads, inside the merge transaction: readers see the old rollups
// until the commit, then the new ones with the new rows. Three paths, by what the load is:
// - an arrival load adds what its own rows change (delta.ts): the near-real-time path;
// - a window run (the repair), or an arrival load that replaced rows (the first one after an upgrade
//   from the time-based resume point), recounts every day it touched (recount.ts);
// - a rebuild, or the first load after the rollups appeared, builds them from every activity (full-build.ts).
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
  // `listener` hears how far the refresh has come (see walkSteps).
  async run(request: RollupRefreshRequest, listener?: WalkListener): Promise<string[]> {
    const path = await this.pathOf(request);
    // a continuous schedule's loads often find nothing new: nothing to add
    if (path === 'arrivalDelta' && request.rows === 0) return [];
    const state: RefreshState = {
      settings: this.settings,
      request,
      days: { activities: [], installs: [] },
      activeDays: null,
      eventsChanged: false,
      moved: path === 'arrivalDelta' ? [...request.days] : [],
    };
    await walkSteps(this.queries, REFRESH_PATHS[path], state, listener);
    return [...new Set(state.moved)].sort();
  }

  private async pathOf(request: RollupRefreshRequest): Promise<RefreshPath> {
    if (request.mode === 'rebuild' || !(await this.isBuilt())) return 'fullBuild';
    const delta = request.mode === 'arrival' && request.loadRowsKept && request.replacedRows === 0;
    return delta ? 'arrivalDelta' : 'recount';
  }

  private async isBuilt(): Promise<boolean> {
    const { rows } = await this.queries.run('refresh/settings/build-settings');
    return rows.length > 0;
  }
}
