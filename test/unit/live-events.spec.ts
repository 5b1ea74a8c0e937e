import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import type { MessageEvent } from '@nestjs/common';
import { Subject } from 'rxjs';
import { DomainError } from '../../src/common/domain-error.js';
import type { EtlRunRepository, RunningProgress } from '../../src/etl/etl-run.repository.js';
import { KEEP_ALIVE_MS, LiveEventsService, PROGRESS_POLL_MS, SHOW_ARRIVAL_AFTER_MS } from '../../src/live/live-events.service.js';
import type { DataVersion, MetricsService } from '../../src/metrics/metrics.service.js';

// The stream's composition with a stand-in for the metrics service's versions, on Jest's clock (the e2e
// test follows real loads through HTTP).
describe(LiveEventsService.name, () => {
  const current: DataVersion = { version: 3, dataThrough: '2026-11-20T09:59:58.000Z', lastLoadAt: '2026-11-20T10:00:02.000Z' };
  let versions: Subject<DataVersion>;
  let live: LiveEventsService;
  // the run the source's record shows in progress
  let running: RunningProgress | null;

  function follow(): { received: MessageEvent[]; done: () => boolean; error: () => unknown } {
    const received: MessageEvent[] = [];
    let completed = false;
    let failure: unknown;
    live.stream('caller').subscribe({
      next: (event) => received.push(event),
      complete: () => (completed = true),
      error: (error) => (failure = error),
    });
    return { received, done: () => completed, error: () => failure };
  }

  beforeEach(() => {
    jest.useFakeTimers();
    versions = new Subject();
    running = null;
    const runs = { runningProgress: async () => running } as Pick<EtlRunRepository, 'runningProgress'>;
    live = new LiveEventsService({ currentVersion: current, versions } as unknown as MetricsService, runs as EtlRunRepository);
  });

  afterEach(() => {
    jest.useRealTimers();
  });

  it('writes a comment every 25 s between the data events', () => {
    const { received } = follow();
    jest.advanceTimersByTime(KEEP_ALIVE_MS - 1);
    versions.next({ ...current, version: 4 });
    jest.advanceTimersByTime(1);
    jest.advanceTimersByTime(KEEP_ALIVE_MS);
    expect(received).toEqual([
      { type: 'data', id: '3', data: current },
      { type: 'data', id: '4', data: { ...current, version: 4 } },
      { comment: 'keep-alive' },
      { comment: 'keep-alive' },
    ]);
  });

  it('ends the open streams at shutdown and refuses new ones with 503', () => {
    const open = follow();
    live.onModuleDestroy();
    expect(open.done()).toBe(true);
    const late = follow();
    expect(late.error()).toBeInstanceOf(DomainError);
    expect(late.error()).toMatchObject({ code: 'UNAVAILABLE' });
  });

  const rebuilding = (percent: number): RunningProgress => ({
    runId: 9,
    mode: 'rebuild',
    startedAt: new Date(Date.now() - 60_000).toISOString(),
    progress: { phase: 'rollups', detail: 'recount/insert-counts', percent, secondsLeft: 40 },
  });
  const progressEvents = (received: MessageEvent[]) => received.filter((event) => event.type === 'progress').map((event) => event.data);

  it("sends a long run's progress as it changes, and null once it has ended", async () => {
    const { received } = follow();
    await jest.advanceTimersByTimeAsync(PROGRESS_POLL_MS);
    running = rebuilding(62.5);
    await jest.advanceTimersByTimeAsync(PROGRESS_POLL_MS);
    // unchanged: not sent again
    await jest.advanceTimersByTimeAsync(PROGRESS_POLL_MS);
    running = rebuilding(80);
    await jest.advanceTimersByTimeAsync(PROGRESS_POLL_MS);
    running = null;
    await jest.advanceTimersByTimeAsync(PROGRESS_POLL_MS);
    await jest.advanceTimersByTimeAsync(PROGRESS_POLL_MS);
    expect(progressEvents(received)).toEqual([
      { runId: 9, mode: 'rebuild', phase: 'rollups', detail: 'recount/insert-counts', percent: 62.5, secondsLeft: 40 },
      { runId: 9, mode: 'rebuild', phase: 'rollups', detail: 'recount/insert-counts', percent: 80, secondsLeft: 40 },
      'null',
    ]);
    // the first event is still the data version
    expect(received[0]).toEqual({ type: 'data', id: '3', data: current });
  });

  it('tells a stream opened during a run where it is at once', async () => {
    running = rebuilding(30);
    follow();
    await jest.advanceTimersByTimeAsync(PROGRESS_POLL_MS);
    const late = follow();
    await jest.advanceTimersByTimeAsync(1);
    expect(progressEvents(late.received)).toEqual([expect.objectContaining({ runId: 9, percent: 30 })]);
  });

  it('tells a stream opened after a run has ended nothing of it', async () => {
    running = rebuilding(30);
    const early = follow();
    await jest.advanceTimersByTimeAsync(PROGRESS_POLL_MS);
    running = null;
    await jest.advanceTimersByTimeAsync(PROGRESS_POLL_MS);
    expect(progressEvents(early.received)).toEqual([expect.objectContaining({ percent: 30 }), 'null']);
    const late = follow();
    await jest.advanceTimersByTimeAsync(3 * PROGRESS_POLL_MS);
    expect(progressEvents(late.received)).toEqual([]);
  });

  it(`shows an arrival load only once it has run ${SHOW_ARRIVAL_AFTER_MS / 1000} s (a first load of a long history)`, async () => {
    const startedAt = new Date(Date.now()).toISOString();
    running = { runId: 4, mode: 'arrival', startedAt, progress: { phase: 'extract', detail: null, percent: 10, secondsLeft: null } };
    const { received } = follow();
    await jest.advanceTimersByTimeAsync(SHOW_ARRIVAL_AFTER_MS - 1);
    expect(progressEvents(received)).toEqual([]);
    await jest.advanceTimersByTimeAsync(PROGRESS_POLL_MS);
    expect(progressEvents(received)).toEqual([expect.objectContaining({ runId: 4, mode: 'arrival', phase: 'extract' })]);
  });

  it('shows no run while the source cannot answer, and asks again at the next poll', async () => {
    let fail = true;
    const runs = {
      runningProgress: async () => {
        if (fail) throw new Error('connection refused');
        return rebuilding(50);
      },
    } as Pick<EtlRunRepository, 'runningProgress'>;
    live = new LiveEventsService({ currentVersion: current, versions } as unknown as MetricsService, runs as EtlRunRepository);
    const { received, error } = follow();
    await jest.advanceTimersByTimeAsync(PROGRESS_POLL_MS);
    fail = false;
    await jest.advanceTimersByTimeAsync(PROGRESS_POLL_MS);
    expect(error()).toBeUndefined();
    expect(progressEvents(received)).toEqual([expect.objectContaining({ percent: 50 })]);
  });
});
