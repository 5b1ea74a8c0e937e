import { type BeforeApplicationShutdown, Inject, Injectable, Logger, Optional } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config.js';
import { SOURCE_DB } from '../database/connections.js';
import { SqlCatalog } from '../database/sql-catalog.js';
import { withLogFields } from '../logging/log-context.js';
import { Telemetry } from '../observability/telemetry.js';
import { EtlRunRepository } from './etl-run.repository.js';
import {
  ETL_MODES,
  ETL_STEP_HOOK,
  type EtlMode,
  type EtlRunRequest,
  type EtlRunView,
  type EtlStep,
  type EtlStepHook,
  isRepair,
} from './etl-run.js';
import { SourceExtractor } from './extract/source-extractor.js';
import { EtlLease, MAINTENANCE_KEY, REPAIR_KEY } from './lease.js';
import { loadPlan } from './load-plan.js';
import { LoadEvents } from './load-events.js';
import { type ProgressListener, RunTracker } from './run-tracker.js';
import type { StagedPart } from './stage/manifest.js';
import { RepairProcess } from './repair-process.js';
import { RollupRefresh } from './rollups/rollup-refresh.js';
import { Stager } from './stage/stager.js';
import { Warehouse } from './warehouse/warehouse.js';
import type { WarehouseSession } from './warehouse/warehouse-session.js';

type LoadOptions = { request?: EtlRunRequest; prefix?: string };

// A deadlock or a serialization failure: PostgreSQL's codes, Redshift's message (its code is XX000).
function isConflict(error: unknown): boolean {
  const { code, message } = error as { code?: string; message?: string };
  return code === '40P01' || code === '40001' || /serializable isolation violation|deadlock detected/i.test(message ?? '');
}

export type StartedRun =
  { status: 'running'; id: number; finished: Promise<void> } | { status: 'skipped'; id: number; runningId: number | null };

// ANALYZE/VACUUM after a committed load at most this often, never inside the merge.
const MAINTENANCE_INTERVAL_MS = 24 * 3600_000;
// How long a run waits for a lease that is held while no run is recorded as running (see takeLease).
const LEASE_ATTEMPTS = 100;
const LEASE_RETRY_MS = 10;
// A repair waits for the ETL lease (to swap, or to build in place) while an arrival load holds it (a few
// seconds), asking this often, for up to this long.
const SWAP_LEASE_POLL_MS = 50;
const SWAP_LEASE_WAIT_MS = 10 * 60_000;
// Before it takes the ETL lease, a repair catches up beside the live loads, round after round, until a
// round finds this few rows (what arrived during the round before): the one under the lease is then short.
const CATCH_UP_ROUNDS = 5;
const CATCH_UP_SMALL_ROWS = 20_000;
// A swap that meets a deadlock (a reader locking the tables in another order) or Redshift's serializable
// isolation violation is tried again: it is short, and the repair before it long.
const SWAP_ATTEMPTS = 3;
const REPAIR_MODES = ETL_MODES.filter(isRepair);

