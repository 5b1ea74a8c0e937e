import { type DynamicModule, Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { AppConfig } from '../config/app-config.js';
import { TelemetryModule } from '../observability/telemetry.js';
import { EtlController } from './etl.controller.js';
import { ETL_STEP_HOOK, type EtlStepHook } from './etl-run.js';
import { LoadEvents } from './load-events.js';
import { EtlRunRepository } from './etl-run.repository.js';
import { EtlRunsService } from './etl-runs.service.js';
import { EtlScheduler } from './etl.scheduler.js';
import { EtlService } from './etl.service.js';
import { RepairProcess } from './repair-process.js';
import { SourceExtractor } from './extract/source-extractor.js';
import { openStageStore } from './stage/stage-stores.js';
import { STAGE_STORE, Stager } from './stage/stager.js';
import { Warehouse } from './warehouse/warehouse.js';

const CORE_PROVIDERS = [
  { provide: STAGE_STORE, inject: [AppConfig], useFactory: (config: AppConfig) => openStageStore(config.stageUrl, config.s3) },
  EtlRunRepository,
  LoadEvents,
  SourceExtractor,
  Stager,
  Warehouse,
  EtlService,
];

@Module({})
export class EtlModule {
  // The service runs the schedule and serves /etl/runs, and its repairs in a process of their own; the
  // CLI (and a repair's process) runs loads itself. `stepHook`: fault injection for tests, which runs
  // in this process: with one, so do the repairs.
  static forRoot({ schedule, stepHook }: { schedule: boolean; stepHook?: EtlStepHook }): DynamicModule {
    const hook = stepHook ? [{ provide: ETL_STEP_HOOK, useValue: stepHook }] : [];
    const repairProcess = schedule && !stepHook ? [RepairProcess] : [];
    return {
      module: EtlModule,
      // LoadEvents: the metrics module hears of this process's loads
      global: true,
      imports: [TelemetryModule, ...(schedule ? [ScheduleModule.forRoot()] : [])],
      controllers: schedule ? [EtlController] : [],
      providers: [...CORE_PROVIDERS, ...hook, ...repairProcess, ...(schedule ? [EtlRunsService, EtlScheduler] : [])],
      exports: [EtlService, EtlRunRepository, LoadEvents],
    };
  }
}
