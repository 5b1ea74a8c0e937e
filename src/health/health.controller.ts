import { Controller, Get, Inject, UseFilters } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { Access } from '../auth/access.decorator.js';
import { HealthCheckFilter } from './health-check.filter.js';
import { HealthRepository } from './health.repository.js';

const CHECK_TIMEOUT_MS = 3000;

@ApiTags('health')
@Controller('health')
@UseFilters(HealthCheckFilter)
export class HealthController {
  constructor(
    @Inject(HealthCheckService) private readonly health: HealthCheckService,
    @Inject(HealthIndicatorService) private readonly indicators: HealthIndicatorService,
    @Inject(HealthRepository) private readonly repository: HealthRepository,
  ) {}

  @Get()
  @Access('public')
  @HealthCheck()
  @ApiOperation({ summary: 'Source database and warehouse reachable, and the age of the last successful load' })
  @ApiResponse({ status: 503, description: 'Names the database that is down' })
  getHealth() {
    return this.health.check([
      () =>
        this.indicators
          .check('source')
          .attempt(() => this.repository.pingSource())
          .withTimeout(CHECK_TIMEOUT_MS),
      () =>
        this.indicators
          .check('warehouse')
          .attempt(() => this.repository.pingWarehouse())
          .withTimeout(CHECK_TIMEOUT_MS),
      () =>
        this.indicators
          .check('lastLoad')
          .attempt(() => this.lastLoad())
          .withTimeout(CHECK_TIMEOUT_MS),
    ]);
  }

  private async lastLoad() {
    const at = await this.repository.lastSuccessfulLoad();
    return { at: at?.toISOString() ?? null, ageSeconds: at ? Math.round((Date.now() - at.getTime()) / 1000) : null };
  }
}
