import { Module } from '@nestjs/common';
import { TelemetryModule } from '../observability/telemetry.js';
import { CallbackController } from './callback.controller.js';
import { CallbackRepository } from './callback.repository.js';
import { CallbackWriter } from './callback-writer.js';
import { CollectorService } from './collector.service.js';

@Module({
  imports: [TelemetryModule],
  controllers: [CallbackController],
  providers: [CallbackRepository, CallbackWriter, CollectorService],
  exports: [CollectorService],
})
export class CollectorModule {}
