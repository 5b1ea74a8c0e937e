import http from 'node:http';
import type { AddressInfo } from 'node:net';

// What Klipfolio's API received: one POST /datasources/@/refresh each.
// `closedAt`: when its connection closed (answered, or given up by the client); unset while it is open.
export type RefreshCall = {
  at: number;
  path: string;
  apiKey: string | undefined;
  contentType: string | undefined;
  body: unknown;
  closedAt?: number;
};

// How the next requests are answered: as Klipfolio does (200), rate-limited (429 with Retry-After), broken
// (500), or never (the request hangs until the client gives up).
export type KlipfolioMode = 'ok' | 'rate-limited' | 'broken' | 'hang';

// A local stand-in for Klipfolio's management API that speaks its documented refresh operation
// (https://apidocs.klipfolio.com/reference/data-source-instance-operations) and records every call.
export class KlipfolioServer {
  readonly calls: RefreshCall[] = [];
  mode: KlipfolioMode = 'ok';
  // ids answered as "Data source not found" inside a 200, as Klipfolio does
  unknownIds = new Set<string>();
  private readonly server = http.createServer((request, response) => this.answer(request, response));
  private readonly hanging = new Set<http.ServerResponse>();

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/api/1.0`;
  }

  async stop(): Promise<void> {
    for (const response of this.hanging) response.destroy();
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private answer(request: http.IncomingMessage, response: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const call: RefreshCall = {
        at: Date.now(),
        path: `${request.method} ${request.url}`,
        apiKey: request.headers['kf-api-key'] as string | undefined,
        contentType: request.headers['content-type'],
        body: JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null'),
      };
      this.calls.push(call);
      response.once('close', () => (call.closedAt = Date.now()));
      this.reply(call, response);
    });
  }

  private reply(call: RefreshCall, response: http.ServerResponse): void {
    if (this.mode === 'hang') {
      this.hanging.add(response);
      return;
    }
    if (this.mode === 'rate-limited') return json(response, 429, { meta: { success: false, status: 429 } }, { 'retry-after': '1' });
    if (this.mode === 'broken') return json(response, 500, { meta: { success: false, status: 500 } });
    const requested = (call.body as { datasources?: string[] }).datasources ?? [];
    const invalid = requested.filter((id) => this.unknownIds.has(id));
    const failed = Object.fromEntries(invalid.map((id) => [id, { error: `Data source not found: ${id}` }]));
    json(response, 200, {
      meta: { success: true, status: 200 },
      data: {
        op_requested: 'refresh',
        success: true,
        total_datasources_requested: requested.length,
        queue_status: 200,
        total_instances_queued: requested.length - invalid.length,
        ...(invalid.length > 0
          ? { failed_results: { description: 'Some datasources/instances failed to queue.', invalid_datasources: failed } }
          : {}),
      },
    });
  }
}

function json(response: http.ServerResponse, status: number, body: object, headers: http.OutgoingHttpHeaders = {}): void {
  response.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
}
