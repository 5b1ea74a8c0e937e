import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { CollectorModule } from './collector/collector.module.js';
import { ApiKeyGuard } from './auth/api-key.guard.js';
import { FailedAuthLimiter } from './auth/failed-auth-limiter.js';
import { AllExceptionsFilter } from './common/all-exceptions.filter.js';
import type { AppConfig } from './config/app-config.js';
import type { HttpLimits } from './common/http-limits.js';
import { ConfigModule } from './config/config.module.js';
import { DashboardModule } from './dashboard/dashboard.module.js';
import { DatabaseModule } from './database/database.module.js';
import { DemoModule } from './demo/demo.module.js';
import type { EtlStepHook } from './etl/etl-run.js';
import { EtlModule } from './etl/etl.module.js';
import { HealthModule } from './health/health.module.js';
import { LiveModule } from './live/live.module.js';
import { LoggingModule } from './logging/logging.module.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { ObservabilityModule } from './observability/observability.module.js';

export type TestSeams = { etlStepHook?: EtlStepHook; httpLimits?: Partial<HttpLimits> };

@Module({})
export class AppModule {
  static forRoot(config: AppConfig, seams: TestSeams = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule.forRoot(config),
        DatabaseModule.forRoot(),
        HealthModule,
        CollectorModule.forRoot({ pruneRejected: true }),
        EtlModule.forRoot({ schedule: true, stepHook: seams.etlStepHook }),
        MetricsModule,
        LiveModule,
        DemoModule,
        DashboardModule,
        ObservabilityModule,
      ],
      providers: [FailedAuthLimiter, { provide: APP_GUARD, useClass: ApiKeyGuard }, { provide: APP_FILTER, useClass: AllExceptionsFilter }],
    };
  }
}
