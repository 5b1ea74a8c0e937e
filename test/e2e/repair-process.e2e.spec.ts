import { type ChildProcess, fork } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { getPriority } from 'node:os';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import type { EtlRunView } from '../../src/etl/etl-run.js';
import { type FromRepair, REPAIR_WORKER, RepairProcess, type ToRepair } from '../../src/etl/repair-process.js';
import { installCallback, sessionCallback } from '../support/adjust-callbacks.js';
import {
  expectConverged,
  HOLD_REBUILD,
  holdLocks,
  query,
  REBUILD_HELD_AT,
  storeCallbacks,
  waitForLeaseFree,
  waitForLockWait,
} from '../support/etl.js';
import { etagOf } from '../support/metrics-api.js';
import { parseSamples } from '../support/prometheus-text.js';
import { waitUntil } from '../support/service-process.js';
import { ADMIN_KEY, startTestApp, type TestApp } from '../support/test-app.js';

const RUNS = '/api/v1/etl/runs';
const NICE = 7;

// This process's children, with their niceness and command line (from /proc: field 4 of stat is the
// parent's id, field 19 the niceness; the command's name, in parentheses, may hold spaces).
function children(): { pid: number; nice: number; command: string }[] {
  const found = [];
  for (const entry of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) !== process.pid) continue;
      const command = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ');
      found.push({ pid: Number(entry), nice: Number(fields[16]), command });
    } catch {
      // a process that ended while listed
    }
  }
  return found;
}

const repairProcesses = () => children().filter((child) => child.command.includes('repair-worker.js'));

