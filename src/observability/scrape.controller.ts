import { Controller, Get, Header, Inject } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiOkResponse, ApiOperation, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { prometheusContentType } from 'prom-client';
import { Access } from '../auth/access.decorator.js';
import { PROMETHEUS_ROUTE } from '../common/api-routes.js';
import { ScrapeService } from './scrape.service.js';

// GET /metrics, at the root where Prometheus looks (app.factory.ts keeps it out of the /api/v1 prefix).
@ApiTags('operations')
@Controller(PROMETHEUS_ROUTE)
export class ScrapeController {
  constructor(@Inject(ScrapeService) private readonly scrape: ScrapeService) {}

  @Get()
  @Access('admin')
  @Header('Content-Type', prometheusContentType)
  @ApiBearerAuth('bearer')
  @ApiOperation({
    summary: 'Prometheus metrics of this replica (text format)',
    description: 'For Prometheus: an admin key as `Authorization: Bearer <key>`. Series, alerts and runbook: docs/operations.md.',
  })
  @ApiOkResponse({ description: 'Prometheus text exposition format 0.0.4', content: { 'text/plain': {} } })
  @ApiUnauthorizedResponse({ description: 'No key, or a key that is not configured' })
  @ApiForbiddenResponse({ description: 'A key from API_KEYS: this route needs one from ADMIN_API_KEYS' })
  getPrometheusMetrics(): Promise<string> {
    return this.scrape.render();
  }
}
