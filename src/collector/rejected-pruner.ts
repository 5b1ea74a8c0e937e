import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { CallbackRepository } from './callback.repository.js';

const DAY_MS = 86_400_000;
// often enough that nothing stays much longer than the retention; every replica prunes, which is harmless
const PRUNE_EVERY_MS = 60 * 60 * 1000;
// rows per DELETE: short statements, however many expired at once
const BATCH = 5_000;

// Refused callbacks are kept for inspection and replay for REJECTED_RETENTION_DAYS, then forgotten: at
// start and every hour. Its own small timer, apart from the ETL's schedule.
@Injectable()
export class RejectedPruner implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Collector');
  private timer?: NodeJS.Timeout;
  private running: Promise<number> | null = null;

  constructor(
    @Inject(AppConfig) private readonly config: AppConfig,
    @Inject(CallbackRepository) private readonly repository: CallbackRepository,
  ) {}

  onApplicationBootstrap(): void {
    void this.pruneLogged();
    this.timer = setInterval(() => void this.pruneLogged(), PRUNE_EVERY_MS).unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running?.catch(() => undefined); // the connections close after this
  }

  // Deletes every refused callback older than the retention at `now`; returns how many.
  async prune(now = new Date()): Promise<number> {
    const before = new Date(now.getTime() - this.config.collector.rejectedRetentionDays * DAY_MS);
    let deleted = 0;
    for (let batch = BATCH; batch === BATCH; deleted += batch) batch = await this.repository.pruneRejected(before, BATCH);
    return deleted;
  }

  private async pruneLogged(): Promise<void> {
    if (this.running) return;
    this.running = this.prune();
    try {
      const deleted = await this.running;
      const days = this.config.collector.rejectedRetentionDays;
      if (deleted > 0) this.logger.log(`Forgot ${deleted} refused callback(s) kept longer than ${days} days (REJECTED_RETENTION_DAYS)`);
    } catch (error) {
      this.logger.warn(`Pruning refused callbacks failed (retried in an hour): ${(error as Error).message}`);
    } finally {
      this.running = null;
    }
  }
}
