import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { CronJob } from 'cron';
import { AppConfig } from '../config/app-config.js';
import type { EtlRunRequest } from './etl-run.js';
import { EtlService } from './etl.service.js';

const RECONCILE_ATTEMPTS = 120;
const RECONCILE_RETRY_MS = 30_000;

// The cron and nothing else: ETL_CRON loads what arrived since the last load; ETL_RECONCILE_CRON
// re-reads the last ETL_WINDOW_DAYS days. Both in UTC. A tick while a run holds the lease is
// recorded as skipped.
@Injectable()
export class EtlScheduler implements OnApplicationBootstrap {
  private readonly logger = new Logger('EtlSchedule');

  constructor(
    @Inject(SchedulerRegistry) private readonly registry: SchedulerRegistry,
    @Inject(EtlService) private readonly etl: EtlService,
    @Inject(AppConfig) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    const { cron, reconcileCron } = this.config.etl;
    if (cron) this.schedule('etl', cron, { trigger: 'schedule', mode: 'arrival' });
    if (reconcileCron) this.schedule('etl-reconcile', reconcileCron, { trigger: 'reconcile', mode: 'window' });
  }

  private schedule(name: string, cronTime: string, request: EtlRunRequest): void {
    const job = CronJob.from({ cronTime, timeZone: 'UTC', onTick: () => this.tick(request), start: true });
    this.registry.addCronJob(name, job);
    this.logger.log(`${name}: ${request.mode} loads on "${cronTime}" (UTC)`);
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
