import type { KlipfolioPushConfig } from '../../config/app-config.js';

// A request never outlives the quiet interval after it, so at most one is ever on its way.
const MAX_TIMEOUT_MS = 10_000;

// What Klipfolio refused, worded for the log: never the key, which travels only in a header.
export class KlipfolioError extends Error {
  constructor(
    message: string,
    // Klipfolio's Retry-After (429), in seconds
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(message);
  }
}

// Klipfolio queued the refresh of every data source but `failed`: ids it could not queue (e.g. not found).
export type RefreshQueued = { failed: string[] };

type RefreshAnswer = { data?: { failed_results?: { invalid_datasources?: Record<string, unknown> } } };

// Klipfolio's management API, the one place the service talks to it: POST /datasources/@/refresh queues
// a refresh of data sources (https://apidocs.klipfolio.com/reference/data-source-instance-operations).
export class KlipfolioClient {
  private readonly timeoutMs: number;

  constructor(private readonly config: KlipfolioPushConfig) {
    this.timeoutMs = Math.min(MAX_TIMEOUT_MS, config.minIntervalSeconds * 1000);
  }

  async refresh(stop: AbortSignal): Promise<RefreshQueued> {
    const signal = AbortSignal.any([stop, AbortSignal.timeout(this.timeoutMs)]);
    try {
      const response = await fetch(`${this.config.apiUrl}/datasources/@/refresh`, {
        method: 'POST',
        headers: { 'kf-api-key': this.config.apiKey, 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ datasources: this.config.datasources }),
        signal,
      });
      if (!response.ok) {
        await response.body?.cancel();
        throw new KlipfolioError(`Klipfolio answered ${response.status} ${response.statusText}`.trim(), retryAfter(response));
      }
      const answer = (await response.json().catch(() => ({}))) as RefreshAnswer;
      return { failed: Object.keys(answer.data?.failed_results?.invalid_datasources ?? {}) };
    } catch (error) {
      if (error instanceof KlipfolioError) throw error;
      if (signal.aborted && !stop.aborted) throw new KlipfolioError(`Klipfolio did not answer within ${this.timeoutMs / 1000} s`);
      throw new KlipfolioError(`could not reach Klipfolio (${reason(error)})`);
    }
  }
}

function retryAfter(response: Response): number | null {
  const seconds = Number(response.headers.get('retry-after'));
  return Number.isFinite(seconds) && seconds > 0 ? seconds : null;
}

// fetch wraps network failures as "fetch failed" with the system error as the cause
function reason(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message;
}