// One run: lease → extract → stage → load → merge (with the rollups) → record. Every run is recorded, including one
// that could not take the lease (skipped) and one that failed (with the step and the reason). A repair (a
// window run or a rebuild) holds a lock of its own instead and builds beside the live warehouse while
// arrival loads go on, then takes the ETL lease to catch up with them and swap (see repair()).
@Injectable()
export class EtlService implements BeforeApplicationShutdown {
  private readonly logger = new Logger('Etl');
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    @Inject(SOURCE_DB) private readonly source: DataSource,
    @Inject(SqlCatalog) private readonly sql: SqlCatalog,
    @Inject(AppConfig) private readonly config: AppConfig,
    @Inject(EtlRunRepository) private readonly runs: EtlRunRepository,
    @Inject(SourceExtractor) private readonly extractor: SourceExtractor,
    @Inject(Stager) private readonly stager: Stager,
    @Inject(Warehouse) private readonly warehouse: Warehouse,
    @Inject(LoadEvents) private readonly loads: LoadEvents,
    @Inject(Telemetry) private readonly telemetry: Telemetry,
    @Optional() @Inject(ETL_STEP_HOOK) private readonly hook?: EtlStepHook,
    @Optional() @Inject(RepairProcess) private readonly repairProcess?: RepairProcess,
  ) {}

  // Resolves once the run is recorded as running (or skipped); `finished` settles when it ends. The
  // service's repairs run in a process of their own (see RepairProcess).
  async start(request: EtlRunRequest, listener?: ProgressListener): Promise<StartedRun> {
    if (isRepair(request.mode) && this.repairProcess) return this.startRepairProcess(request, this.repairProcess);
    const leaseStarted = performance.now();
    const taken = await this.takeLease(request.mode);
    if (!('lease' in taken)) return this.skip(request, taken.runningId);
    return this.begin(request, taken.lease, leaseStarted, listener);
  }

  // A continuous schedule's load: when another run holds the lease (another replica's turn), none is
  // started and nothing is recorded, so replicas that take turns leave no trail of skipped runs.
  async runIfFree(request: EtlRunRequest): Promise<EtlRunView | null> {
    const leaseStarted = performance.now();
    const lease = await EtlLease.tryAcquire(this.source, this.sql);
    if (!lease) return null;
    const started = await this.begin(request, lease, leaseStarted);
    return this.endOf(started);
  }

  private async begin(request: EtlRunRequest, lease: EtlLease, leaseStarted: number, listener?: ProgressListener): Promise<StartedRun> {
    let run: RunTracker;
    try {
      const id = await this.runs.start(request.trigger, request.mode);
      await this.abandonDead(id, request.mode);
      run = new RunTracker(id, request, this.runs, this.logger, this.telemetry.etl, listener);
    } catch (error) {
      await lease.release();
      throw error;
    }
    run.counts.stepMs.lease = Math.round(performance.now() - leaseStarted);
    this.telemetry.etl.stepFinished('lease', run.counts.stepMs.lease / 1000);
    this.telemetry.etl.runStarted();
    // every line the run logs, in any module, carries its id
    const finished = withLogFields({ runId: run.id }, async () => {
      this.logger.debug(`run ${run.id}: started (${request.mode}, ${request.trigger})`);
      const succeeded = await this.execute(run, lease).finally(() => lease.release());
      if (succeeded) await run.step('maintain', () => this.maintain(run));
    });
    return this.track({ status: 'running', id: run.id, finished });
  }

  // A repair that would find the repair lock held (by this service's repair process, starting or running
  // its repair, or another's) is refused at once, without a process started to find out. A process whose
  // run has ended holds nothing while it finishes (its maintenance, its exit); a lock held with no repair
  // recorded as running is asked again, as takeLease does.
  private async startRepairProcess(request: EtlRunRequest, repairProcess: RepairProcess): Promise<StartedRun> {
    const ours = repairProcess.running;
    if (ours && (ours.runId === null || (await this.runs.get(ours.runId))?.status === 'running')) {
      return this.skip(request, ours.runId ?? (await this.runs.running(REPAIR_MODES)));
    }
    const taken = await this.takeLease(request.mode);
    if (!('lease' in taken)) return this.skip(request, taken.runningId);
    await taken.lease.release();
    return this.track(await repairProcess.start(request));
  }

  private track(started: StartedRun): StartedRun {
    if (started.status !== 'running') return started;
    const { finished } = started;
    this.inFlight.add(finished);
    void finished.finally(() => this.inFlight.delete(finished));
    return started;
  }

  // A stop lets the run in progress finish (the process's grace period bounds the wait); one killed
  // mid-run leaves the warehouse at its last complete load.
  async beforeApplicationShutdown(): Promise<void> {
    if (this.inFlight.size > 0) this.logger.log('Waiting for the ETL run in progress to finish');
    await Promise.all(this.inFlight);
  }

  // The schedule and the CLI wait for the run's end.
  async runToEnd(request: EtlRunRequest, listener?: ProgressListener): Promise<EtlRunView> {
    return this.endOf(await this.start(request, listener));
  }

  private async endOf(started: StartedRun): Promise<EtlRunView> {
    if (started.status === 'running') await started.finished;
    const view = await this.runs.get(started.id);
    if (!view) throw new Error(`ETL run ${started.id} has no record`);
    return view;
  }

  // A lease held with no run recorded as running is a moment in a run's life: its holder has just taken
  // it and is writing its record, or has just recorded its end and is releasing it. Ask again then.
  // A repair's lease is the repair lock; an arrival load's, the ETL lease.
  private async takeLease(mode: EtlMode): Promise<{ lease: EtlLease } | { runningId: number | null }> {
    for (let attempt = 1; ; attempt++) {
      const lease = await EtlLease.tryAcquire(this.source, this.sql, isRepair(mode) ? REPAIR_KEY : undefined);
      if (lease) return { lease };
      const runningId = await this.runs.running(isRepair(mode) ? REPAIR_MODES : ['arrival']);
      if (runningId !== null) return { runningId };
      // the ETL lease may be a repair's too, while it swaps (or builds in place)
      if (attempt === LEASE_ATTEMPTS) return { runningId: await this.runs.running(ETL_MODES) };
      await new Promise((resolve) => setTimeout(resolve, LEASE_RETRY_MS));
    }
  }

  // The runs recorded as running whose process died: those of the modes the run's lock guards, and an
  // arrival load's, repairs too when the repair lock is free (held meanwhile: no repair starts between).
  // Most loads find no repair recorded as running, and leave the repair lock alone.
  private async abandonDead(id: number, mode: EtlMode): Promise<void> {
    if (isRepair(mode)) return this.runs.abandonOthers(id, REPAIR_MODES);
    const repairRecorded = (await this.runs.running(REPAIR_MODES)) !== null;
    const repairLock = repairRecorded ? await EtlLease.tryAcquire(this.source, this.sql, REPAIR_KEY) : null;
    try {
      await this.runs.abandonOthers(id, repairLock ? ETL_MODES : ['arrival']);
    } finally {
      await repairLock?.release();
    }
  }

  private async skip(request: EtlRunRequest, runningId: number | null): Promise<StartedRun> {
    const lock = isRepair(request.mode) ? 'the repair lock (one window run or rebuild at a time)' : 'the ETL lease';
    const reason = `${runningId ? `run ${runningId}` : 'another run'} holds ${lock}`;
    const id = await this.runs.skip(request.trigger, request.mode, reason);
    this.telemetry.etl.runFinished(request, 'skipped');
    withLogFields({ runId: id }, () => this.logger.log(`run ${id}: skipped, ${reason}`));
    return { status: 'skipped', id, runningId };
  }

  // Never rejects: the outcome is in the run's record. Whether the run succeeded.
  private async execute(run: RunTracker, lease: EtlLease): Promise<boolean> {
    const startedAt = new Date();
    try {
      if (isRepair(run.request.mode)) await this.repair(run, lease, startedAt);
      else await this.warehouse.withSession((session) => this.load(run, lease, session, startedAt));
      // the answers of the new data are ready before the run reads as succeeded
      await this.loads.committed(run.id);
      await this.runs.finish(run.id, 'succeeded', null, run.counts, run.finish());
      this.telemetry.etl.runFinished(run.request, 'succeeded', run.counts.rowsLoaded);
      const ms = Math.round(Date.now() - startedAt.getTime());
      this.logger.log(`run ${run.id}: succeeded, ${run.counts.rowsLoaded} rows loaded in ${ms} ms`);
      return true;
    } catch (error) {
      const message = (error as Error).message;
      this.telemetry.etl.runFinished(run.request, 'failed');
      this.logger.error(`run ${run.id}: ${message}`);
      await this.runs.finish(run.id, 'failed', message, run.counts, run.progressNow()).catch((recordError: Error) => {
        this.logger.error(`run ${run.id}: could not record the failure: ${recordError.message}`);
      });
      return false;
    } finally {
      await this.stager.deleteExpiredIfDue(startedAt);
    }
  }

  // A window run or a rebuild, holding the repair lock. With loads and rollups live, it builds the
  // warehouse again beside them (shadow-tables.ts) while arrival loads go on landing; then it takes the
  // ETL lease, loads what they loaded meanwhile beside the live tables too (an arrival load from its own
  // resume point), and swaps its tables in, in one short transaction. Before the first build there is
  // nothing live to keep fresh: it builds in place, under the ETL lease. A kill at any point leaves the
  // live warehouse as it was; the next repair starts over.
  private async repair(run: RunTracker, repairLock: EtlLease, startedAt: Date): Promise<void> {
    await this.afterStep('lease', run);
    if (!(await this.warehouse.withSession((session) => session.liveBuilt()))) {
      await this.holdingLease(run, (lease) => this.warehouse.withSession((session) => this.load(run, lease, session, startedAt)));
      return;
    }
    run.besideLive();
    try {
      await run.step('prepare', async () => {
        await this.warehouse.withSession((session) => session.prepareShadow(run.request.mode === 'window'));
        await this.afterStep('prepare', run);
      });
      await this.warehouse.withSession((session) => this.load(run, repairLock, session, startedAt), { besideLive: true });
      // the catch-up plans its statements on what the build wrote
      await this.warehouse.withSession((session) => session.analyzeShadow());
      await run.step('swap', async () => {
        await this.catchUpBeside(run, repairLock);
        await this.holdingLease(run, async (lease) => {
          run.describe('catching up with the last loads, holding the ETL lease');
          await this.catchUp(run, lease, 'final');
          await this.afterStep('swap', run);
          run.describe('swapping the repaired tables in');
          await repairLock.assertHeld();
          await lease.assertHeld();
          await this.swap(run);
        });
      });
    } catch (error) {
      await this.warehouse.withSession((session) => session.dropShadow()).catch(() => undefined);
      throw error;
    }
  }

  // A repair's catch-up: an arrival load beside the live tables, from the resume point the last one there
  // recorded (its build's, or the catch-up before), staged under the repair's folder.
  private async catchUp(run: RunTracker, lease: EtlLease, name: string): Promise<number> {
    const before = run.counts.rowsExtracted;
    const options: LoadOptions = { request: { ...run.request, mode: 'arrival' }, prefix: `catch-up-${name}/` };
    await run.within(() =>
      this.warehouse.withSession((session) => this.load(run, lease, session, new Date(), options), { besideLive: true }),
    );
    return run.counts.rowsExtracted - before;
  }

  // The catch-ups that need no ETL lease, while the live loads go on: each loads what arrived during the
  // one before, so the one under the lease loads seconds of traffic, not the build's minutes.
  private async catchUpBeside(run: RunTracker, repairLock: EtlLease): Promise<void> {
    for (let round = 1; round <= CATCH_UP_ROUNDS; round++) {
      run.describe(`catching up beside the live loads (round ${round})`);
      if ((await this.catchUp(run, repairLock, String(round))) <= CATCH_UP_SMALL_ROWS) return;
    }
  }

  // The swap, tried again after a deadlock or a serialization failure; then what it replaced goes.
  private async swap(run: RunTracker): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.warehouse.withSession((session) => session.swapShadow(run.id, run.request.mode, run.counts.rowsLoaded));
        break;
      } catch (error) {
        if (attempt === SWAP_ATTEMPTS || !isConflict(error)) throw error;
        this.logger.warn(`run ${run.id}: the swap met a conflicting transaction (${(error as Error).message}); trying again`);
      }
    }
    const { left } = await this.warehouse
      .withSession((session) => session.dropReplaced())
      .catch((error: Error) => ({ left: [error.message] }));
    if (left.length > 0) this.logger.warn(`run ${run.id}: swapped in, but could not drop ${left.join('; ')}; the next repair drops them`);
  }

  // Work under the ETL lease, waited for: the arrival load that holds it ends within seconds.
  private async holdingLease<T>(run: RunTracker, work: (lease: EtlLease) => Promise<T>): Promise<T> {
    run.describe('waiting for the load in progress');
    const deadline = performance.now() + SWAP_LEASE_WAIT_MS;
    let lease: EtlLease | null;
    while (!(lease = await EtlLease.tryAcquire(this.source, this.sql))) {
      if (performance.now() > deadline) throw new Error(`the ETL lease stayed taken for ${SWAP_LEASE_WAIT_MS / 60_000} min`);
      await new Promise((resolve) => setTimeout(resolve, SWAP_LEASE_POLL_MS));
    }
    try {
      await this.runs.abandonOthers(run.id, ['arrival']);
      return await work(lease);
    } finally {
      await lease.release();
    }
  }

  // `options`: a repair's catch-up is an arrival load, staged under the repair's folder.
  private async load(
    run: RunTracker,
    lease: EtlLease,
    session: WarehouseSession,
    startedAt: Date,
    options: LoadOptions = {},
  ): Promise<void> {
    const request = options.request ?? run.request;
    const prefix = this.stager.runPrefix(run.id, startedAt) + (options.prefix ?? '');
    const { plan, load, summary, parts } = await run.step('extract', () => this.extract(request, run, session, prefix, startedAt));
    const manifestUrl = await run.step('stage', async () => {
      const url = parts.length > 0 ? await this.stager.writeManifest(prefix, parts) : null;
      await this.afterStep('stage', run);
      return url;
    });
    await run.step('load', async () => {
      await load.loadStaged(manifestUrl);
      await this.afterStep('load', run);
    });
    run.counts.daysRefreshed = plan.daysRefreshed(summary.days);
    await run.step('merge', () =>
      load.commit(plan.mergePlan(run.id, summary), async (client, { replacedRows }) => {
        const recounted = await run.step('rollups', () =>
          new RollupRefresh(client, this.sql, this.config.report).run(
            {
              ...plan,
              runId: run.id,
              days: plan.daysRefreshed(summary.createdDays),
              rows: summary.rows,
              loadRowsKept: plan.keepLoadRows,
              replacedRows,
            },
            (done, total, current) => run.reportRollups(done, total, current),
          ),
        );
        run.counts.daysRefreshed = [...new Set([...run.counts.daysRefreshed, ...recounted])].sort();
        await this.afterStep('merge', run);
        // last thing before the commit: a lease lost with its connection may already be someone else's
        await lease.assertHeld();
        // a rebuild may change any day (rows gone from the source take their days with them)
        return { firstChangedDay: plan.mode === 'rebuild' ? null : (run.counts.daysRefreshed[0] ?? null) };
      }),
    );
    run.counts.rowsLoaded = summary.rows;
  }

  // Reads the source's snapshot into gzip parts; the warehouse load begins beside it (PostgreSQL copies
  // the rows in as the stager writes them).
  private async extract(request: EtlRunRequest, run: RunTracker, session: WarehouseSession, prefix: string, startedAt: Date) {
    const { timezone } = this.config.report;
    const plan = loadPlan(request, await session.lastLoad(), startedAt, timezone, this.config.etl.windowDays);
    const load = await session.beginLoad(plan);
    try {
      const { summary, result: parts } = await this.extractor.extract(plan, (rows, rowCount) => {
        // a failed count fails the extract itself
        rowCount.then(
          (total) => run.expectRows(total),
          () => undefined,
        );
        const onRows = (done: number) => run.report('extract', done);
        return this.stager.writeParts(prefix, rows, onRows, load.rows);
      });
      this.countStaged(run, parts, summary.rows);
      await this.afterStep('extract', run);
      return { plan, load, summary, parts };
    } catch (error) {
      load.abort(error as Error);
      throw error;
    }
  }

  private countStaged(run: RunTracker, parts: StagedPart[], expectedRows: number): void {
    run.counts.rowsExtracted = parts.reduce((sum, part) => sum + part.rows, 0);
    run.counts.stagedFiles = parts.length;
    run.counts.stagedBytes = parts.reduce((sum, part) => sum + part.bytes, 0);
    if (run.counts.rowsExtracted !== expectedRows) {
      throw new Error(`the source streamed ${run.counts.rowsExtracted} rows where its snapshot counted ${expectedRows}`);
    }
  }

  // After the run has released the lease: a VACUUM can take minutes on Redshift, and the next loads go
  // on meanwhile. One process maintains at a time, under a lock of its own (Redshift runs one VACUUM per
  // cluster: a second one fails); one that finds the lock taken leaves the maintenance to its holder.
  // Never rejects: the load is committed, and maintenance that fails is tried again by the next run.
  private async maintain(run: RunTracker): Promise<void> {
    let lock: EtlLease | null = null;
    try {
      lock = await EtlLease.tryAcquire(this.source, this.sql, MAINTENANCE_KEY);
      if (!lock) return;
      await this.warehouse.withSession(async (session) => {
        await this.afterStep('maintain', run);
        if (await session.maintainIfDue(run.id, new Date(), MAINTENANCE_INTERVAL_MS))
          this.logger.log(`run ${run.id}: warehouse maintenance done`);
      });
    } catch (error) {
      this.logger.warn(`run ${run.id}: warehouse maintenance failed: ${(error as Error).message}`);
    } finally {
      await lock?.release();
    }
  }

  private async afterStep(step: EtlStep, run: RunTracker): Promise<void> {
    await this.hook?.(step, run.id);
  }
}
