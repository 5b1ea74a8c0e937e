import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

// What became of a callback: stored or duplicate (200); rejected (400, kept in mob.rejected_callback for
// replay); refused (503: overloaded or the database unavailable, Adjust retries); unauthorized (401, a
// wrong or missing token); too_large (413).
export const CALLBACK_OUTCOMES = ['stored', 'duplicate', 'rejected', 'refused', 'unauthorized', 'too_large'] as const;
export type CallbackOutcome = (typeof CALLBACK_OUTCOMES)[number];

// The collector's series. Callbacks arrive thousands a second: a callback costs one increment of a child
// bound once here (no label lookup, no allocation); the queue is read only when Prometheus scrapes.
export class CallbackMetrics {
  private readonly outcomes: Record<CallbackOutcome, Counter.Internal>;
  private readonly batchRows: Histogram;
  private readonly lastStored: Gauge;
  private queueDepth: () => number = () => 0;

  constructor(registry: Registry) {
    const callbacks = new Counter({
      name: 'kpi_collector_callbacks_total',
      help: 'Adjust callbacks answered, by outcome: stored, duplicate, rejected (400), refused (503), unauthorized (401), too_large (413)',
      labelNames: ['outcome'],
      registers: [registry],
    });
    // every outcome from 0, so that rates and ratios see the first one
    for (const outcome of CALLBACK_OUTCOMES) callbacks.inc({ outcome }, 0);
    this.outcomes = Object.fromEntries(CALLBACK_OUTCOMES.map((outcome) => [outcome, callbacks.labels(outcome)])) as typeof this.outcomes;
    const queued: Gauge = new Gauge({
      name: 'kpi_collector_queued_callbacks',
      help: 'Callbacks waiting for the next group commit (over 20,000 the collector answers 503)',
      registers: [registry],
      collect: () => queued.set(this.queueDepth()),
    });
    this.batchRows = new Histogram({
      name: 'kpi_collector_batch_callbacks',
      help: 'Distinct callbacks per committed INSERT (group commit)',
      buckets: [1, 2, 5, 10, 25, 50, 100, 250, 500],
      registers: [registry],
    });
    this.lastStored = new Gauge({
      name: 'kpi_collector_last_stored_timestamp_seconds',
      help: 'When this process last committed a new callback (Unix time)',
      registers: [registry],
    });
  }

  count(outcome: CallbackOutcome): void {
    this.outcomes[outcome].inc();
  }

  // The writer's queue, read at scrape time.
  watchQueue(depth: () => number): void {
    this.queueDepth = depth;
  }

  committed(rows: number, stored: number): void {
    this.batchRows.observe(rows);
    if (stored > 0) this.lastStored.set(Date.now() / 1000);
  }
}
