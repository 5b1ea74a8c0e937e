import { Controller, Delete, Get, HttpCode, Inject, Param, Query, Req, Res, UseGuards } from '@nestjs/common';
import { ApiExcludeEndpoint, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Access } from '../auth/access.decorator.js';
import { DomainError } from '../common/domain-error.js';
import { METRICS_ROUTE } from '../common/api-routes.js';
import { MetricQuery } from './dto/metric-query.dto.js';
import { KLIPS, type Klip } from './klips.js';
import { ApiClearCache, ApiMetric } from './metrics.docs.js';
import { sendAnswer } from './metric-reply.js';
import { MetricsService } from './metrics.service.js';
import { RateLimitGuard } from './rate-limit.guard.js';

@ApiTags('metrics')
@Controller(METRICS_ROUTE)
@UseGuards(RateLimitGuard)
export class MetricsController {
  constructor(@Inject(MetricsService) private readonly metrics: MetricsService) {}

  @Get('installs')
  @Access('metrics')
  @ApiMetric('installs')
  getInstalls(@Query() query: MetricQuery, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return this.send('installs', query, request, reply);
  }

  @Get('session-duration')
  @Access('metrics')
  @ApiMetric('session-duration')
  getAverageSessionDuration(@Query() query: MetricQuery, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return this.send('session-duration', query, request, reply);
  }

  @Get('registrations')
  @Access('metrics')
  @ApiMetric('registrations')
  getRegistrations(@Query() query: MetricQuery, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return this.send('registrations', query, request, reply);
  }

  @Get('dau')
  @Access('metrics')
  @ApiMetric('dau')
  getDailyActiveUsers(@Query() query: MetricQuery, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return this.send('dau', query, request, reply);
  }

  @Get('wau')
  @Access('metrics')
  @ApiMetric('wau')
  getWeeklyActiveUsers(@Query() query: MetricQuery, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return this.send('wau', query, request, reply);
  }

  @Get('mau')
  @Access('metrics')
  @ApiMetric('mau')
  getMonthlyActiveUsers(@Query() query: MetricQuery, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return this.send('mau', query, request, reply);
  }

  @Get('installs-by-channel')
  @Access('metrics')
  @ApiMetric('installs-by-channel')
  getInstallsByChannel(@Query() query: MetricQuery, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return this.send('installs-by-channel', query, request, reply);
  }

  // Operators: the next requests recompute their answers (e.g. after fixing the warehouse by hand).
  @Delete('cache')
  @HttpCode(204)
  @ApiClearCache()
  clearCache(): void {
    this.metrics.clearCache();
  }

  // Any other name: a 404 that lists the klips (static routes above win over this one).
  @Get(':klip')
  @Access('metrics')
  @ApiExcludeEndpoint()
  unknownKlip(@Param('klip') klip: string): never {
    throw new DomainError('NOT_FOUND', `No klip "${klip}": the metrics are ${KLIPS.join(', ')}`);
  }

  private async send(klip: Klip, query: MetricQuery, request: FastifyRequest, reply: FastifyReply): Promise<void> {
    sendAnswer(request, reply, await this.metrics.answer(klip, query), query.format);
  }
}
