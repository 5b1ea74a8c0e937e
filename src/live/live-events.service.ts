import { Inject, Injectable, type MessageEvent, type OnModuleDestroy } from '@nestjs/common';
import { defer, finalize, interval, map, merge, type Observable, of, Subject, takeUntil } from 'rxjs';
import { DomainError } from '../common/domain-error.js';
import { type DataVersion, MetricsService } from '../metrics/metrics.service.js';

// A comment line this often keeps proxies and load balancers (many close a connection quiet for 30-60 s)
// from closing a stream between two loads.
export const KEEP_ALIVE_MS = 25_000;
// Streams open at once per API key: a wall of screens fits, and one client cannot exhaust the server.
export const MAX_STREAMS_PER_KEY = 20;

const KEEP_ALIVE: MessageEvent = { comment: 'keep-alive' };

// GET /events: each stream starts with the current data version (a client that reconnects after a missed
// event catches up), then gets every new one once its answers are in the cache.
@Injectable()
export class LiveEventsService implements OnModuleDestroy {
  private readonly open = new Map<string, number>();
  private readonly closing = new Subject<void>();
  private closed = false;

  constructor(@Inject(MetricsService) private readonly metrics: MetricsService) {}

  // `caller`: who is asking (the key's fingerprint). Admitted when subscribed: the slot is released
  // however the stream ends.
  stream(caller: string): Observable<MessageEvent> {
    return defer(() => {
      this.admit(caller);
      return merge(
        of(dataEvent(this.metrics.currentVersion)),
        this.metrics.versions.pipe(map(dataEvent)),
        interval(KEEP_ALIVE_MS).pipe(map(() => KEEP_ALIVE)),
      ).pipe(
        takeUntil(this.closing),
        finalize(() => this.release(caller)),
      );
    });
  }

  // Event streams never fall idle, so the HTTP server would wait for them at its close: they end here,
  // before it closes, and new ones are refused meanwhile.
  onModuleDestroy(): void {
    this.closed = true;
    this.closing.next();
    this.closing.complete();
  }

  private admit(caller: string): void {
    if (this.closed) throw new DomainError('UNAVAILABLE', 'The service is shutting down: reconnect in a moment');
    const open = this.open.get(caller) ?? 0;
    if (open >= MAX_STREAMS_PER_KEY) {
      throw new DomainError(
        'TOO_MANY_REQUESTS',
        `At most ${MAX_STREAMS_PER_KEY} event streams per API key can be open at once: close one, or give other screens their own key`,
      );
    }
    this.open.set(caller, open + 1);
  }

  private release(caller: string): void {
    const open = (this.open.get(caller) ?? 1) - 1;
    if (open > 0) this.open.set(caller, open);
    else this.open.delete(caller);
  }
}

// The SSE id is the version, so a reconnecting EventSource names the last one it saw (Last-Event-ID).
function dataEvent(version: DataVersion): MessageEvent {
  return { type: 'data', id: String(version.version ?? ''), data: version };
}
