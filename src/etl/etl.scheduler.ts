import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { CronJob } from 'cron';
import { AppConfig } from '../config/app-config.js';
import { EtlRunRepository } from './etl-run.repository.js';
import type { EtlRunRequest } from './etl-run.js';
import { EtlService } from './etl.service.js';

const RECONCILE_ATTEMPTS = 120;
const RECONCILE_RETRY_MS = 30_000;
// Failed continuous loads (a warehouse away) are tried again less and less often, up to this.
const MAX_BACKOFF_MS = 5 * 60_000;
// How often a continuous schedule asks again for a lease that another run holds.
const LEASE_POLL_MS = 1_000;

const ARRIVAL: EtlRunRequest = { trigger: 'schedule', mode: 'arrival' };

// The schedules and nothing else. ETL_SCHEDULE loads what arrived since the last load: continuously
// (the next load starts when the last one ended, no sooner than ETL_MIN_INTERVAL after the latest load
// on any replica started), or on a cron. ETL_RECONCILE_CRON re-reads the last ETL_WINDOW_DAYS days.
// Crons are in UTC; a cron tick while a run holds the lease is recorded as skipped.
@Injectable()
export class EtlScheduler implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('EtlSchedule');
  private stopped = false;
  private wake: (() => void) | null = null;
  private loop: Promise<void> | null = null;

  constructor(
    @Inject(SchedulerRegistry) private readonly registry: SchedulerRegistry,
    @Inject(EtlService) private readonly etl: EtlService,
    @Inject(EtlRunRepository) private readonly runs: EtlRunRepository,
    @Inject(AppConfig) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    const { schedule, reconcileCron } = this.config.etl;
    if (schedule.kind === 'cron') this.schedule('etl', schedule.expression, ARRIVAL);
    if (schedule.kind === 'continuous') {
      this.logger.log(`etl: arrival loads continuously, at most every ${schedule.minIntervalSeconds} s`);
      this.loop = this.continuous(schedule.minIntervalSeconds * 1000);
    }
    if (reconcileCron) this.schedule('etl-reconcile', reconcileCron, { trigger: 'reconcile', mode: 'window' });
  }

  // Before the ETL service waits for the run in progress: no new load starts once shutdown began.
  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.loop;
  }

  private schedule(name: string, cronTime: string, request: EtlRunRequest): void {
    const job = CronJob.from({ cronTime, timeZone: 'UTC', onTick: () => this.tick(request), start: true });
    this.registry.addCronJob(name, job);
    this.logger.log(`${name}: ${request.mode} loads on "${cronTime}" (UTC)`);
  }

  private async continuous(minIntervalMs: number): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      try {
        const secondsAgo = await this.runs.secondsSinceLastStart();
        const wait = Math.max(secondsAgo === null ? 0 : minIntervalMs - secondsAgo * 1000, backoff(minIntervalMs, failures));
        if (wait > 0 && failures === 0) {
          // another replica may start a load meanwhile: look again after the wait
          await this.sleep(wait);
          continue;
        }
        if (wait > 0) await this.sleep(wait);
        if (this.stopped) return;
        const run = await this.etl.runIfFree(ARRIVAL);
        // another run holds the lease (a replica's, a repair, the command line): start as soon as it ends
        if (!run) await this.sleep(Math.min(minIntervalMs, LEASE_POLL_MS));
        else failures = run.status === 'failed' ? failures + 1 : 0;
      } catch (error) {
        // the run records its own failures; this is the source database refusing the lease or the record
        if (failures === 0) this.logger.error(`Continuous loads cannot start: ${(error as Error).message}`);
        failures++;
        await this.sleep(backoff(minIntervalMs, failures));
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    }).finally(() => (this.wake = null));
  }

  // A load holding the lease when the nightly reconciliation ticks would cost a night's repair: the
  // reconciliation waits for it (asking again every 30 s, for up to an hour); a skipped load does not.
  private async tick(request: EtlRunRequest): Promise<void> {
    try {
      const attempts = request.trigger === 'reconcile' ? RECONCILE_ATTEMPTS : 1;
      for (let attempt = 1; attempt <= attempts; attempt++) {
        if ((await this.etl.runToEnd(request)).status !== 'skipped') return;
        if (attempt < attempts) await new Promise((resolve) => setTimeout(resolve, RECONCILE_RETRY_MS));
      }
    } catch (error) {
      // the run records its own failures; this is the source database refusing the lease or the record
      this.logger.error(`Scheduled ${request.mode} load could not start: ${(error as Error).message}`);
    }
  }
}

// After n failures in a row, wait the interval times 2^(n-1), up to five minutes; none after a success.
function backoff(intervalMs: number, failures: number): number {
  return failures === 0 ? 0 : Math.min(MAX_BACKOFF_MS, intervalMs * 2 ** (failures - 1));
}
