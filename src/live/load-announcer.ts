import { Inject, Injectable, Logger, type OnApplicationBootstrap, Optional } from '@nestjs/common';
import { LoadEvents } from '../etl/load-events.js';
import { MetricsRepository } from '../metrics/metrics.repository.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { KlipfolioPush } from './klipfolio/klipfolio-push.js';
import { LoadSignal } from './load-signal.js';

// The committing process's part (one run at a time holds the lease, so exactly one process announces each
// load): when its load changed the data, it wakes the other replicas and queues the Klipfolio refresh.
// Every process follows the others' signals. None of it delays or fails the run.
@Injectable()
export class LoadAnnouncer implements OnApplicationBootstrap {
  private readonly logger = new Logger('Live');

  constructor(
    @Inject(LoadEvents) private readonly loads: LoadEvents,
    @Inject(MetricsRepository) private readonly repository: MetricsRepository,
    @Inject(MetricsService) private readonly metrics: MetricsService,
    @Inject(LoadSignal) private readonly signal: LoadSignal,
    @Optional() @Inject(KlipfolioPush) private readonly klipfolio: KlipfolioPush | null,
  ) {}

  onApplicationBootstrap(): void {
    this.loads.onCommitted(async (runId) => void this.announce(runId));
    this.signal.onSignal(() => void this.metrics.checkVersion());
  }

  private async announce(runId: number): Promise<void> {
    const changed = await this.changedBy(runId);
    if (changed) await this.signal.send(runId).catch((error: Error) => this.warn(runId, 'wake the other replicas', error));
    if (!this.klipfolio || changed === null) return;
    // Klipfolio's refresh may come back to this process: once it answers from the new data
    await this.metrics.checkVersion();
    this.klipfolio.loadCommitted(changed);
  }

  // The data's version is the latest load that changed it: this one, or an older one (null: unknown).
  private async changedBy(runId: number): Promise<boolean | null> {
    try {
      return (await this.repository.freshness(null)).changedBy === runId;
    } catch (error) {
      this.warn(runId, 'tell whether it changed the data', error as Error);
      return null;
    }
  }

  private warn(runId: number, what: string, error: Error): void {
    this.logger.warn(`run ${runId}: could not ${what}: ${error.message}`);
  }
}
