import { type ArgumentsHost, Catch, type ExceptionFilter, ServiceUnavailableException } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { errorBody } from '../common/all-exceptions.filter.js';

type TerminusBody = { status: string; error?: Record<string, { message?: string }> };

// Keeps terminus' per-dependency report in the 503 and adds the usual error fields naming what is down.
@Catch(ServiceUnavailableException)
export class HealthCheckFilter implements ExceptionFilter {
  catch(exception: ServiceUnavailableException, host: ArgumentsHost): void {
    const report = exception.getResponse() as TerminusBody;
    const down = Object.entries(report.error ?? {}).map(
      ([name, detail]) => `${name} is down${detail.message ? ` (${detail.message})` : ''}`,
    );
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    // terminus' own `error` map is repeated under `details`, so the standard `error` field can take its place
    // terminus answers 503 from the moment shutdown begins, so load balancers stop sending requests here
    const shuttingDown = report.status === 'shutting_down' ? ['the service is shutting down'] : [];
    void reply.status(503).send({ ...report, ...errorBody(503, [...down, ...shuttingDown].join('; ') || 'Service unavailable') });
  }
}
