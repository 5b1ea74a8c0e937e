import { afterEach, describe, expect, it, jest } from '@jest/globals';
import type { SchedulerRegistry } from '@nestjs/schedule';
import type { AppConfig } from '../../src/config/app-config.js';
import type { EtlRunRepository } from '../../src/etl/etl-run.repository.js';
import type { EtlRunRequest, EtlRunView } from '../../src/etl/etl-run.js';
import { EtlScheduler } from '../../src/etl/etl.scheduler.js';
import type { EtlService } from '../../src/etl/etl.service.js';
import type { EtlSchedule } from '../../src/etl/load-schedule.js';

type Outcome = EtlRunView['status'] | 'lease held';

// A fake EtlService whose runs take `runMs` and end with the given outcomes, one per call, and a fake run
// record that knows when the latest of them started (by the fake clock).
function schedulerWith(outcomes: Outcome[], { schedule, runMs = 0 }: { schedule?: EtlSchedule; runMs?: number } = {}) {
  const starts: number[] = [];
  let lastStart: number | null = null;
  const finish = async (): Promise<EtlRunView['status'] | 'lease held'> => {
    const outcome = outcomes.shift() ?? 'succeeded';
    if (outcome === 'lease held') return outcome;
    starts.push(Date.now());
    lastStart = Date.now();
    if (runMs > 0) await new Promise((resolve) => setTimeout(resolve, runMs));
    return outcome;
  };
  const runToEnd = jest.fn(async (_request: EtlRunRequest) => ({ status: await finish() }) as EtlRunView);
  const runIfFree = jest.fn(async (_request: EtlRunRequest) => {
    const status = await finish();
    return status === 'lease held' ? null : ({ status } as EtlRunView);
  });
  const runs = { secondsSinceLastStart: async () => (lastStart === null ? null : (Date.now() - lastStart) / 1000) };
  const config = { etl: { schedule: schedule ?? { kind: 'off' }, reconcileCron: null } } as unknown as AppConfig;
  const scheduler = new EtlScheduler(
    { addCronJob: () => undefined } as unknown as SchedulerRegistry,
    { runToEnd, runIfFree } as unknown as EtlService,
    runs as unknown as EtlRunRepository,
    config,
  );
  return { scheduler, runToEnd, runIfFree, starts, tick: (request: EtlRunRequest) => scheduler['tick'](request) };
}

const CONTINUOUS: EtlSchedule = { kind: 'continuous', minIntervalSeconds: 10 };

describe(EtlScheduler.name, () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it('asks again every 30 s when the nightly reconciliation finds a load holding the lease', async () => {
    jest.useFakeTimers();
    const { runToEnd, tick } = schedulerWith(['skipped', 'skipped', 'succeeded']);
    const ticked = tick({ trigger: 'reconcile', mode: 'window' });
    await jest.advanceTimersByTimeAsync(29_999);
    expect(runToEnd).toHaveBeenCalledTimes(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(runToEnd).toHaveBeenCalledTimes(2);
    await jest.advanceTimersByTimeAsync(30_000);
    await ticked;
    expect(runToEnd).toHaveBeenCalledTimes(3);
  });

  it('leaves a skipped cron load to the next tick', async () => {
    const { runToEnd, tick } = schedulerWith(['skipped']);
    await tick({ trigger: 'schedule', mode: 'arrival' });
    expect(runToEnd).toHaveBeenCalledTimes(1);
  });

  describe('continuous', () => {
    it('starts a load at once, then each next one ETL_MIN_INTERVAL after the last one started', async () => {
      jest.useFakeTimers({ now: 0 });
      const { scheduler, starts } = schedulerWith([], { schedule: CONTINUOUS, runMs: 2_000 });
      scheduler.onApplicationBootstrap();
      await jest.advanceTimersByTimeAsync(35_000);
      await scheduler.onModuleDestroy();
      expect(starts).toEqual([0, 10_000, 20_000, 30_000]);
    });

    it('starts the next load as soon as the last one ends when it took longer than the interval', async () => {
      jest.useFakeTimers({ now: 0 });
      const { scheduler, starts } = schedulerWith([], { schedule: CONTINUOUS, runMs: 15_000 });
      scheduler.onApplicationBootstrap();
      await jest.advanceTimersByTimeAsync(46_000);
      // the stop waits for the load in progress
      const stopped = scheduler.onModuleDestroy();
      await jest.advanceTimersByTimeAsync(15_000);
      await stopped;
      expect(starts).toEqual([0, 15_000, 30_000, 45_000]);
    });

    it('asks again every second while another run holds the lease, records nothing for it, and starts when it is free', async () => {
      jest.useFakeTimers({ now: 0 });
      const { scheduler, starts, runIfFree, runToEnd } = schedulerWith(['lease held', 'lease held', 'lease held'], {
        schedule: CONTINUOUS,
      });
      scheduler.onApplicationBootstrap();
      await jest.advanceTimersByTimeAsync(5_000);
      await scheduler.onModuleDestroy();
      expect(starts[0]).toBe(3_000);
      expect(runIfFree.mock.calls.length).toBeGreaterThanOrEqual(4);
      expect(runToEnd).not.toHaveBeenCalled();
    });

    it('backs off after failed loads (twice the wait each time) and returns to the interval after a success', async () => {
      jest.useFakeTimers({ now: 0 });
      const { scheduler, starts } = schedulerWith(['failed', 'failed', 'failed', 'succeeded'], { schedule: CONTINUOUS });
      scheduler.onApplicationBootstrap();
      await jest.advanceTimersByTimeAsync(90_000);
      await scheduler.onModuleDestroy();
      // failures at 0, 10 s and 30 s: waits of 10, 20 and 40 s; then the success at 70 s and the interval
      expect(starts).toEqual([0, 10_000, 30_000, 70_000, 80_000, 90_000]);
    });

    it('starts no load once shutdown began, and ends its wait at once', async () => {
      jest.useFakeTimers({ now: 0 });
      const { scheduler, starts } = schedulerWith([], { schedule: CONTINUOUS });
      scheduler.onApplicationBootstrap();
      await jest.advanceTimersByTimeAsync(1_000);
      await scheduler.onModuleDestroy();
      await jest.advanceTimersByTimeAsync(60_000);
      expect(starts).toEqual([0]);
    });
  });
});
