import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { addDays, zonedDate } from '../common/zoned-time.js';
import { AppConfig } from '../config/app-config.js';
import { LoadEvents } from '../etl/load-events.js';
import { type DimensionValues, DimensionsRepository } from './dimensions.repository.js';

// The filter choices cover the longest rolling period the page offers (last_90_days); any other value
// can still be typed in.
export const DIMENSION_DAYS = 90;
// Other replicas' loads are noticed this late; this process's own loads at once.
const MAX_AGE_MS = 60_000;

export type DimensionsAnswer = { from: string; to: string } & DimensionValues;

// The values each filter can take, read once a minute at most: every screen showing the dashboard asks.
@Injectable()
export class DimensionsService implements OnApplicationBootstrap {
  private cached?: { at: number; answer: Promise<DimensionsAnswer> };

  constructor(
    @Inject(AppConfig) private readonly config: AppConfig,
    @Inject(DimensionsRepository) private readonly repository: DimensionsRepository,
    @Inject(LoadEvents) private readonly loads: LoadEvents,
  ) {}

  onApplicationBootstrap(): void {
    this.loads.onCommitted(async () => (this.cached = undefined));
  }

  values(): Promise<DimensionsAnswer> {
    if (this.cached && Date.now() - this.cached.at < MAX_AGE_MS) return this.cached.answer;
    const cached = { at: Date.now(), answer: this.read() };
    this.cached = cached;
    // a failure is not kept: the next request asks the warehouse again
    cached.answer.catch(() => {
      if (this.cached === cached) this.cached = undefined;
    });
    return cached.answer;
  }

  private async read(): Promise<DimensionsAnswer> {
    const to = zonedDate(new Date(), this.config.report.timezone);
    const from = addDays(to, 1 - DIMENSION_DAYS);
    return { from, to, ...(await this.repository.valuesSince(from)) };
  }
}
