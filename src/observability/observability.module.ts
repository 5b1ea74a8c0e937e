import { Module } from '@nestjs/common';
import { HealthModule } from '../health/health.module.js';
import { HttpMetricsHook } from './http-metrics.hook.js';
import { ObservabilityRepository } from './observability.repository.js';
import { ScrapeController } from './scrape.controller.js';
import { ScrapeService } from './scrape.service.js';
import { TelemetryModule } from './telemetry.js';

// GET /metrics and the HTTP-level counting; the series themselves live in Telemetry (TelemetryModule),
// which the collector, the ETL and the metrics module record into.
@Module({
  imports: [TelemetryModule, HealthModule],
  controllers: [ScrapeController],
  providers: [HttpMetricsHook, ObservabilityRepository, ScrapeService],
})
export class ObservabilityModule {}
