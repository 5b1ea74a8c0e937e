import { type CanActivate, type ExecutionContext, Inject, Injectable, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { callerOf } from '../auth/api-key.guard.js';
import { AppConfig } from '../config/app-config.js';
import { DomainError } from '../common/domain-error.js';
import { Telemetry } from '../observability/telemetry.js';

const WINDOW_MS = 60_000;
// past this many tracked keys, windows that have ended are forgotten
const PRUNE_AT = 10_000;

// RATE_LIMIT metric requests per minute and API key (fixed one-minute windows), then 429 with
// Retry-After. Keys are tracked by fingerprint, set by the key guard, which runs first; the key itself is
// never kept. (@nestjs/throttler is CommonJS requiring the ESM-only Nest 12 packages, which Jest's module
// registry cannot load; this is the small part of it the service needs.)
@Injectable()
export class RateLimitGuard implements CanActivate {
  private readonly logger = new Logger('Metrics');
  private readonly windows = new Map<string, { endsAt: number; count: number }>();

  constructor(
    @Inject(AppConfig) private readonly config: AppConfig,
    @Inject(Telemetry) private readonly telemetry: Telemetry,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const limit = this.config.rateLimitPerMinute;
    if (limit === null) return true;
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const key = callerOf(request);
    const now = Date.now();
    let window = this.windows.get(key);
    if (!window || window.endsAt <= now) {
      if (this.windows.size >= PRUNE_AT) this.prune(now);
      window = { endsAt: now + WINDOW_MS, count: 0 };
      this.windows.set(key, window);
    }
    window.count += 1;
    if (window.count <= limit) return true;
    this.telemetry.klips.rateLimitRefused();
    const retryAfter = Math.ceil((window.endsAt - now) / 1000);
    // once per key and window: the request log leaves 429s out
    if (window.count === limit + 1) this.logger.warn(`Key ${key} passed RATE_LIMIT (${limit} a minute): 429 for ${retryAfter} s`);
    http.getResponse<FastifyReply>().header('Retry-After', String(retryAfter));
    throw new DomainError(
      'TOO_MANY_REQUESTS',
      `Rate limit: at most ${limit} metric requests per minute and API key (RATE_LIMIT); retry after ${retryAfter} s`,
    );
  }

  private prune(now: number): void {
    for (const [key, window] of this.windows) if (window.endsAt <= now) this.windows.delete(key);
  }
}
