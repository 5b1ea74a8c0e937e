import { Inject, Injectable } from '@nestjs/common';
import { addDays, zonedDate } from '../common/zoned-time.js';
import { AppConfig } from '../config/app-config.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { type DimensionValues, DimensionsRepository } from './dimensions.repository.js';

// The filter choices cover the longest rolling period the page offers (last_90_days); any other value
// can still be typed in.
export const DIMENSION_DAYS = 90;

export type DimensionsAnswer = { from: string; to: string } & DimensionValues;

// The values each filter can take, read once per data version and day: every screen showing the
// dashboard asks, and they change only when the metric answers do (a load, here or on another replica)
// or when the 90 days move on.
@Injectable()
export class DimensionsService {
  private cached?: { key: string; answer: Promise<DimensionsAnswer> };

  constructor(
    @Inject(AppConfig) private readonly config: AppConfig,
    @Inject(DimensionsRepository) private readonly repository: DimensionsRepository,
    @Inject(MetricsService) private readonly metrics: MetricsService,
  ) {}

  values(): Promise<DimensionsAnswer> {
    const to = zonedDate(new Date(), this.config.report.timezone);
    const key = `${this.metrics.dataVersion}|${to}`;
    if (this.cached?.key === key) return this.cached.answer;
    const cached = { key, answer: this.read(to) };
    this.cached = cached;
    // a failure is not kept: the next request asks the warehouse again
    cached.answer.catch(() => {
      if (this.cached === cached) this.cached = undefined;
    });
    return cached.answer;
  }

  private async read(to: string): Promise<DimensionsAnswer> {
    const from = addDays(to, 1 - DIMENSION_DAYS);
    return { from, to, ...(await this.repository.valuesSince(from)) };
  }
}
