import { Module } from '@nestjs/common';
import { DemoRepository } from './demo.repository.js';
import { DemoService } from './demo.service.js';

// The demo traffic generator; main.ts starts it once the service listens, when DEMO is on.
@Module({ providers: [DemoRepository, DemoService], exports: [DemoService] })
export class DemoModule {}
