import { Inject, Injectable, Logger } from '@nestjs/common';
import { DomainError } from '../common/domain-error.js';
import { Telemetry } from '../observability/telemetry.js';
import type { AdjustActivity } from './callback-parser.js';
import { CallbackRepository, type ReplayOutcome } from './callback.repository.js';

export type WriteOutcome = ReplayOutcome;
type Pending = {
  activity: AdjustActivity;
  key: string;
  bytes: number;
  resolve: (outcome: WriteOutcome) => void;
  reject: (error: unknown) => void;
};

const MIB = 1024 * 1024;

export const WRITER_LIMITS = {
  // rows and bytes per INSERT: enough to amortise the commit, little enough to keep latency and memory low
  maxBatch: 500,
  maxBatchBytes: 4 * MIB,
  // INSERTs in flight at once; callbacks arriving meanwhile queue up and form the next batch. One is
  // best here: at 50 connections batches grow to ~25 rows, which cut CPU per callback by a quarter and
  // raised throughput by a third against 4 in flight (bench:collector, patched builds side by side)
  maxConcurrentBatches: 1,
  // beyond this many waiting callbacks (or bytes: a callback may be 1 MB) we answer 503, which Adjust
  // retries, instead of queueing without bound
  maxQueued: 20_000,
  maxQueuedBytes: 64 * MIB,
};

// The database refused this one activity (not the connection, not the batch): it cannot be stored as is.
export class UnstorableActivityError extends Error {}

// Group commit: every callback waits for the commit of the batch it joined, so its 200 means durable,
// while concurrent callbacks share one multi-row INSERT and one commit.
@Injectable()
export class CallbackWriter {
  private readonly logger = new Logger(CallbackWriter.name);
  private readonly queue: Pending[] = [];
  private queuedBytes = 0;
  private batchesInFlight = 0;

  constructor(
    @Inject(CallbackRepository) private readonly repository: CallbackRepository,
    @Inject(Telemetry) private readonly telemetry: Telemetry,
  ) {
    telemetry.callbacks.watchQueue(() => this.queue.length);
  }

  write(activity: AdjustActivity): Promise<WriteOutcome> {
    const bytes = approximateBytes(activity);
    if (this.queue.length >= WRITER_LIMITS.maxQueued || this.queuedBytes + bytes > WRITER_LIMITS.maxQueuedBytes) {
      return Promise.reject(new DomainError('OVERLOADED', 'The collector is overloaded; retry later'));
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ activity, key: activity.dedup_key.toString('hex'), bytes, resolve, reject });
      this.queuedBytes += bytes;
      this.drain();
    });
  }

  private drain(): void {
    while (this.queue.length > 0 && this.batchesInFlight < WRITER_LIMITS.maxConcurrentBatches) {
      const batch = this.takeBatch();
      this.batchesInFlight++;
      void this.commit(batch).finally(() => {
        this.batchesInFlight--;
        this.drain();
      });
    }
  }

  private takeBatch(): Pending[] {
    let rows = 1;
    let bytes = this.queue[0].bytes;
    while (rows < Math.min(WRITER_LIMITS.maxBatch, this.queue.length) && bytes + this.queue[rows].bytes <= WRITER_LIMITS.maxBatchBytes) {
      bytes += this.queue[rows].bytes;
      rows++;
    }
    this.queuedBytes -= bytes;
    return this.queue.splice(0, rows);
  }

  private async commit(batch: Pending[]): Promise<void> {
    // the same activity twice in one batch: the first copy decides, the others are duplicates
    const firsts = new Map<string, Pending>();
    for (const pending of batch) if (!firsts.has(pending.key)) firsts.set(pending.key, pending);
    try {
      const stored = await this.repository.insertActivities([...firsts.values()].map((pending) => pending.activity));
      this.telemetry.callbacks.committed(firsts.size, stored.size);
      for (const pending of batch) {
        pending.resolve(firsts.get(pending.key) === pending && stored.has(pending.key) ? 'stored' : 'duplicate');
      }
    } catch (error) {
      if (isDataError(error) && firsts.size > 1) {
        // one activity the database refuses must not hold back the others: store them one by one
        for (const key of firsts.keys()) await this.commit(batch.filter((pending) => pending.key === key));
        return;
      }
      this.logger.warn(`Storing ${batch.length} callbacks failed: ${(error as Error).message}`);
      const failure = isDataError(error)
        ? new UnstorableActivityError((error as Error).message)
        : new DomainError('UNAVAILABLE', 'The callback could not be stored; retry later');
      for (const pending of batch) pending.reject(failure);
    }
  }
}

// PostgreSQL classes 22 (data exception), 23 (constraint violation) and 54 (limit exceeded) are about
// the rows; anything else (connection lost, timeout, shutdown) is about the database, and worth a retry.
function isDataError(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && /^(22|23|54)/.test(code);
}

function approximateBytes(activity: AdjustActivity): number {
  let bytes = 0;
  for (const value of Object.values(activity)) if (typeof value === 'string') bytes += value.length;
  for (const [key, value] of Object.entries(activity.extra)) bytes += key.length + value.length;
  return bytes;
}
