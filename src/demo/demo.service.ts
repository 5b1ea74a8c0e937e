import { type BeforeApplicationShutdown, Inject, Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { EtlService } from '../etl/etl.service.js';
import { CallbackSender, type SendReport } from './callback-sender.js';
import { DEMO_DEFAULTS, firstDayOf } from './demo-traffic.js';
import { type DemoPlan, readPlan, writePlan } from './demo-plan.js';
import { DemoWorld } from './demo-world.js';
import { History } from './history.js';
import { DemoRepository } from './demo.repository.js';
import { progressLine, reportLine } from './progress-line.js';

export type DemoSettings = { seed: number; days: number; dau: number; trickleMs: number; clock: () => number };

const DEFAULT_SETTINGS: DemoSettings = { ...DEMO_DEFAULTS, trickleMs: 5_000, clock: () => Date.now() };
// a scheduled load may hold the lease when the back-fill ends: ask again for a minute
const LOAD_ATTEMPTS = 30;
const LOAD_RETRY_MS = 2_000;
const TRICKLE_REPORT_MS = 10 * 60_000;
const DAY_MS = 86_400_000;

// The demo traffic of the embedded default (DEMO): on an empty source, the history of the demo's apps
// through this service's own collector, then one load, then the callbacks of the present as they happen.
@Injectable()
export class DemoService implements BeforeApplicationShutdown {
  private readonly logger = new Logger('Demo');
  private stopping = false;
  private running: Promise<void> = Promise.resolve();
  private timer?: NodeJS.Timeout;
  private sender?: CallbackSender;
  private live = { sent: 0, stored: 0, since: 0 };

  constructor(
    @Inject(AppConfig) private readonly config: AppConfig,
    @Inject(DemoRepository) private readonly repository: DemoRepository,
    @Inject(EtlService) private readonly etl: EtlService,
  ) {}

  // Starts in the background, against the collector at `baseUrl` (so: once the service listens). The
  // promise resolves once the history is sent and loaded (or found there already) and the live traffic
  // runs; it never rejects (a failure is logged). A second call changes nothing and answers the first
  // one's promise.
  start(baseUrl: string, overrides: Partial<DemoSettings> = {}): Promise<void> {
    if (this.sender) return this.running;
    const settings = { ...DEFAULT_SETTINGS, ...overrides };
    this.sender = new CallbackSender(baseUrl, this.config.auth.callbackToken);
    this.running = this.run(settings).catch((error: Error) => this.logger.error(`Demo traffic stopped: ${error.message}`));
    return this.running;
  }

  // Stops sending (callbacks in flight get their answers) before the HTTP server closes.
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.timer);
    await this.running;
    this.sender?.close();
  }

  private async run(settings: DemoSettings): Promise<void> {
    const empty = !(await this.repository.anyActivity());
    const plan = await this.plan(settings, empty);
    const world = new DemoWorld(plan);
    const nowMs = settings.clock();
    if (empty) {
      await this.backfill(new History(world, plan.firstDay * DAY_MS, nowMs), settings);
      if (!this.stopping) await this.load();
    } else {
      // what fell due before this start was sent by an earlier one (or missed while the service was down)
      await world.skipUntil(nowMs);
      this.logger.log('The source database already holds activities: no back-fill, live demo callbacks only');
    }
    this.live.since = Date.now();
    this.logger.log(`Live demo callbacks from now on, sent as they happen (checked every ${settings.trickleMs / 1000} s)`);
    this.scheduleTick(world, settings);
  }

  // The world of an earlier start, so that its users carry on; a new one for an empty source.
  private async plan(settings: DemoSettings, empty: boolean): Promise<DemoPlan> {
    const kept = empty ? null : await readPlan(this.config.dataDir);
    if (kept) return kept;
    const plan = { seed: settings.seed, dau: settings.dau, firstDay: firstDayOf({ days: settings.days, nowMs: settings.clock() }) };
    await writePlan(this.config.dataDir, plan);
    return plan;
  }

  private async backfill(history: History, settings: DemoSettings): Promise<void> {
    this.logger.log(
      `The source database is empty: sending ${settings.days} days of demo history (about ${settings.dau} daily active users) through the collector`,
    );
    const started = Date.now();
    let logged = 0;
    const onProgress = (report: SendReport) => {
      const tenth = Math.floor(10 * history.share);
      if (tenth > logged && tenth < 10) {
        logged = tenth;
        this.logger.log(`Back-fill ${progressLine(report, history.share, settings.days, Date.now() - started)}`);
      }
    };
    const report = await this.sender!.send(history, onProgress, () => this.stopping);
    this.logger.log(`Back-fill ${this.stopping ? 'stopped' : 'done'}: ${reportLine(report, Date.now() - started)}`);
  }

  // One load now, so the numbers are there without waiting for the schedule. Without it (the ETL failed,
  // or other runs held its lease for a minute) the live callbacks start all the same.
  private async load(): Promise<void> {
    try {
      for (let attempt = 1; attempt <= LOAD_ATTEMPTS; attempt++) {
        if (this.stopping) return;
        const run = await this.etl.runToEnd({ trigger: 'demo', mode: 'arrival' });
        if (run.status === 'succeeded') {
          this.logger.log(
            `Demo history loaded by ETL run ${run.id} (${run.rowsLoaded.toLocaleString('en-US')} rows): the klips have numbers now`,
          );
          return;
        }
        if (run.status === 'failed') return this.notLoaded(`ETL run ${run.id} failed`);
        await new Promise((resolve) => setTimeout(resolve, LOAD_RETRY_MS));
      }
      this.notLoaded(`other runs held the ETL lease for ${(LOAD_ATTEMPTS * LOAD_RETRY_MS) / 1000} s`);
    } catch (error) {
      this.notLoaded((error as Error).message);
    }
  }

  private notLoaded(why: string): void {
    this.logger.warn(`ETL load of the demo history not done (${why}); the schedule will load it`);
  }

  private scheduleTick(world: DemoWorld, settings: DemoSettings): void {
    if (this.stopping) return;
    this.timer = setTimeout(() => {
      this.running = this.tick(world, settings).finally(() => this.scheduleTick(world, settings));
    }, settings.trickleMs);
    this.timer.unref();
  }

  // The callbacks that fell due since the last tick; a report every ten minutes.
  private async tick(world: DemoWorld, settings: DemoSettings): Promise<void> {
    try {
      const report = await this.sender!.send(world.until(settings.clock()), undefined, () => this.stopping);
      this.live.sent += report.sent;
      this.live.stored += report.stored;
    } catch (error) {
      this.logger.warn(`Live demo callbacks not sent: ${(error as Error).message}`);
    }
    if (Date.now() - this.live.since >= TRICKLE_REPORT_MS) {
      this.logger.log(`Live demo traffic: ${this.live.sent} callbacks in the last 10 minutes (${this.live.stored} stored)`);
      this.live = { sent: 0, stored: 0, since: Date.now() };
    }
  }
}
