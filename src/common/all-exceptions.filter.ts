import { STATUS_CODES } from 'node:http';
import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger, NotFoundException } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, STATUS_OF } from './domain-error.js';

export type ErrorBody = { statusCode: number; error: string; message: string } & Record<string, unknown>;

// The one place where errors become HTTP answers: JSON { statusCode, error, message }.
// Anything unexpected is logged with its stack and answered with a generic 500.
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    const body = exception instanceof NotFoundException ? noRoute(http.getRequest<FastifyRequest>()) : this.toBody(exception);
    void reply.status(body.statusCode).send(body);
  }

  private toBody(exception: unknown): ErrorBody {
    if (exception instanceof DomainError) return errorBody(STATUS_OF[exception.code], exception.message, exception.details);
    if (exception instanceof HttpException) return errorBody(exception.getStatus(), messageOf(exception.getResponse()));
    const status = (exception as { statusCode?: unknown })?.statusCode;
    // errors raised by Fastify itself before routing (body too large, malformed JSON, bad content type)
    if (typeof status === 'number' && status >= 400 && status < 500) return errorBody(status, (exception as Error).message);
    this.logger.error(exception instanceof Error ? exception.stack : String(exception));
    return errorBody(500, 'Internal server error');
  }
}

const MAX_ECHOED_PATH = 100;

// The router's 404 ("Cannot GET <url>") would repeat the whole URL, query and secrets included: the
// answer names the path only, cut short.
function noRoute(request: FastifyRequest): ErrorBody {
  const path = (request.url ?? '').split('?', 1)[0];
  const shown = path.length > MAX_ECHOED_PATH ? `${path.slice(0, MAX_ECHOED_PATH)}…` : path;
  return errorBody(404, `No route ${request.method} ${shown}: /docs lists the routes`);
}

export function errorBody(statusCode: number, message: string, details: Record<string, unknown> = {}): ErrorBody {
  return { statusCode, error: STATUS_CODES[statusCode] ?? 'Error', message, ...details };
}

function messageOf(response: string | object): string {
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  // several failed rules of one parameter often share their message: say it once
  if (Array.isArray(message)) return [...new Set(message)].join('; ');
  return typeof message === 'string' ? message : 'Request failed';
}