describe(RepairProcess.name, () => {
  let t: TestApp;
  const server = () => t.app.getHttpServer() as Server;
  const asAdmin = (path: string) => request(server()).get(path).set('X-API-Key', ADMIN_KEY);
  const startRebuild = async () =>
    (await request(server()).post(RUNS).set('X-API-Key', ADMIN_KEY).send({ mode: 'rebuild' }).expect(202)).body.id as number;

  async function settled(id: number): Promise<EtlRunView> {
    let run: EtlRunView | undefined;
    await waitUntil(
      async () => {
        run = (await asAdmin(`${RUNS}/${id}`).expect(200)).body as EtlRunView;
        return run.status !== 'running';
      },
      20_000,
      `run ${id} has ended`,
    );
    await waitForLeaseFree(t.databases.sourceUrl);
    return run!;
  }

  beforeAll(async () => {
    t = await startTestApp({ ETL_REPAIR_NICE: String(NICE) });
    await storeCallbacks(t, [installCallback(), sessionCallback()]);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('runs a rebuild in a process of its own at ETL_REPAIR_NICE, its warehouse session too; the service hears of its commit and counts it', async () => {
    const etagBefore = await etagOf(t);
    const ownNice = getPriority();
    const held = await holdLocks(t.databases.warehouseUrl, [HOLD_REBUILD]);
    let id: number;
    try {
      id = await startRebuild();
      const backend = await waitForLockWait(t.databases.warehouseUrl, REBUILD_HELD_AT.statement);
      expect(repairProcesses().map((child) => child.nice)).toEqual([NICE]);
      expect(getPriority(backend)).toBe(NICE);
      expect(getPriority()).toBe(ownNice);
      // a second repair meanwhile is refused at once, without a process of its own
      const asked = performance.now();
      const refused = await request(server()).post(RUNS).set('X-API-Key', ADMIN_KEY).send({ mode: 'window', windowDays: 3 }).expect(409);
      expect(refused.body.id).toBe(id);
      expect(performance.now() - asked).toBeLessThan(1_000);
      expect(repairProcesses()).toHaveLength(1);
    } finally {
      await held.release();
    }
    expect(await settled(id)).toMatchObject({ status: 'succeeded', mode: 'rebuild', rowsLoaded: 2 });
    // the readers of this process answer from the new data as soon as the run reads as succeeded
    expect(await etagOf(t)).not.toBe(etagBefore);
    // counted once its process has exited (a moment after its record reads as succeeded)
    let samples = parseSamples('');
    await waitUntil(
      async () => {
        samples = parseSamples((await request(server()).get('/metrics').set('Authorization', `Bearer ${ADMIN_KEY}`).expect(200)).text);
        return samples.value('kpi_etl_runs_in_progress') === 0;
      },
      10_000,
      'the service has counted the repair',
    );
    expect(repairProcesses()).toEqual([]);
    expect(samples.value('kpi_etl_runs_total', { status: 'succeeded', trigger: 'api', mode: 'rebuild' })).toBe(1);
    expect(samples.value('kpi_etl_step_duration_seconds_count', { step: 'rollups' })).toBe(1);
  });

  it('starts the next repair as soon as the last one reads succeeded: its process, still finishing, holds nothing', async () => {
    for (let round = 1; round <= 3; round++) {
      const id = await startRebuild();
      // asked as often as a client in a hurry would: the moment the record reads succeeded, the process
      // that ran it may still be finishing (its maintenance, its exit)
      let run = (await asAdmin(`${RUNS}/${id}`).expect(200)).body as EtlRunView;
      for (const deadline = Date.now() + 20_000; run.status === 'running' && Date.now() < deadline;) {
        run = (await asAdmin(`${RUNS}/${id}`).expect(200)).body as EtlRunView;
      }
      expect(run).toMatchObject({ id, status: 'succeeded', mode: 'rebuild' });
    }
    await waitForLeaseFree(t.databases.sourceUrl);
    await expectConverged(t);
  });

  it('records a repair whose process was killed as failed, leaves the warehouse as it was, and the next one succeeds', async () => {
    const held = await holdLocks(t.databases.warehouseUrl, [HOLD_REBUILD]);
    let id: number;
    try {
      id = await startRebuild();
      await waitForLockWait(t.databases.warehouseUrl, REBUILD_HELD_AT.statement);
      const [worker] = repairProcesses();
      process.kill(worker.pid, 'SIGKILL');
    } finally {
      await held.release();
    }
    const killed = await settled(id);
    expect(killed).toMatchObject({ status: 'failed', error: "the repair's process exited (SIGKILL) before the run ended" });
    await expectConverged(t);
    expect(await settled(await startRebuild())).toMatchObject({ status: 'succeeded', rowsLoaded: 2 });
    await expectConverged(t);
  });

  it('ends when the service that started it is gone, and the next repair takes over its lock', async () => {
    const held = await holdLocks(t.databases.warehouseUrl, [HOLD_REBUILD]);
    let worker: ChildProcess | undefined;
    let id: number;
    try {
      worker = fork(REPAIR_WORKER, [], { execArgv: [], serialization: 'advanced', stdio: 'ignore' });
      const started = new Promise<number>((resolve) =>
        worker!.on('message', (message: FromRepair) => message.kind === 'started' && resolve(message.started.id)),
      );
      const order: ToRepair = { kind: 'run', config: t.config, request: { trigger: 'api', mode: 'rebuild' } };
      worker.send(order);
      id = await started;
      await waitForLockWait(t.databases.warehouseUrl, REBUILD_HELD_AT.statement);
      const exited = new Promise((resolve) => worker!.once('exit', resolve));
      worker.disconnect();
      await exited;
    } finally {
      worker?.kill('SIGKILL');
      await held.release();
    }
    // its run is left as running until the next repair finds its lock free
    await waitForLeaseFree(t.databases.sourceUrl);
    const [left] = await query<{ status: string }>(t.databases.sourceUrl, 'SELECT status FROM mob.etl_run WHERE id = $1', [id]);
    expect(left.status).toBe('running');
    expect(await settled(await startRebuild())).toMatchObject({ status: 'succeeded', rowsLoaded: 2 });
    expect((await asAdmin(`${RUNS}/${id}`).expect(200)).body).toMatchObject({ status: 'failed' });
    await expectConverged(t);
  });
});
