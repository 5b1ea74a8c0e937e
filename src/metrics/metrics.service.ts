import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { CronTime } from 'cron';
import { AppConfig } from '../config/app-config.js';
import { zonedDate } from '../common/zoned-time.js';
import { LoadEvents } from '../etl/load-events.js';
import { scheduleIntervalMs } from '../etl/schedule-interval.js';
import { Telemetry } from '../observability/telemetry.js';
import { AnswerCache, type CachedAnswer } from './answer-cache.js';
import { resolveRange } from './date-range.js';
import type { MetricQuery } from './dto/metric-query.dto.js';
import { KLIPS, type Klip } from './klips.js';
import { MetricAnswers, type MetricRequest } from './metric-answers.js';
import { type Freshness, MetricsRepository } from './metrics.repository.js';
import { RollupSettingsCheck } from './rollup-settings-check.js';

export type AnswerFreshness = { dataThrough: string | null; lastLoadAt: string | null; stale: boolean };
export type SentAnswer = CachedAnswer & { freshness: AnswerFreshness; maxAgeSeconds: number };

// Other replicas' loads are noticed this often; this process's own loads at once.
const VERSION_CHECK_MS = 10_000;
const CACHE_ENTRIES = 2_000;
// After a load, the answers recomputed before the switch: every klip's default view, and the most
// recently requested ones (Klipfolio's data sources ask for the same URLs again and again).
const REWARMED_ANSWERS = 100;
// what Cache-Control's max-age allows a scheduled load to finish
const LOAD_GRACE_SECONDS = 60;

// Answers a klip's request from the cache of the current data version, computing it on a miss. The
// version is the latest load that brought rows; when it changes, the new answers are computed first and
// then swapped in, so requests never wait on the warehouse for an answer they asked for before.
@Injectable()
export class MetricsService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Metrics');
  private readonly cache: AnswerCache;
  private readonly schedule: CronTime | null;
  private freshness: Freshness = { loadedAt: null, dataThrough: null, changedBy: null };
  private version: number | null = null;
  private checking: Promise<void> | null = null;
  private nextCheck: Promise<void> | null = null;
  private timer?: NodeJS.Timeout;

  constructor(
    @Inject(AppConfig) private readonly config: AppConfig,
    @Inject(MetricAnswers) private readonly answers: MetricAnswers,
    @Inject(MetricsRepository) private readonly repository: MetricsRepository,
    @Inject(LoadEvents) private readonly loads: LoadEvents,
    @Inject(RollupSettingsCheck) private readonly settingsCheck: RollupSettingsCheck,
    @Inject(Telemetry) private readonly telemetry: Telemetry,
  ) {
    this.schedule = config.etl.cron ? new CronTime(config.etl.cron, 'UTC') : null;
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
    return { ...cached, freshness: this.answerFreshness(), maxAgeSeconds: this.secondsToNextLoad() };
  }

  // The load the cached answers come from (null before the first load): other caches of warehouse
  // reads key on it too, so they change exactly when the answers do.
  get dataVersion(): number | null {
    return this.version;
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

  private async readVersion(): Promise<void> {
    let freshness: Freshness;
    try {
      freshness = await this.repository.freshness();
    } catch {
      return; // the warehouse is away: keep answering from the cache; the next check tries again
    }
    this.freshness = freshness;
    if (freshness.changedBy === this.version) return;
    const requests = [...this.defaultRequests(), ...(await this.cache.recentRequests(REWARMED_ANSWERS))];
    const unique = [...new Map(requests.map((request) => [requestKey(request), request])).values()];
    const warmed: CachedAnswer[] = [];
    for (const request of unique) {
      try {
        warmed.push(await this.compute(request, freshness.changedBy));
      } catch (error) {
        this.telemetry.klips.warmFailed();
        this.logger.warn(`could not warm ${requestKey(request)}: ${(error as Error).message}`);
      }
    }
    this.telemetry.klips.warmedAnswers(warmed.length);
    this.version = freshness.changedBy;
    this.cache.replace(warmed, requestKey);
    this.logger.log(`data version ${this.version ?? 'none'}: ${warmed.length} answers warmed`);
  }

  private defaultRequests(): MetricRequest[] {
    return KLIPS.map((klip) => this.normalise(klip, {}));
  }

  private normalise(klip: Klip, query: MetricQuery): MetricRequest {
    const today = zonedDate(new Date(), this.config.report.timezone);
    const filters = Object.fromEntries(
      (['app', 'os', 'country', 'channel'] as const).filter((name) => query[name] !== undefined).map((name) => [name, query[name]]),
    );
    const granularity = query.granularity ?? (klip === 'installs-by-channel' ? null : 'day');
    return { klip, range: resolveRange(query, today), granularity, filters };
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
    return { dataThrough, lastLoadAt: loadedAt, stale: this.isStale(loadedAt) };
  }

  // Stale: the last load is older than two schedule intervals (never loaded: stale; no schedule: never).
  private isStale(loadedAt: string | null): boolean {
    if (!loadedAt) return true;
    const interval = scheduleIntervalMs(this.config.etl);
    return interval !== null && Date.now() - Date.parse(loadedAt) > 2 * interval;
  }

  // Until the next scheduled load has had time to finish: a client that asked again at the tick itself
  // would get the old answer, good for a whole interval more.
  private secondsToNextLoad(): number {
    if (!this.schedule) return 0;
    return Math.max(0, Math.ceil((this.schedule.sendAt().toMillis() - Date.now()) / 1000)) + LOAD_GRACE_SECONDS;
  }
}

export function requestKey({ klip, range, granularity, filters }: MetricRequest): string {
  return JSON.stringify([klip, range.from, range.to, granularity, filters.app, filters.os, filters.country, filters.channel]);
}
