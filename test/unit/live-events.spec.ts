import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import type { MessageEvent } from '@nestjs/common';
import { Subject } from 'rxjs';
import { DomainError } from '../../src/common/domain-error.js';
import { KEEP_ALIVE_MS, LiveEventsService } from '../../src/live/live-events.service.js';
import type { DataVersion, MetricsService } from '../../src/metrics/metrics.service.js';

// The stream's composition with a stand-in for the metrics service's versions, on Jest's clock (the e2e
// test follows real loads through HTTP).
describe(LiveEventsService.name, () => {
  const current: DataVersion = { version: 3, dataThrough: '2026-11-20T09:59:58.000Z', lastLoadAt: '2026-11-20T10:00:02.000Z' };
  let versions: Subject<DataVersion>;
  let live: LiveEventsService;

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
    live = new LiveEventsService({ currentVersion: current, versions } as unknown as MetricsService);
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
});
