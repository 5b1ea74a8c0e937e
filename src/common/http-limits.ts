import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { parse as parseQuery } from 'fast-querystring';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { MAX_CALLBACK_BYTES } from '../collector/callback-limits.js';
import { errorBody } from './all-exceptions.filter.js';

// What one request may cost the server before any handler runs: how long it may take to arrive, how big
// its URL and headers may be, how many parameters it may carry. Adjust's callback is the one route with
// long URLs; every other route gets the limits of an ordinary web server.
export const HTTP_LIMITS = {
  // the whole request, body included, must arrive within this, else 408: a body that trickles in would
  // hold its connection (and a slot of the load balancer) for as long as the client likes
  requestTimeoutMs: 30_000,
  // the request line and headers within this
  headersTimeoutMs: 15_000,
  // an idle keep-alive connection is closed after this: above the 60 s a load balancer keeps one open
  keepAliveTimeoutMs: 72_000,
  // a connection on which nothing moves for this long is closed (no answer takes so long)
  idleTimeoutMs: 120_000,
  // how often Node looks for requests over the two limits above
  checkIntervalMs: 1_000,
  // URL and headers of every route but the callback (the callback's URL may reach 1 MiB)
  maxHeaderBytes: 16 * 1024,
  // query parameters of any request, and members of a callback's form or JSON body
  maxParameters: 1_000,
};
export type HttpLimits = typeof HTTP_LIMITS;

// Node refuses request lines and headers over this with a 431 before Fastify sees them: twice a
// callback's limit, so that a callback URL over 1 MiB gets the collector's own, clearer 413.
export const MAX_HEADER_SIZE = 2 * MAX_CALLBACK_BYTES;

// Marks a query string that has more parameters than allowed: the parser stops before parsing it, and an
// `onRequest` hook answers 413 (symbol keys are not parameters: validation and handlers never see it).
export const TOO_MANY_PARAMETERS = Symbol('tooManyParameters');

// How many `&`-separated parts a query string or form body has, counted without parsing it.
export function parameterCount(text: string): number {
  let count = text.length > 0 ? 1 : 0;
  for (let at = text.indexOf('&'); at >= 0; at = text.indexOf('&', at + 1)) count++;
  return count;
}

// The query string parser Fastify's router uses, counting the parameters first.
export function boundedQueryParser(maxParameters: number) {
  return (query: string): Record<string | symbol, unknown> =>
    parameterCount(query) > maxParameters ? { [TOO_MANY_PARAMETERS]: true } : parseQuery(query);
}

// The server options that carry the limits: timeouts, header size, the parameter count, and the answers
// Node and Fastify's router give before any hook runs (JSON like every other error, never echoing the URL).
export function serverOptions(limits: HttpLimits) {
  return {
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    connectionTimeout: limits.idleTimeoutMs,
    http: { maxHeaderSize: MAX_HEADER_SIZE, headersTimeout: limits.headersTimeoutMs, connectionsCheckingInterval: limits.checkIntervalMs },
    routerOptions: { querystringParser: boundedQueryParser(limits.maxParameters) },
    clientErrorHandler: clientErrorHandler(limits),
    frameworkErrors,
  };
}

// Errors of the HTTP parser and its timeouts (a trickling body, an over-long header): the connection is
// answered and closed.
function clientErrorHandler(limits: HttpLimits) {
  const known: Record<string, [number, string]> = {
    ERR_HTTP_REQUEST_TIMEOUT: [408, `The request did not arrive within ${limits.requestTimeoutMs / 1000} s`],
    HPE_HEADER_OVERFLOW: [431, `The URL and headers are over ${MAX_HEADER_SIZE / 1024 / 1024} MiB`],
  };
  return (error: NodeJS.ErrnoException, socket: Socket): void => {
    if (error.code === 'ECONNRESET' || socket.destroyed) return;
    const [status, message] = known[error.code ?? ''] ?? [400, 'The request could not be read as HTTP'];
    if (socket.writable) {
      const body = JSON.stringify(errorBody(status, message));
      socket.write(
        `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Type: application/json; charset=utf-8\r\n` +
          `X-Content-Type-Options: nosniff\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      );
    }
    socket.destroy(error);
  };
}

// The router's own refusals (a URL that is not valid percent-encoding, an over-long path segment), before
// any hook: Fastify's messages repeat the URL.
function frameworkErrors(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 400;
  const message = status === 414 ? 'A part of the URL path is too long' : 'The URL is not valid percent-encoded text';
  void reply.code(status).header('X-Content-Type-Options', 'nosniff').send(errorBody(status, message));
}
