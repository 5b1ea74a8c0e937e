import { Module } from '@nestjs/common';
import { CallbackController } from './callback.controller.js';
import { CallbackRepository } from './callback.repository.js';
import { CallbackWriter } from './callback-writer.js';
import { CollectorService } from './collector.service.js';

@Module({
  controllers: [CallbackController],
  providers: [CallbackRepository, CallbackWriter, CollectorService],
  exports: [CollectorService],
})
export class CollectorModule {}
