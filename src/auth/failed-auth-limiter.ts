import { Injectable, Logger } from '@nestjs/common';

export const FAILED_AUTH_LIMITS = {
  windowMs: 60_000,
  // failed attempts per client address and window, then its requests with a key get 429 until the window ends
  maxFailures: 20,
  // past this many tracked addresses, windows that have ended are forgotten
  pruneAt: 10_000,
};

type Window = { endsAt: number; failures: number };

// Failed authentication per client address, in fixed one-minute windows: logged once per window (not per
// request, which would let anyone fill the log), and past the limit the address is refused with 429 and
// Retry-After until the window ends, so guessing keys costs real time. Addresses are those Fastify
// derives, trusting X-Forwarded-For from private networks only (app.factory.ts).
@Injectable()
export class FailedAuthLimiter {
  private readonly logger = new Logger('Auth');
  private readonly windows = new Map<string, Window>();

  // Seconds until the address may try again, or 0 when it may now.
  retryAfter(address: string, now = Date.now()): number {
    const window = this.windows.get(address);
    if (!window || window.endsAt <= now || window.failures < FAILED_AUTH_LIMITS.maxFailures) return 0;
    return Math.ceil((window.endsAt - now) / 1000);
  }

  // `what`: what failed, for the log (never the key or token itself).
  recordFailure(address: string, what: string, now = Date.now()): void {
    let window = this.windows.get(address);
    if (!window || window.endsAt <= now) {
      if (this.windows.size >= FAILED_AUTH_LIMITS.pruneAt) this.prune(now);
      window = { endsAt: now + FAILED_AUTH_LIMITS.windowMs, failures: 0 };
      this.windows.set(address, window);
    }
    window.failures++;
    const until = new Date(window.endsAt).toISOString();
    if (window.failures === 1) {
      this.logger.warn(`Failed authentication from ${address} (${what}); further failures from it are counted, not logged, until ${until}`);
    } else if (window.failures === FAILED_AUTH_LIMITS.maxFailures) {
      this.logger.warn(
        `${window.failures} failed authentications from ${address} within a minute: its requests with an API key get 429 until ${until}`,
      );
    }
  }

  private prune(now: number): void {
    for (const [address, window] of this.windows) if (window.endsAt <= now) this.windows.delete(address);
  }
}
