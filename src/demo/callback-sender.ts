import http from 'node:http';
import https from 'node:https';
import { OperatorError } from '../common/operator-error.js';
import type { DemoCallback } from './callback-queue.js';

export type SendReport = { sent: number; stored: number; duplicates: number; refused: number };
export type SendProgress = (report: SendReport) => void;

// Keep-alive connections. Every answer waits for its commit's disk flush, so the rate grows with the
// callbacks one group commit takes: on the 2-core development machine 8 connections made about 1,400
// callbacks/s, 32 about 3,700/s, 64 about 4,900/s (the collector's own CPU then becomes the limit).
const CONNECTIONS = 32;
// Adjust retries a 503 (the service overloaded or its database away) and so does the demo, a few times.
const RETRIES = 5;
const RETRY_WAIT_MS = 1_000;
// An answer takes milliseconds, a second or so when the database is busy: a service silent this long is stuck.
const ANSWER_TIMEOUT_MS = 30_000;

// A problem the person running the demo can fix: the service is not there, or wants a token.
export class DemoSendError extends OperatorError {}

// The host node:http connects to: an IPv6 address without the brackets it has in a URL ([::1] → ::1).
export function requestHost(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}

// Sends callbacks to a running service's collector as Adjust does: GET requests, here over a few
// keep-alive connections, with `token=` when the service wants one.
export class CallbackSender {
  private readonly url: URL;
  private readonly client: typeof http | typeof https;
  private readonly agent: http.Agent;
  private readonly host: string;

  constructor(
    baseUrl: string,
    private readonly token: string | undefined,
    private readonly concurrency = CONNECTIONS,
    private readonly timeoutMs = ANSWER_TIMEOUT_MS,
  ) {
    this.url = new URL(baseUrl);
    this.host = requestHost(this.url);
    this.client = this.url.protocol === 'https:' ? https : http;
    this.agent = new this.client.Agent({ keepAlive: true, maxSockets: concurrency });
  }

  // Sends every callback, `concurrency` at a time (so a repeat may race its first copy, as with Adjust),
  // taking them from `callbacks` as it goes (a generator keeps a long history out of memory). Stops
  // taking new ones once `stopped()` says so, or after a failure: then, once the callbacks in flight
  // are answered, it throws (a DemoSendError when the service cannot be used).
  async send(callbacks: Iterable<DemoCallback>, onProgress?: SendProgress, stopped = () => false): Promise<SendReport> {
    const report: SendReport = { sent: 0, stored: 0, duplicates: 0, refused: 0 };
    const source = callbacks[Symbol.iterator]();
    let failure: { error: unknown } | undefined;
    // any worker's failure stops them all
    const failed = () => failure !== undefined;
    const worker = async () => {
      try {
        while (!stopped() && !failed()) {
          const next = source.next();
          if (next.done) return;
          const outcome = await this.deliver(next.value.path);
          report.sent++;
          report[outcome]++;
          onProgress?.(report);
        }
      } catch (error) {
        failure ??= { error };
      }
    };
    await Promise.all(Array.from({ length: this.concurrency }, worker));
    if (failure) throw failure.error;
    return report;
  }

  close(): void {
    this.agent.destroy();
  }

  private async deliver(path: string): Promise<'stored' | 'duplicates' | 'refused'> {
    const target = this.token ? `${path}&token=${encodeURIComponent(this.token)}` : path;
    for (let attempt = 0; ; attempt++) {
      const { status, body } = await this.get(target);
      if (status === 200) return body.includes('"duplicate"') ? 'duplicates' : 'stored';
      if (status === 401)
        throw new DemoSendError(
          `${this.url.origin} refused the callback token (401): pass the service's CALLBACK_TOKEN (--token or CALLBACK_TOKEN)`,
        );
      if (status !== 503 || attempt === RETRIES) return 'refused';
      await new Promise((resolve) => setTimeout(resolve, RETRY_WAIT_MS));
    }
  }

  private get(path: string): Promise<{ status: number; body: string }> {
    const prefix = this.url.pathname.replace(/\/$/, '');
    return new Promise((resolve, reject) => {
      const request = this.client.get(
        { hostname: this.host, port: this.url.port, path: `${prefix}${path}`, agent: this.agent },
        (response) => {
          let body = '';
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => (body += chunk));
          response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
          response.on('error', reject);
        },
      );
      request.setTimeout(this.timeoutMs, () => request.destroy(this.silent(`${prefix}${path}`)));
      request.on('error', (error: NodeJS.ErrnoException) => reject(this.unreachable(error)));
    });
  }

  // Names the collector's URL without the query (which holds the token).
  private silent(path: string): DemoSendError {
    const url = `${this.url.origin}${path.split('?')[0]}`;
    return new DemoSendError(`No answer from ${url} within ${this.timeoutMs / 1000} s: is the service stuck or overloaded?`);
  }

  private unreachable(error: NodeJS.ErrnoException): Error {
    const why = { ECONNREFUSED: 'connection refused', ENOTFOUND: 'unknown host', ECONNRESET: 'connection reset', ETIMEDOUT: 'timed out' }[
      error.code ?? ''
    ];
    if (!why) return error;
    return new DemoSendError(`Cannot reach ${this.url.origin}: ${why}. Is the service running there (npm start)?`);
  }
}
