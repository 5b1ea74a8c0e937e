import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { API_PREFIX, CALLBACK_ROUTE, METRICS_ROUTE } from '../common/api-routes.js';
import { KLIPS } from '../metrics/klips.js';
import type { CallbackOutcome } from './callback-metrics.js';
import { UNKNOWN_KLIP } from './klip-metrics.js';
import { Telemetry } from './telemetry.js';

const CALLBACK_PATH = `/${API_PREFIX}/${CALLBACK_ROUTE}`;
const KLIP_PATHS = `/${API_PREFIX}/${METRICS_ROUTE}/`;
// the collector never sees these: the key guard and Fastify's body limit answer first
const REFUSED_BEFORE_COLLECTOR: Partial<Record<number, CallbackOutcome>> = { 401: 'unauthorized', 413: 'too_large' };

// Counts what only the HTTP layer sees, once the answer is sent: every klip request (guards' 401 and
// 429 and validation's 400 included) with its latency, and callbacks refused before the collector.
// Routes are matched by their pattern from the route table, so a label never carries a requested path.
@Injectable()
export class HttpMetricsHook implements OnModuleInit {
  private readonly klipOfRoute = new Map<string, string>([
    ...KLIPS.map((klip): [string, string] => [`${KLIP_PATHS}${klip}`, klip]),
    [`${KLIP_PATHS}:klip`, UNKNOWN_KLIP],
  ]);

  constructor(
    @Inject(HttpAdapterHost) private readonly adapterHost: HttpAdapterHost,
    @Inject(Telemetry) private readonly telemetry: Telemetry,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    // a callback-style hook: no promise per request
    fastify.addHook('onResponse', (request, reply, done) => {
      this.record(request, reply);
      done();
    });
  }

  private record(request: FastifyRequest, reply: FastifyReply): void {
    const refused = REFUSED_BEFORE_COLLECTOR[reply.statusCode];
    // a stored callback stops here, before reading the route (which builds an object)
    if (refused === undefined && !request.url.startsWith(KLIP_PATHS)) return;
    const route = request.routeOptions.url;
    if (route === CALLBACK_PATH) {
      if (refused) this.telemetry.callbacks.count(refused);
      return;
    }
    const klip = route === undefined || request.method !== 'GET' ? undefined : this.klipOfRoute.get(route);
    if (klip) this.telemetry.klips.answered(klip, reply.statusCode, reply.elapsedTime / 1000);
  }
}
