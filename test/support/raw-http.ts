import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type RawResponse = { status: number; body: string; json: () => Record<string, unknown> };

// Plain node:http, for what supertest would reject or rewrite: URLs over 1 MB, broken percent-encoding,
// raw non-ASCII bytes in the request line.
export function rawRequest(
  baseUrl: string,
  options: { method?: string; path: string; body?: string | Buffer; headers?: http.OutgoingHttpHeaders; agent?: http.Agent },
): Promise<RawResponse> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        host: url.hostname,
        port: url.port,
        method: options.method ?? 'GET',
        path: options.path,
        headers: options.headers,
        agent: options.agent ?? false,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          resolve({ status: response.statusCode ?? 0, body, json: () => JSON.parse(body) as Record<string, unknown> });
        });
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(options.body);
  });
}

export function baseUrlOf(server: http.Server): string {
  const { port } = server.address() as AddressInfo;
  return `http://127.0.0.1:${port}`;
}

// Runs `tasks` with at most `limit` in flight, results in input order.
export async function inParallel<T>(count: number, limit: number, task: (index: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      results[index] = await task(index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, count) }, worker));
  return results;
}
