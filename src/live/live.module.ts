import { Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { MetricsModule } from '../metrics/metrics.module.js';
import { KlipfolioClient } from './klipfolio/klipfolio.client.js';
import { KlipfolioPush } from './klipfolio/klipfolio-push.js';
import { LiveEventsController } from './live-events.controller.js';
import { LiveEventsService } from './live-events.service.js';
import { LoadAnnouncer } from './load-announcer.js';
import { LoadSignal } from './load-signal.js';

// Live updates: GET /api/v1/events, the other replicas woken after a load, and the optional Klipfolio push.
@Module({
  imports: [MetricsModule],
  controllers: [LiveEventsController],
  providers: [
    LiveEventsService,
    LoadSignal,
    LoadAnnouncer,
    {
      provide: KlipfolioPush,
      inject: [AppConfig],
      useFactory: ({ klipfolio }: AppConfig) => (klipfolio ? new KlipfolioPush(klipfolio, new KlipfolioClient(klipfolio)) : null),
    },
  ],
})
export class LiveModule {}
