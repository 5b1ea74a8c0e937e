import { Inject, Injectable, Logger } from '@nestjs/common';
import { DomainError } from '../common/domain-error.js';
import { isSecretParam, redactQuery } from '../common/secret-params.js';
import { Telemetry } from '../observability/telemetry.js';
import { cleanText } from './adjust-fields.js';
import { MAX_CALLBACK_BYTES } from './callback-limits.js';
import { parseCallback } from './callback-parser.js';
import { CallbackRepository, type RejectedCallback } from './callback.repository.js';
import { CallbackWriter, UnstorableActivityError, type WriteOutcome } from './callback-writer.js';

export type CallbackParams = Record<string, unknown>;
export type ReplayReport = { examined: number; stored: number; duplicates: number; stillRejected: number };

const REPLAY_PAGE = 500;
export const COLLECTOR_LIMITS = {
  // refused callbacks being stored at once; more get a 503 (Adjust retries)
  maxRefusalsInFlight: 200,
};

@Injectable()
export class CollectorService {
  private readonly logger = new Logger(CollectorService.name);
  private refusalsInFlight = 0;

  constructor(
    @Inject(CallbackWriter) private readonly writer: CallbackWriter,
    @Inject(CallbackRepository) private readonly repository: CallbackRepository,
    @Inject(Telemetry) private readonly telemetry: Telemetry,
  ) {}

  // Stores one callback; answers only once the row is committed. Unusable callbacks are kept for
  // inspection and refused with a 400, which Adjust does not retry. A POST's body fields join (and win
  // over) the URL's parameters.
  async receive(method: 'GET' | 'POST', url: string, query: CallbackParams, body?: unknown): Promise<{ status: WriteOutcome }> {
    if (url.length > MAX_CALLBACK_BYTES) throw new DomainError('PAYLOAD_TOO_LARGE', 'The callback URL is over 1 MB');
    const fields = body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as CallbackParams) : {};
    const params = { ...query, ...fields };
    const parsed = parseCallback(params);
    if (parsed.kind === 'rejected') return this.refuse(method, url, parsed.reason, params);
    try {
      const status = await this.writer.write(parsed.activity);
      this.telemetry.callbacks.count(status);
      return { status };
    } catch (error) {
      if (!(error instanceof UnstorableActivityError)) {
        this.telemetry.callbacks.count('refused');
        throw error;
      }
      return this.refuse(method, url, `the database refused the callback: ${error.message}`, params);
    }
  }

  private async refuse(method: string, url: string, reason: string, params: CallbackParams): Promise<never> {
    // refusals are stored one by one: a flood of them (a URL template missing {adid}) gets 503s, which
    // Adjust retries, rather than an unbounded wait for connections
    if (this.refusalsInFlight >= COLLECTOR_LIMITS.maxRefusalsInFlight) {
      this.telemetry.callbacks.count('refused');
      throw new DomainError('OVERLOADED', 'The collector is overloaded; retry later');
    }
    this.refusalsInFlight++;
    const rawQuery = redactQuery(url.includes('?') ? url.slice(url.indexOf('?') + 1) : '');
    let id: string;
    try {
      id = await this.repository.insertRejected(method, reason, rawQuery, storable(params));
    } catch (error) {
      this.logger.warn(`Keeping a rejected callback failed: ${(error as Error).message}`);
      this.telemetry.callbacks.count('refused');
      throw new DomainError('UNAVAILABLE', 'The callback could not be stored; retry later');
    } finally {
      this.refusalsInFlight--;
    }
    this.telemetry.callbacks.count('rejected');
    // the line carries the request id too (the request's log context): both lead to the stored row
    this.logger.warn({ rejectedCallbackId: id }, `callback rejected, kept as mob.rejected_callback ${id}: ${reason}`);
    throw new DomainError('INVALID_REQUEST', reason);
  }

  // Re-parses every rejected callback not replayed yet; those that parse now are stored.
  async replayRejected(onProgress: (report: ReplayReport) => void = () => undefined): Promise<ReplayReport> {
    const report: ReplayReport = { examined: 0, stored: 0, duplicates: 0, stillRejected: 0 };
    for (let afterId = '0'; ;) {
      const page = await this.repository.pendingRejected(afterId, REPLAY_PAGE);
      if (page.length === 0) return report;
      for (const rejected of page) {
        report.examined++;
        const outcome = await this.replayOne(rejected);
        if (outcome === 'stored') report.stored++;
        else if (outcome === 'duplicate') report.duplicates++;
        else report.stillRejected++;
      }
      afterId = page[page.length - 1].id;
      onProgress(report);
    }
  }

  private async replayOne(rejected: RejectedCallback): Promise<WriteOutcome | 'rejected'> {
    const parsed = parseCallback(rejected.params);
    const outcome =
      parsed.kind === 'rejected'
        ? parsed
        : await this.writer.write(parsed.activity).catch((error: unknown) => {
            if (!(error instanceof UnstorableActivityError)) throw error;
            return { kind: 'rejected' as const, reason: `the database refused the callback: ${error.message}` };
          });
    if (typeof outcome === 'string') {
      await this.repository.markReplayed(rejected.id, outcome);
      return outcome;
    }
    await this.repository.updateRejectionReason(rejected.id, outcome.reason);
    return 'rejected';
  }
}

// What goes into the rejected table: the parameters as received, minus the secrets, in a form
// PostgreSQL's jsonb accepts (no NUL characters, no lone surrogates). A JSON body nests at most
// MAX_JSON_DEPTH levels (deeper ones are refused before they are parsed), so the recursion is shallow.
export function storable(params: CallbackParams): Record<string, unknown> {
  const clean = (value: unknown): unknown => {
    if (typeof value === 'string') return cleanText(value);
    if (value === null || typeof value !== 'object') return value;
    if (Array.isArray(value)) return value.map(clean);
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [cleanText(key), clean(inner)]));
  };
  const kept = Object.entries(params).filter(([name]) => !isSecretParam(name));
  return clean(Object.fromEntries(kept)) as Record<string, unknown>;
}
