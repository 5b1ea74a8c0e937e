import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { EtlStep } from '../../src/etl/etl-run.js';
import { EtlRunRepository } from '../../src/etl/etl-run.repository.js';
import { EtlService } from '../../src/etl/etl.service.js';
import { installCallback } from '../support/adjust-callbacks.js';
import { runEtl, storeCallbacks } from '../support/etl.js';
import { noon } from '../support/metrics-api.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

// The warehouse maintenance (Redshift's daily VACUUM and ANALYZE, which can take minutes) runs after its
// run has released the ETL lease, under a lock of its own (redshift.md §7, finding 9): loads go on while
// it works, and a second process does not start another VACUUM meanwhile. The test holds a run in its
// maintenance step (PostgreSQL has no statements to run there; the step is the same).
describe(`${EtlService.name} maintenance`, () => {
  let t: TestApp;
  let holding = false;
  let maintaining: () => void = () => undefined;
  let release: () => void = () => undefined;
  const maintainedBy: number[] = [];

  beforeAll(async () => {
    t = await startTestApp(
      {},
      {
        etlStepHook: async (step: EtlStep, runId: number) => {
          if (step !== 'maintain') return;
          maintainedBy.push(runId);
          if (!holding) return;
          const released = new Promise<void>((resolve) => (release = resolve));
          maintaining();
          await released;
        },
      },
    );
  });
  afterAll(async () => {
    await t.close();
  });

  it('lets the next loads run while a run maintains the warehouse, and maintains once at a time', async () => {
    holding = true;
    const inMaintenance = new Promise<void>((resolve) => (maintaining = resolve));
    await storeCallbacks(t, [installCallback({ created_at: noon('2026-11-20') })]);
    const first = runEtl(t);
    await inMaintenance;
    holding = false;
    try {
      const [firstId] = maintainedBy;
      // the run's load is done and recorded; only its maintenance goes on
      await expect(t.app.get(EtlRunRepository).get(firstId)).resolves.toMatchObject({ status: 'succeeded' });

      await storeCallbacks(t, [installCallback({ created_at: noon('2026-11-21') })]);
      const second = await runEtl(t);
      expect(second).toMatchObject({ status: 'succeeded', rowsLoaded: 1 });
      // the second run found the maintenance lock taken: it left the maintenance to the first
      expect(maintainedBy).toEqual([firstId]);
    } finally {
      release();
    }
    const done = await first;
    expect(done.status).toBe('succeeded');
    expect(done.stepMs).toHaveProperty('maintain');

    // with the lock free again, the next run maintains (when due) as before
    const third = await runEtl(t);
    expect(third.status).toBe('succeeded');
    expect(maintainedBy.at(-1)).toBe(third.id);
  });
});
