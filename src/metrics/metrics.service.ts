import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { type Observable, Subject } from 'rxjs';
import { AppConfig } from '../config/app-config.js';
import { zonedDate } from '../common/zoned-time.js';
import { LoadEvents } from '../etl/load-events.js';
import { LoadSchedule } from '../etl/load-schedule.js';
import { Telemetry } from '../observability/telemetry.js';
import { AnswerCache, type CachedAnswer } from './answer-cache.js';
import { resolveRange } from './date-range.js';
import type { MetricQuery } from './dto/metric-query.dto.js';
import { KLIP_ENTRIES, KLIPS, type Klip } from './klips.js';
import { MetricAnswers, type MetricRequest } from './metric-answers.js';
import { type Freshness, MetricsRepository } from './metrics.repository.js';
import { RollupSettingsCheck } from './rollup-settings-check.js';

export type AnswerFreshness = { dataThrough: string | null; lastLoadAt: string | null; stale: boolean };
export type SentAnswer = CachedAnswer & { freshness: AnswerFreshness; maxAgeSeconds: number };
// What GET /events tells: the data version the answers come from, and what it holds.
export type DataVersion = { version: number | null; dataThrough: string | null; lastLoadAt: string | null };

// Other replicas' loads are noticed this often; this process's own loads at once.
const VERSION_CHECK_MS = 10_000;
const CACHE_ENTRIES = 2_000;
// After a load, the answers recomputed before the switch: every klip's default view, and the most
// recently requested ones (Klipfolio's data sources ask for the same URLs again and again), a few at a
// time, for at most so long: a load waits for them, and loads follow each other every few seconds.
const REWARMED_ANSWERS = 100;
const REWARM_CONCURRENCY = 3;
const REWARM_BUDGET_MS = 800;

