import { Module } from '@nestjs/common';
import { TelemetryModule } from '../observability/telemetry.js';
import { MetricAnswers } from './metric-answers.js';
import { KlipIndexController, MetricsController } from './metrics.controller.js';
import { MetricsRepository } from './metrics.repository.js';
import { MetricsService } from './metrics.service.js';
import { RateLimitGuard } from './rate-limit.guard.js';
import { RollupSettingsCheck } from './rollup-settings-check.js';

@Module({
  imports: [TelemetryModule],
  controllers: [MetricsController, KlipIndexController],
  providers: [RateLimitGuard, MetricsRepository, MetricAnswers, MetricsService, RollupSettingsCheck],
  exports: [MetricsService, MetricsRepository],
})
export class MetricsModule {}
