import { Module } from '@nestjs/common';
import { MetricsModule } from '../metrics/metrics.module.js';
import { DashboardAssets } from './dashboard-assets.js';
import { DimensionsController } from './dimensions.controller.js';
import { DimensionsRepository } from './dimensions.repository.js';
import { DimensionsService } from './dimensions.service.js';

// The dashboard page at GET /, and the filter choices it offers (GET /api/v1/dimensions).
@Module({
  imports: [MetricsModule],
  controllers: [DimensionsController],
  providers: [DashboardAssets, DimensionsRepository, DimensionsService],
})
export class DashboardModule {}
