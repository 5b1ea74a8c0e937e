import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { KLIPS } from '../metrics/klips.js';

// A request for a route that is not a klip (GET /api/v1/metrics/<anything else>): never the name asked for.
export const UNKNOWN_KLIP = 'unknown';

// The klip endpoints' series: requests by klip and HTTP status with their latency, the answer cache and
// the rate limit. Label values come from the route table and the status code, never from the request.
export class KlipMetrics {
  private readonly requests: Counter;
  private readonly durations: Map<string, Histogram.Internal<string>>;
  private readonly requestsByKlip = new Map<string, Map<number, Counter.Internal>>();
  private readonly lookups: Record<'hit' | 'miss', Counter.Internal>;
  private readonly warmFailures: Counter;
  private readonly warmed: Gauge;
  private readonly rateLimited: Counter;

  constructor(registry: Registry) {
    const registers = [registry];
    this.requests = new Counter({
      name: 'kpi_klip_requests_total',
      help: 'Requests for a klip, by klip and HTTP status code',
      labelNames: ['klip', 'code'],
      registers,
    });
    const duration = new Histogram({
      name: 'kpi_klip_request_duration_seconds',
      help: 'Time to answer a klip request, by klip',
      labelNames: ['klip'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    // every klip from 0, so that rates see the first request
    for (const klip of [...KLIPS, UNKNOWN_KLIP]) duration.zero({ klip });
    this.durations = new Map([...KLIPS, UNKNOWN_KLIP].map((klip) => [klip, duration.labels(klip)]));
    const lookups = new Counter({
      name: 'kpi_answer_cache_lookups_total',
      help: 'Klip answers looked up in the answer cache, by result (hit, miss)',
      labelNames: ['result'],
      registers,
    });
    lookups.inc({ result: 'hit' }, 0);
    lookups.inc({ result: 'miss' }, 0);
    this.lookups = { hit: lookups.labels('hit'), miss: lookups.labels('miss') };
    this.warmFailures = new Counter({
      name: 'kpi_answer_cache_warm_failures_total',
      help: 'Answers that could not be computed while warming the cache for a new data version',
      registers,
    });
    this.warmed = new Gauge({ name: 'kpi_answer_cache_warmed_answers', help: 'Answers computed by the latest warm-up', registers });
    this.rateLimited = new Counter({
      name: 'kpi_rate_limit_refusals_total',
      help: 'Metric requests refused with 429 by the per-key rate limit (RATE_LIMIT)',
      registers,
    });
  }

  answered(klip: string, code: number, seconds: number): void {
    this.durations.get(klip)?.observe(seconds);
    this.requestsOf(klip, code).inc();
  }

  cacheLookup(hit: boolean): void {
    this.lookups[hit ? 'hit' : 'miss'].inc();
  }

  warmFailed(): void {
    this.warmFailures.inc();
  }

  warmedAnswers(count: number): void {
    this.warmed.set(count);
  }

  rateLimitRefused(): void {
    this.rateLimited.inc();
  }

  // a child per klip and status, bound on first use (a handful of codes ever occur)
  private requestsOf(klip: string, code: number): Counter.Internal {
    let byCode = this.requestsByKlip.get(klip);
    if (!byCode) this.requestsByKlip.set(klip, (byCode = new Map()));
    let child = byCode.get(code);
    if (!child) byCode.set(code, (child = this.requests.labels(klip, String(code))));
    return child;
  }
}
