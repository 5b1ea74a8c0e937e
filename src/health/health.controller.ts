import { Controller, Get, Head, Inject, UseFilters } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheck } from '@nestjs/terminus';
import { Access } from '../auth/access.decorator.js';
import { HEALTH_ROUTE } from '../common/api-routes.js';
import { HealthCheckFilter } from './health-check.filter.js';
import { HealthService } from './health.service.js';

@ApiTags('health')
@Controller(HEALTH_ROUTE)
@UseFilters(HealthCheckFilter)
export class HealthController {
  constructor(@Inject(HealthService) private readonly health: HealthService) {}

  @Get()
  @Access('public')
  @HealthCheck()
  @ApiOperation({
    summary: 'Source database and warehouse reachable, and the age of the last successful load',
    description: 'For load balancers; no key needed. 200 with `info.lastLoad.at`/`ageSeconds` (null before the first load).',
  })
  @ApiResponse({ status: 503, description: 'Names what is down (source, warehouse), or that the service is shutting down' })
  getHealth() {
    return this.health.check();
  }

  // Load balancers probe with HEAD: the same check and status, and Node sends no body with it.
  @Head()
  @Access('public')
  @HealthCheck()
  @ApiOperation({ summary: 'The same check as GET, answered without a body', description: 'For load balancers that probe with HEAD.' })
  @ApiResponse({ status: 503, description: 'Something is down, or the service is shutting down' })
  headHealth() {
    return this.health.check();
  }
}
