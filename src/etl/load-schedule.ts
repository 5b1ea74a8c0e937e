import { CronTime } from 'cron';

// When arrival-mode loads run (ETL_SCHEDULE): one after the other, each starting when the last one ended
// but no sooner than the minimum interval after the last one started; on a cron schedule (UTC); or
// never (only the API and the command line start them).
export type EtlSchedule = { kind: 'continuous'; minIntervalSeconds: number } | { kind: 'cron'; expression: string } | { kind: 'off' };

// A continuous schedule is stale after two intervals, but never sooner than this: a load under heavy
// traffic may take a few seconds more than the interval, and a minute is the lag the product promises.
const CONTINUOUS_STALE_FLOOR_MS = 60_000;
// What Cache-Control's max-age leaves a cron load to finish: a client that asked again at the tick itself
// would get the old answer, good for a whole interval more.
const CRON_LOAD_GRACE_SECONDS = 60;

// What the rest of the service derives from the schedule: how often loads come, how long an answer may
// be cached, when the data counts as stale, and how the banner says it.
export class LoadSchedule {
  private readonly cron: CronTime | null;

  constructor(readonly schedule: EtlSchedule) {
    this.cron = schedule.kind === 'cron' ? new CronTime(schedule.expression, 'UTC') : null;
  }

  // The time between two loads (for a cron schedule, between its next two ticks); null when off.
  intervalMs(): number | null {
    if (this.schedule.kind === 'continuous') return this.schedule.minIntervalSeconds * 1000;
    if (!this.cron) return null;
    const [next, afterNext] = this.cron.sendAt(2);
    return afterNext.toMillis() - next.toMillis();
  }

  // Cache-Control max-age: until the next load can have brought new data (0 when nothing is scheduled).
  maxAgeSeconds(now = Date.now()): number {
    if (this.schedule.kind === 'continuous') return this.schedule.minIntervalSeconds;
    if (!this.cron) return 0;
    return Math.max(0, Math.ceil((this.cron.sendAt().toMillis() - now) / 1000)) + CRON_LOAD_GRACE_SECONDS;
  }

  // The last successful load is older than two intervals (never loaded: stale; no schedule: never).
  isStale(loadedAt: string | null, now = Date.now()): boolean {
    if (!loadedAt) return true;
    const interval = this.intervalMs();
    if (interval === null) return false;
    const floor = this.schedule.kind === 'continuous' ? CONTINUOUS_STALE_FLOOR_MS : 0;
    return now - Date.parse(loadedAt) > Math.max(2 * interval, floor);
  }

  describe(): string {
    switch (this.schedule.kind) {
      case 'continuous':
        return `continuously (at most every ${this.schedule.minIntervalSeconds} s)`;
      case 'cron':
        return `on "${this.schedule.expression}" (UTC)`;
      case 'off':
        return 'off (ETL_SCHEDULE=off)';
    }
  }
}
