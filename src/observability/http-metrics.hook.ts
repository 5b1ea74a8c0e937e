import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { API_PREFIX, CALLBACK_ROUTE, METRICS_ROUTE } from '../common/api-routes.js';
import { KLIPS } from '../metrics/klips.js';
import type { CallbackOutcome } from './callback-metrics.js';
import { UNKNOWN_KLIP } from './klip-metrics.js';
import { Telemetry } from './telemetry.js';

const CALLBACK_PATH = `/${API_PREFIX}/${CALLBACK_ROUTE}`;
// the collector never sees these: the key guard and Fastify's body limit answer first
const REFUSED_BEFORE_COLLECTOR: Partial<Record<number, CallbackOutcome>> = { 401: 'unauthorized', 413: 'too_large' };

// Counts what only the HTTP layer sees, once the answer is sent: every klip request (guards' 401 and
// 429 and validation's 400 included) with its latency, and callbacks refused before the collector.
// Routes are matched by their pattern from the route table, so a label never carries a requested path.
@Injectable()
export class HttpMetricsHook implements OnModuleInit {
  private readonly klipOfRoute = new Map<string, string>([
    ...KLIPS.map((klip): [string, string] => [`/${API_PREFIX}/${METRICS_ROUTE}/${klip}`, klip]),
    [`/${API_PREFIX}/${METRICS_ROUTE}/:klip`, UNKNOWN_KLIP],
  ]);

  constructor(
    @Inject(HttpAdapterHost) private readonly adapterHost: HttpAdapterHost,
    @Inject(Telemetry) private readonly telemetry: Telemetry,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    fastify.addHook('onResponse', async (request, reply) => this.record(request, reply));
  }

  private record(request: FastifyRequest, reply: FastifyReply): void {
    const route = request.routeOptions.url;
    if (route === CALLBACK_PATH) {
      const outcome = REFUSED_BEFORE_COLLECTOR[reply.statusCode];
      if (outcome) this.telemetry.callbacks.count(outcome);
      return;
    }
    const klip = route === undefined || request.method !== 'GET' ? undefined : this.klipOfRoute.get(route);
    if (klip) this.telemetry.klips.answered(klip, reply.statusCode, reply.elapsedTime / 1000);
  }
}