// Answers a klip's request from the cache of the current data version, computing it on a miss. The
// version is the latest load that brought rows; when it changes, the new answers are computed first and
// then swapped in, so requests never wait on the warehouse for an answer they asked for before.
@Injectable()
export class MetricsService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Metrics');
  private readonly cache: AnswerCache;
  private readonly schedule: LoadSchedule;
  private freshness: Freshness = { loadedAt: null, dataThrough: null, changedBy: null, changedFrom: null };
  private version: number | null = null;
  private checking: Promise<void> | null = null;
  private nextCheck: Promise<void> | null = null;
  private timer?: NodeJS.Timeout;
  private readonly versionChanges = new Subject<DataVersion>();

  constructor(
    @Inject(AppConfig) private readonly config: AppConfig,
    @Inject(MetricAnswers) private readonly answers: MetricAnswers,
    @Inject(MetricsRepository) private readonly repository: MetricsRepository,
    @Inject(LoadEvents) private readonly loads: LoadEvents,
    @Inject(RollupSettingsCheck) private readonly settingsCheck: RollupSettingsCheck,
    @Inject(Telemetry) private readonly telemetry: Telemetry,
  ) {
    this.schedule = new LoadSchedule(config.etl.schedule);
    this.cache = new AnswerCache(CACHE_ENTRIES, (hit) => telemetry.klips.cacheLookup(hit));
    telemetry.etl.watchFreshness(() => this.freshness.dataThrough);
  }

  onApplicationBootstrap(): void {
    this.loads.onCommitted(() => this.checkVersion());
    void this.settingsCheck.warnIfOutdated();
    void this.checkVersion();
    this.timer = setInterval(() => void this.checkVersion(), VERSION_CHECK_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  async answer(klip: Klip, query: MetricQuery): Promise<SentAnswer> {
    const request = this.normalise(klip, query);
    const cached = await this.cache.get(requestKey(request), () => this.compute(request, this.version));
    return { ...cached, freshness: this.answerFreshness(), maxAgeSeconds: this.schedule.maxAgeSeconds() };
  }

  // The load the cached answers come from (null before the first load): other caches of warehouse
  // reads key on it too, so they change exactly when the answers do.
  get dataVersion(): number | null {
    return this.version;
  }

  get currentVersion(): DataVersion {
    return { version: this.version, dataThrough: this.freshness.dataThrough, lastLoadAt: this.freshness.loadedAt };
  }

  // Each new data version, once its answers are in the cache: a client that asks again gets them from there.
  get versions(): Observable<DataVersion> {
    return this.versionChanges.asObservable();
  }

  // Empties the cache (DELETE /metrics/cache): the next requests recompute their answers.
  clearCache(): void {
    this.cache.clear();
  }

  // Reads the warehouse's latest load; a new data version recomputes the answers in use and swaps them in.
  // A check asked for while one runs reads again after it (a load may have committed in between); more
  // requests meanwhile share that second read.
  checkVersion(): Promise<void> {
    if (!this.checking) {
      this.checking = this.readVersion().finally(() => (this.checking = null));
      return this.checking;
    }
    this.nextCheck ??= this.checking.then(() => {
      this.nextCheck = null;
      return this.checkVersion();
    });
    return this.nextCheck;
  }

  // Answers of ranges that end before the first day the new loads changed stay as they are (their
  // ETag too); the others are computed again, as many as the budget allows, then all swap in at once.
  private async readVersion(): Promise<void> {
    let freshness: Freshness;
    try {
      freshness = await this.repository.freshness(this.version);
    } catch {
      return; // the warehouse is away: keep answering from the cache; the next check tries again
    }
    this.freshness = freshness;
    if (freshness.changedBy === this.version) return;
    const settled = await this.cache.settled();
    const { changedFrom } = freshness;
    const unchanged = changedFrom === null ? [] : settled.filter((cached) => cached.request.range.to < changedFrom);
    const kept = new Set(unchanged.map((cached) => requestKey(cached.request)));
    const requests = [...this.defaultRequests(), ...settled.slice(0, REWARMED_ANSWERS).map((cached) => cached.request)];
    const stale = [...new Map(requests.map((request) => [requestKey(request), request])).values()].filter(
      (request) => !kept.has(requestKey(request)),
    );
    const warmed = await this.warm(stale, freshness.changedBy);
    this.telemetry.klips.warmedAnswers(warmed.length);
    this.version = freshness.changedBy;
    this.cache.replace([...unchanged, ...warmed], requestKey);
    this.logger.debug(`data version ${this.version ?? 'none'}: ${unchanged.length} answers kept, ${warmed.length} warmed`);
    this.versionChanges.next(this.currentVersion);
  }

  private async warm(requests: MetricRequest[], version: number | null): Promise<CachedAnswer[]> {
    const deadline = performance.now() + REWARM_BUDGET_MS;
    const warmed: CachedAnswer[] = [];
    let next = 0;
    const worker = async () => {
      while (next < requests.length && performance.now() < deadline) {
        const request = requests[next++];
        try {
          warmed.push(await this.compute(request, version));
        } catch (error) {
          this.telemetry.klips.warmFailed();
          this.logger.warn(`could not warm ${requestKey(request)}: ${(error as Error).message}`);
        }
      }
    };
    await Promise.all(Array.from({ length: REWARM_CONCURRENCY }, worker));
    return warmed;
  }

  private defaultRequests(): MetricRequest[] {
    return KLIPS.map((klip) => this.normalise(klip, {}));
  }

  private normalise(klip: Klip, query: MetricQuery): MetricRequest {
    const today = zonedDate(new Date(), this.config.report.timezone);
    const filters = Object.fromEntries(
      (['app', 'os', 'country', 'channel'] as const).filter((name) => query[name] !== undefined).map((name) => [name, query[name]]),
    );
    const granularity = query.granularity ?? KLIP_ENTRIES[klip].defaultGranularity;
    return { klip, range: resolveRange(query, today), granularity, filters, today };
  }

  private async compute(request: MetricRequest, version: number | null): Promise<CachedAnswer> {
    const { timezone } = this.config.report;
    const answer = await this.answers.compute(request, timezone);
    const json = JSON.stringify(answer);
    const tag = createHash('sha1')
      .update(`${timezone}|${requestKey(request)}`)
      .digest('base64url')
      .slice(0, 16);
    return { request, answer, json, etag: `W/"${version ?? 0}-${tag}"` };
  }

  private answerFreshness(): AnswerFreshness {
    const { loadedAt, dataThrough } = this.freshness;
    return { dataThrough, lastLoadAt: loadedAt, stale: this.schedule.isStale(loadedAt) };
  }
}

// With the day asked on: an answer asked again after midnight is another (retention's shares of the
// cohorts whose c + N has just ended appear then, without a load).
export function requestKey({ klip, range, granularity, filters, today }: MetricRequest): string {
  return JSON.stringify([klip, range.from, range.to, granularity, filters.app, filters.os, filters.country, filters.channel, today]);
}
