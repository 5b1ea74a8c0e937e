import { type ChildProcess, fork } from 'node:child_process';
import path from 'node:path';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { PROJECT_ROOT } from '../database/project-paths.js';
import { Telemetry } from '../observability/telemetry.js';
import { EtlRunRepository } from './etl-run.repository.js';
import { ETL_STEPS, type EtlRunRequest } from './etl-run.js';
import type { StartedRun } from './etl.service.js';
import { LoadEvents } from './load-events.js';

// What the service and its repair's process tell each other (over the IPC channel of fork()).
export type RepairOrder = { kind: 'run'; config: AppConfig; request: EtlRunRequest };
export type ToRepair = RepairOrder | { kind: 'ready'; runId: number };
export type FromRepair =
  | { kind: 'started'; started: { status: 'running'; id: number } | { status: 'skipped'; id: number; runningId: number | null } }
  | { kind: 'committed'; runId: number }
  | { kind: 'failed'; message: string };

// the compiled worker: the service runs from dist/, the tests from src/ after `npm run build`
export const REPAIR_WORKER = path.join(PROJECT_ROOT, 'dist', 'cli', 'repair-worker.js');

// A window run or a rebuild of the service runs in a process of its own (src/cli/repair-worker.ts), at a
// lower CPU priority (ETL_REPAIR_NICE), its database sessions too when the database is on this machine:
// on a small machine, minutes of extract and rollup work beside the collector and the live loads would
// otherwise take their cores and their event loop (bench:freshness run H: a lag of five minutes). The
// run is the same as in the service's process, recorded in the same place; this process hears when it
// has started and when its data has committed (its readers and the other replicas are told, as after any
// load of its own), and counts it in its metrics when it ends.
@Injectable()
export class RepairProcess {
  private readonly logger = new Logger('Etl');
  // this service's repair process from its start to its exit, and its run once recorded
  private current: { runId: number | null } | null = null;

  constructor(
    @Inject(AppConfig) private readonly config: AppConfig,
    @Inject(EtlRunRepository) private readonly runs: EtlRunRepository,
    @Inject(LoadEvents) private readonly loads: LoadEvents,
    @Inject(Telemetry) private readonly telemetry: Telemetry,
  ) {}

  // Whether a repair process of this service is starting or running (null: none), and its run once known.
  get running(): { runId: number | null } | null {
    return this.current;
  }

  // Resolves once the run is recorded as running (or skipped), as EtlService.start does.
  start(request: EtlRunRequest): Promise<StartedRun> {
    const child = fork(REPAIR_WORKER, [], { execArgv: [], serialization: 'advanced' });
    const current = { runId: null as number | null };
    this.current = current;
    const exited = new Promise<string>((resolve) =>
      child.once('exit', (code, signal) => {
        if (this.current === current) this.current = null;
        resolve(signal ?? `code ${code}`);
      }),
    );
    return new Promise<StartedRun>((resolve, reject) => {
      child.on('message', (message: FromRepair) => {
        if (message.kind === 'failed') reject(new Error(message.message));
        if (message.kind === 'committed') void this.committed(child, message.runId);
        if (message.kind !== 'started') return;
        const { started } = message;
        if (started.status === 'skipped') {
          this.telemetry.etl.runFinished(request, 'skipped');
          resolve(started);
          return;
        }
        current.runId = started.id;
        this.telemetry.etl.runStarted();
        const finished = exited.then((how) => this.ended(request, started.id, how));
        // never rejects, as a run of this process: a source that does not answer now leaves the record to the next repair
        resolve({ ...started, finished: finished.catch((error: Error) => this.logger.error(`run ${started.id}: ${error.message}`)) });
      });
      child.once('error', reject);
      // a process that could not start its run says why before it exits; this is for one that could not
      void exited.then((how) => reject(new Error(`The repair's process exited (${how}) before its run started`)));
      this.send(child, { kind: 'run', config: this.config, request });
    });
  }

  // The answers of the new data are ready before the repair reads as succeeded, as with a load of this process.
  private async committed(child: ChildProcess, runId: number): Promise<void> {
    await this.loads.committed(runId);
    this.send(child, { kind: 'ready', runId });
  }

  private send(child: ChildProcess, message: ToRepair): void {
    if (child.connected) child.send(message);
  }

  // A process that ended before its run did (killed, out of memory) leaves the run failed, not running; the
  // repair's work is lost, the warehouse as it was (a repair swaps its tables in at its end, in one transaction).
  private async ended(request: EtlRunRequest, id: number, how: string): Promise<void> {
    let run = await this.runs.get(id);
    if (run?.status === 'running') {
      const reason = `the repair's process exited (${how}) before the run ended`;
      this.logger.error(`run ${id}: ${reason}`);
      await this.runs.finish(id, 'failed', reason, run, run.progress ?? { phase: 'lease', detail: null, percent: 0, secondsLeft: null });
      run = await this.runs.get(id);
    }
    if (!run || run.status === 'running' || run.status === 'skipped') return;
    for (const step of ETL_STEPS) if (run.stepMs[step] !== undefined) this.telemetry.etl.stepFinished(step, run.stepMs[step] / 1000);
    this.telemetry.etl.runFinished(request, run.status, run.status === 'succeeded' ? run.rowsLoaded : 0);
  }
}
