import { type DynamicModule, Module } from '@nestjs/common';
import { TelemetryModule } from '../observability/telemetry.js';
import { CallbackController } from './callback.controller.js';
import { CallbackRepository } from './callback.repository.js';
import { CallbackWriter } from './callback-writer.js';
import { CollectorService } from './collector.service.js';
import { RejectedPruner } from './rejected-pruner.js';

@Module({})
export class CollectorModule {
  // pruneRejected: the service forgets old refused callbacks; a replay from the command line leaves them
  static forRoot({ pruneRejected }: { pruneRejected: boolean }): DynamicModule {
    return {
      module: CollectorModule,
      imports: [TelemetryModule],
      controllers: [CallbackController],
      providers: [CallbackRepository, CallbackWriter, CollectorService, ...(pruneRejected ? [RejectedPruner] : [])],
      exports: [CollectorService],
    };
  }
}
