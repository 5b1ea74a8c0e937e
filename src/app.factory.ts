import { RequestMethod } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { AppModule } from './app.module.js';
import { API_PREFIX, PROMETHEUS_ROUTE } from './common/api-routes.js';
import { validationPipe } from './common/validation-pipe.js';
import { INDEX_PATH } from './metrics/klip-index.js';
import { MAX_CALLBACK_BYTES } from './collector/callback-limits.js';
import type { AppConfig } from './config/app-config.js';
import { requestId, startupLogger } from './logging/logging.module.js';
import type { TestSeams } from './app.module.js';
import { addRequestHooks } from './common/http-hooks.js';
import { HTTP_LIMITS, serverOptions } from './common/http-limits.js';
import { useBoundedBodyParsers } from './common/request-bodies.js';

// Builds the whole application (used by main.ts and by the tests), ready to listen. `seams` are for
// tests only (fault injection, shorter HTTP limits); main.ts never passes them.
export async function createApp(config: AppConfig, seams: TestSeams = {}): Promise<NestFastifyApplication> {
  const limits = { ...HTTP_LIMITS, ...seams.httpLimits };
  const adapter = new FastifyAdapter({
    bodyLimit: MAX_CALLBACK_BYTES,
    ...serverOptions(limits),
    // X-Forwarded-For is believed from a load balancer in the same network only: from anywhere else it
    // could name any address, and the failed-authentication limit counts per address
    trustProxy: TRUSTED_PROXIES,
    // a HEAD request must not run the callback handler and store a callback (health has its own HEAD route)
    exposeHeadRoutes: false,
    // Adjust never sends __proto__; drop such a key instead of refusing the whole body
    onProtoPoisoning: 'remove',
    // Fastify names each request; the request log and the X-Request-Id answer header use that name
    genReqId: requestId,
    requestIdHeader: false,
  } as ConstructorParameters<typeof FastifyAdapter>[0]);
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config, seams), adapter, {
    logger: startupLogger(config),
    abortOnError: false,
  });
  addRequestHooks(app.getHttpAdapter().getInstance(), limits);
  useBoundedBodyParsers(app, MAX_CALLBACK_BYTES, limits.maxParameters);
  // Prometheus scrapes /metrics at the root. Nest matches an exclusion by method and path, whatever the
  // controller: a GET route 'metrics' of the klips' controller would land at /metrics too, so the klips'
  // index declares its whole path (api/v1/metrics) and is left out of the prefix as well.
  app.setGlobalPrefix(API_PREFIX, {
    exclude: [
      { path: PROMETHEUS_ROUTE, method: RequestMethod.GET },
      { path: INDEX_PATH, method: RequestMethod.GET },
    ],
  });
  app.useGlobalPipes(validationPipe());
  setUpSwagger(app);
  await app.init();
  return app;
}

// proxy-addr's names for loopback, link-local and private (RFC 1918, fc00::/7) addresses
const TRUSTED_PROXIES = ['loopback', 'linklocal', 'uniquelocal'];

function setUpSwagger(app: NestFastifyApplication): void {
  const document = new DocumentBuilder()
    .setTitle('Mobile KPI service')
    .setDescription('Adjust callbacks in, one JSON endpoint per Klipfolio klip out.')
    .setVersion('1')
    .addApiKey({ type: 'apiKey', in: 'header', name: 'X-API-Key' }, 'api-key')
    .addApiKey({ type: 'apiKey', in: 'query', name: 'api_key' }, 'api-key-query')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'API key' }, 'bearer')
    .build();
  // operation ids are the handler names (getHealth, getInstalls, …)
  const factory = () => SwaggerModule.createDocument(app, document, { operationIdFactory: (_controller, method) => method });
  SwaggerModule.setup('docs', app, factory, {
    jsonDocumentUrl: 'docs-json',
    swaggerOptions: { persistAuthorization: true },
  });
}
