import { afterEach, describe, expect, it, jest } from '@jest/globals';
import type { SchedulerRegistry } from '@nestjs/schedule';
import type { AppConfig } from '../../src/config/app-config.js';
import type { EtlRunRequest, EtlRunView } from '../../src/etl/etl-run.js';
import { EtlScheduler } from '../../src/etl/etl.scheduler.js';
import type { EtlService } from '../../src/etl/etl.service.js';

// A fake EtlService whose runs end with the given statuses, one per call.
function schedulerWith(statuses: EtlRunView['status'][]) {
  const runToEnd = jest.fn(async (_request: EtlRunRequest) => ({ status: statuses.shift() ?? 'succeeded' }) as EtlRunView);
  const scheduler = new EtlScheduler({} as SchedulerRegistry, { runToEnd } as unknown as EtlService, {} as AppConfig);
  return { runToEnd, tick: (request: EtlRunRequest) => scheduler['tick'](request) };
}

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

  it('leaves a skipped 10-minute load to the next tick', async () => {
    const { runToEnd, tick } = schedulerWith(['skipped']);
    await tick({ trigger: 'schedule', mode: 'arrival' });
    expect(runToEnd).toHaveBeenCalledTimes(1);
  });
});
