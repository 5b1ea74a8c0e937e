import { Controller, Delete, Get, HttpCode, Inject, Param, Query, Req, Res, UseGuards } from '@nestjs/common';
import { ApiExcludeEndpoint, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Access } from '../auth/access.decorator.js';
import { DomainError } from '../common/domain-error.js';
import { METRICS_ROUTE } from '../common/api-routes.js';
import { MetricQuery } from './dto/metric-query.dto.js';
import { baseUrlOf, INDEX_PATH, klipIndex } from './klip-index.js';
import { KLIP_REGISTRY, KLIPS, type Klip } from './klips.js';
import { ApiKlipIndex } from './klip-index.docs.js';
import { ApiClearCache, ApiMetric } from './metrics.docs.js';
import { sendAnswer, sendIndex } from './metric-reply.js';
import { MetricsService } from './metrics.service.js';
import { RateLimitGuard } from './rate-limit.guard.js';

// GET /api/v1/metrics/<klip>: one handler per entry of the klip registry, added below.
@ApiTags('metrics')
@Controller(METRICS_ROUTE)
@UseGuards(RateLimitGuard)
export class MetricsController {
  constructor(@Inject(MetricsService) private readonly metrics: MetricsService) {}

  // Operators: the next requests recompute their answers (e.g. after fixing the warehouse by hand).
  @Delete('cache')
  @HttpCode(204)
  @ApiClearCache()
  clearCache(): void {
    this.metrics.clearCache();
  }

  // Any other name: a 404 that lists the klips (the klips' static routes win over this one).
  @Get(':klip')
  @Access('metrics')
  @ApiExcludeEndpoint()
  unknownKlip(@Param('klip') klip: string): never {
    throw new DomainError('NOT_FOUND', `No klip "${klip}": the metrics are ${KLIPS.join(', ')}`);
  }

  async send(klip: Klip, query: MetricQuery, request: FastifyRequest, reply: FastifyReply): Promise<void> {
    sendAnswer(request, reply, await this.metrics.answer(klip, query), query.format);
  }
}

// GET /api/v1/metrics, the registry's index. Its own controller with the whole path, left out of the
// global prefix: Nest leaves a route out of the prefix by method and path, and the klips' controller's
// GET 'metrics' would be taken for Prometheus's GET /metrics (app.factory.ts).
@ApiTags('metrics')
@Controller()
@UseGuards(RateLimitGuard)
export class KlipIndexController {
  @Get(INDEX_PATH)
  @Access('metrics')
  @ApiKlipIndex()
  getKlips(@Req() request: FastifyRequest, @Res() reply: FastifyReply): void {
    sendIndex(request, reply, klipIndex(baseUrlOf(request)));
  }
}

// A handler per klip, named by its operation id (getInstalls, …: Swagger's operation ids), decorated as
// a hand-written one would be: @Get(route) @Access('metrics') @ApiMetric(route), (@Query() query: MetricQuery,
// @Req() request, @Res() reply).
for (const { route, operationId } of KLIP_REGISTRY) {
  const prototype = MetricsController.prototype as unknown as Record<string, unknown>;
  // a method of an object literal: the function's name is the operation id, which Swagger reads
  prototype[operationId] = {
    [operationId](this: MetricsController, query: MetricQuery, request: FastifyRequest, reply: FastifyReply) {
      return this.send(route, query, request, reply);
    },
  }[operationId];
  // what emitDecoratorMetadata writes for a hand-written handler: the validation pipe reads the query's class here
  Reflect.defineMetadata('design:paramtypes', [MetricQuery, Object, Object], prototype, operationId);
  Query()(prototype, operationId, 0);
  Req()(prototype, operationId, 1);
  Res()(prototype, operationId, 2);
  const descriptor = Object.getOwnPropertyDescriptor(prototype, operationId)!;
  for (const decorate of [Get(route), Access('metrics'), ApiMetric(route)]) decorate(prototype, operationId, descriptor);
}
