import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { KlipfolioPushConfig } from '../../config/app-config.js';
import type { KlipfolioClient, KlipfolioError } from './klipfolio.client.js';

export type RefreshSender = Pick<KlipfolioClient, 'refresh'>;

// Tells Klipfolio to refresh the configured data sources after the loads this process committed that
// changed the data, at most once per KLIPFOLIO_MIN_INTERVAL: a change during the quiet interval is
// pushed when the interval ends. A failed push is logged and tried again at the next load (no sooner
// than the interval, or Klipfolio's Retry-After when longer). Nothing here is awaited by a load.
export class KlipfolioPush implements OnApplicationShutdown {
  private readonly logger = new Logger('Klipfolio');
  private readonly stop = new AbortController();
  private readonly intervalMs: number;
  // a change Klipfolio has not been told of
  private owed = false;
  private notBefore = 0;
  private timer?: NodeJS.Timeout;
  private sending = false;

  constructor(
    private readonly config: KlipfolioPushConfig,
    private readonly client: RefreshSender,
  ) {
    this.intervalMs = config.minIntervalSeconds * 1000;
  }

  // After each load this process committed; `changed`: it changed the data.
  loadCommitted(changed: boolean): void {
    if (changed) this.owed = true;
    this.schedule();
  }

  // A push on its way is abandoned: the next start's first load pushes again.
  onApplicationShutdown(): void {
    clearTimeout(this.timer);
    this.stop.abort();
  }

  private schedule(): void {
    if (!this.owed || this.timer || this.sending || this.stop.signal.aborted) return;
    const wait = this.notBefore - Date.now();
    if (wait <= 0) return void this.send();
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.send();
    }, wait);
    this.timer.unref();
  }

  private async send(): Promise<void> {
    this.owed = false;
    this.sending = true;
    this.notBefore = Date.now() + this.intervalMs;
    const count = this.config.datasources.length;
    try {
      const { failed } = await this.client.refresh(this.stop.signal);
      this.sending = false;
      if (failed.length > 0) this.logger.warn(`Klipfolio could not queue a refresh of ${failed.join(', ')} (check KLIPFOLIO_DATASOURCES)`);
      if (failed.length < count) this.logger.log(`queued a refresh of ${count - failed.length} Klipfolio data source(s)`);
      // a change during the request waits for the end of the interval
      this.schedule();
    } catch (error) {
      this.sending = false;
      if (this.stop.signal.aborted) return;
      this.owed = true;
      const { message, retryAfterSeconds } = error as KlipfolioError;
      if (retryAfterSeconds) this.notBefore = Math.max(this.notBefore, Date.now() + retryAfterSeconds * 1000);
      this.logger.warn(`refresh of ${count} Klipfolio data source(s) failed: ${message}; trying again at the next load`);
    }
  }
}
