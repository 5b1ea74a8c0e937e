import type { FastifyInstance, FastifyRequest } from 'fastify';
import { errorBody } from './all-exceptions.filter.js';
import { API_PREFIX, CALLBACK_ROUTE } from './api-routes.js';
import { type HttpLimits, TOO_MANY_PARAMETERS } from './http-limits.js';

const CALLBACK_PATH = `/${API_PREFIX}/${CALLBACK_ROUTE}`;
const DOCS_PATH = '/docs';

// Swagger UI loads its own scripts and styles (and sets style attributes), draws icons from data: URIs and
// calls this service only; no other site may show it in a frame (where "Authorize" could be overlaid to
// catch a key).
export const DOCS_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; " +
  "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

// The first thing every request meets, before authentication and parsing of a body: the headers every
// answer carries, and the refusals of what is too big for the route.
export function addRequestHooks(fastify: FastifyInstance, limits: HttpLimits): void {
  fastify.addHook('onRequest', async (request, reply) => {
    reply.header('X-Request-Id', request.id).header('X-Content-Type-Options', 'nosniff');
    const path = request.raw.url?.split('?', 1)[0] ?? '';
    if (path === DOCS_PATH || path.startsWith(`${DOCS_PATH}/`)) reply.header('Content-Security-Policy', DOCS_CSP);
    const refusal = refusalOf(request, limits);
    if (refusal) return reply.code(refusal[0]).send(errorBody(...refusal));
  });
}

function refusalOf(request: FastifyRequest, limits: HttpLimits): [status: number, message: string] | undefined {
  if ((request.query as Record<symbol, unknown> | undefined)?.[TOO_MANY_PARAMETERS]) {
    return [413, `The URL carries more than ${limits.maxParameters.toLocaleString('en')} parameters`];
  }
  // Node's header limit is large for the callback's long URLs; every other route gets an ordinary one
  if (request.routeOptions.url !== CALLBACK_PATH && headerBytes(request) > limits.maxHeaderBytes) {
    return [431, `The URL and headers are over ${limits.maxHeaderBytes / 1024} KiB: only ${CALLBACK_PATH} takes longer ones`];
  }
  return undefined;
}

function headerBytes(request: FastifyRequest): number {
  let bytes = request.raw.url?.length ?? 0;
  for (const part of request.raw.rawHeaders) bytes += part.length + 2;
  return bytes;
}
