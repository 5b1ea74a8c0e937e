import { Inject, Injectable, type MessageEvent, type OnModuleDestroy } from '@nestjs/common';
import {
  catchError,
  defer,
  distinctUntilChanged,
  finalize,
  from,
  interval,
  map,
  merge,
  type Observable,
  of,
  shareReplay,
  skipWhile,
  Subject,
  switchMap,
  takeUntil,
  timer,
} from 'rxjs';
import { DomainError } from '../common/domain-error.js';
import { EtlRunRepository, type RunningProgress } from '../etl/etl-run.repository.js';
import { type DataVersion, MetricsService } from '../metrics/metrics.service.js';

// A comment line this often keeps proxies and load balancers (many close a connection quiet for 30-60 s)
// from closing a stream between two loads.
export const KEEP_ALIVE_MS = 25_000;
// Streams open at once per API key: a wall of screens fits, and one client cannot exhaust the server.
export const MAX_STREAMS_PER_KEY = 20;

const KEEP_ALIVE: MessageEvent = { comment: 'keep-alive' };

// While streams are open, the run in progress is looked up this often (one small query per replica).
export const PROGRESS_POLL_MS = 2_000;
// An arrival load is over in a second or two: its progress is shown only when it lasts longer than this
// (a first load of a long history); a window run's or rebuild's always.
export const SHOW_ARRIVAL_AFTER_MS = 5_000;

// GET /events: each stream starts with the current data version (a client that reconnects after a missed
// event catches up), then gets every new one once its answers are in the cache. While a long run works
// (on any replica or the command line), `progress` events say how far it has come, and one with null
// data when it has ended.
@Injectable()
export class LiveEventsService implements OnModuleDestroy {
  private readonly open = new Map<string, number>();
  private readonly closing = new Subject<void>();
  private closed = false;
  // one poll for every open stream of this process, running only while one is open
  private readonly progress: Observable<MessageEvent>;

  constructor(
    @Inject(MetricsService) private readonly metrics: MetricsService,
    @Inject(EtlRunRepository) runs: Pick<EtlRunRepository, 'runningProgress'>,
  ) {
    this.progress = timer(0, PROGRESS_POLL_MS).pipe(
      // a source that cannot answer now shows no run, and the next poll asks again
      switchMap(() => from(runs.runningProgress()).pipe(catchError(() => of(null)))),
      map((running) => (running && shown(running, Date.now()) ? running : null)),
      distinctUntilChanged((a, b) => JSON.stringify(a) === JSON.stringify(b)),
      map(progressEvent),
      // a stream opened while a run works hears where it is at once
      shareReplay({ bufferSize: 1, refCount: true }),
    );
  }

  // `caller`: who is asking (the key's fingerprint). Admitted when subscribed: the slot is released
  // however the stream ends.
  stream(caller: string): Observable<MessageEvent> {
    return defer(() => {
      this.admit(caller);
      return merge(
        of(dataEvent(this.metrics.currentVersion)),
        this.metrics.versions.pipe(map(dataEvent)),
        // a run that ended before the stream opened is nothing to it
        this.progress.pipe(skipWhile((event) => event.data === NO_RUN)),
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

function shown({ mode, startedAt }: RunningProgress, now: number): boolean {
  return mode !== 'arrival' || now - Date.parse(startedAt) >= SHOW_ARRIVAL_AFTER_MS;
}

// { runId, mode, phase, detail, percent, secondsLeft } of the run in progress, null when none is shown.
// a progress event's data once the run has ended (SSE data is text: JSON null)
const NO_RUN = 'null';

function progressEvent(running: RunningProgress | null): MessageEvent {
  const data = running && {
    runId: running.runId,
    mode: running.mode,
    ...(running.progress ?? { phase: 'lease', detail: null, percent: 0, secondsLeft: null }),
  };
  return { type: 'progress', data: data ?? NO_RUN };
}

// The SSE id is the version, so a reconnecting EventSource names the last one it saw (Last-Event-ID).
function dataEvent(version: DataVersion): MessageEvent {
  return { type: 'data', id: String(version.version ?? ''), data: version };
}
