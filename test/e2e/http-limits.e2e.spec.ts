import type { Server } from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DOCS_CSP } from '../../src/common/http-hooks.js';
import { HTTP_LIMITS } from '../../src/common/http-limits.js';
import { CALLBACK_PATH, NOW_EPOCH, newAdid, sessionCallback, adjustQuery } from '../support/adjust-callbacks.js';
import { adminQuery } from '../support/databases.js';
import { baseUrlOf, rawRequest, type RawResponse } from '../support/raw-http.js';
import { API_KEY, startTestApp, type TestApp } from '../support/test-app.js';

// What a request may cost before any handler runs (issue 12): how long it may take to arrive, how big its
// URL and headers may be, how many parameters it may carry; and the headers every answer carries. The
// timeouts are the production ones, except in the app that shortens them so a test can wait them out.
const SHORT = { requestTimeoutMs: 1_500, headersTimeoutMs: 1_000, checkIntervalMs: 100 };

// Writes `chunks` to a raw connection, one every `everyMs`, and resolves with everything the server sent
// back before it closed the connection.
function trickle(baseUrl: string, chunks: string[], everyMs: number): Promise<{ answer: string; afterMs: number }> {
  const { hostname, port } = new URL(baseUrl);
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname);
    let answer = '';
    let next = 0;
    const timer = setInterval(() => (next < chunks.length ? socket.write(chunks[next++]) : undefined), everyMs);
    socket.on('data', (data) => (answer += data.toString('utf8')));
    socket.on('error', () => undefined); // the server closes the connection after its answer
    socket.on('close', () => {
      clearInterval(timer);
      resolve({ answer, afterMs: Date.now() - started });
    });
    setTimeout(() => reject(new Error(`no answer after 10 s: ${answer}`)), 10_000).unref();
  });
}

const bodyOf = (raw: string) => JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4)) as Record<string, unknown>;

describe('HTTP limits', () => {
  let t: TestApp;
  let baseUrl: string;
  const rows = async (table: string) =>
    Number(
      (await adminQuery<{ n: string }>(`SELECT count(*) AS n FROM ${table}`, [], new URL(t.databases.sourceUrl).pathname.slice(1)))[0].n,
    );
  const get = (path: string, headers: Record<string, string> = {}) => rawRequest(baseUrl, { path, headers });

  beforeAll(async () => {
    t = await startTestApp({ LOG_LEVEL: 'fatal' }, { httpLimits: SHORT });
    await t.app.listen(0, '127.0.0.1');
    baseUrl = baseUrlOf(t.app.getHttpServer());
  });
  afterAll(async () => {
    await t?.close();
  });

  describe('timeouts', () => {
    it('are set on the production server: 30 s for a whole request, 15 s for its headers, 72 s keep-alive, 120 s idle', async () => {
      const production = await startTestApp({ LOG_LEVEL: 'fatal' });
      try {
        const server = production.app.getHttpServer() as Server;
        expect(HTTP_LIMITS).toMatchObject({ requestTimeoutMs: 30_000, headersTimeoutMs: 15_000 });
        expect([server.requestTimeout, server.headersTimeout, server.keepAliveTimeout, server.timeout]).toEqual([
          30_000, 15_000, 72_000, 120_000,
        ]);
      } finally {
        await production.close();
      }
    });

    it('answer a body that trickles in past the request timeout with a 408 and store nothing', async () => {
      const before = await rows('mob.adjust');
      const body = adjustQuery(sessionCallback({ adid: newAdid() }));
      const head = `POST ${CALLBACK_PATH} HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\n\r\n`;
      const chunks = [head, ...body.match(/.{1,10}/g)!];

      const { answer, afterMs } = await trickle(baseUrl, chunks, 200);

      expect(answer).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
      expect(answer).toMatch(/\r\nX-Content-Type-Options: nosniff\r\n/i);
      expect(bodyOf(answer)).toEqual({ statusCode: 408, error: 'Request Timeout', message: 'The request did not arrive within 1.5 s' });
      expect(afterMs).toBeGreaterThanOrEqual(SHORT.requestTimeoutMs);
      expect(afterMs).toBeLessThan(SHORT.requestTimeoutMs + 1_500);
      expect(await rows('mob.adjust')).toBe(before);
    });

    it('answer headers that trickle in past the headers timeout with a 408', async () => {
      const chunks = 'GET /api/v1/health HTTP/1.1\r\nHost: x\r\nX-Slow: 1234567890\r\n\r\n'.match(/.{1,4}/g)!;
      const { answer } = await trickle(baseUrl, chunks, 200);
      expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    });
  });

  describe('URL and header size', () => {
    const big = 'x'.repeat(20 * 1024);

    it.each([
      ['a long header on health', '/api/v1/health', { 'X-Padding': big }],
      ['a long URL on a klip', `/api/v1/metrics/installs?app=${big}`, { 'X-API-Key': API_KEY }],
      ['a long URL on an unknown route', `/no/such/page?${big}`, {}],
      ['a long cookie on the dashboard', '/', { Cookie: `c=${big}` }],
    ])('refuses %s with a 431 naming the limit', async (_name, path, headers) => {
      const res = await get(path, headers);
      expect(res.status).toBe(431);
      expect(res.json()).toEqual({
        statusCode: 431,
        error: 'Request Header Fields Too Large',
        message: 'The URL and headers are over 16 KiB: only /api/v1/adjust/callback takes longer ones',
      });
    });

    it('lets the callback route take a long URL (a 500 KiB callback is stored)', async () => {
      const adid = newAdid();
      const res = await get(`${CALLBACK_PATH}?${adjustQuery(sessionCallback({ adid, user_note: 'n'.repeat(500 * 1024) }))}`);
      expect(res.json()).toEqual({ status: 'stored' });
    });

    it('answers headers over Node’s 2 MiB limit with its own JSON 431', async () => {
      const res = await get(CALLBACK_PATH, { 'X-Padding': 'p'.repeat(2 * 1024 * 1024 + 1) });
      expect(res.status).toBe(431);
      expect(res.json()).toMatchObject({ statusCode: 431, message: 'The URL and headers are over 2 MiB' });
    });
  });

  describe('parameters', () => {
    const manyParams = (count: number) => Array.from({ length: count }, (_, i) => `p${i}=${i}`).join('&');
    const callback = (adid: string) => adjustQuery(sessionCallback({ adid, created_at: String(NOW_EPOCH) }));
    const expectRefused = (res: RawResponse, where: string) =>
      expect(res.json()).toEqual({
        statusCode: 413,
        error: 'Payload Too Large',
        message: `The ${where} carries more than 1,000 parameters`,
      });

    it('stores a callback of 1,000 parameters and refuses one of 1,001 with a 413, keeping nothing of it', async () => {
      const [stored, refused] = [newAdid(), newAdid()];
      const before = { adjust: await rows('mob.adjust'), rejected: await rows('mob.rejected_callback') };
      const base = callback(stored).split('&').length;

      expect((await get(`${CALLBACK_PATH}?${callback(stored)}&${manyParams(1_000 - base)}`)).json()).toEqual({ status: 'stored' });
      expectRefused(await get(`${CALLBACK_PATH}?${callback(refused)}&${manyParams(1_001 - base)}`), 'URL');
      // without activity_kind it would be a rejected callback, kept for replay: too many parameters, it is not
      expectRefused(await get(`${CALLBACK_PATH}?adid=${refused}&${manyParams(60_000)}`), 'URL');

      expect(await rows('mob.adjust')).toBe(before.adjust + 1);
      expect(await rows('mob.rejected_callback')).toBe(before.rejected);
    });

    it('refuses a form or JSON body of more than 1,000 parameters with a 413 before parsing it', async () => {
      const before = await rows('mob.rejected_callback');
      const form = `${manyParams(1_001)}&activity_kind=session`;
      const json = JSON.stringify(Object.fromEntries(Array.from({ length: 1_001 }, (_, i) => [`p${i}`, i])));
      const post = (body: string, type: string) =>
        rawRequest(baseUrl, { method: 'POST', path: CALLBACK_PATH, body, headers: { 'Content-Type': type } });

      expectRefused(await post(form, 'application/x-www-form-urlencoded'), 'body');
      expectRefused(await post(json, 'application/json'), 'body');
      // members of nested objects are not parameters of the callback
      const nested = JSON.stringify({ activity_kind: 'session', created_at: NOW_EPOCH, adid: newAdid(), extra: JSON.parse(json) });
      expect((await post(nested, 'application/json')).json()).toEqual({ status: 'stored' });
      expect(await rows('mob.rejected_callback')).toBe(before);
    });

    it('refuses more than 1,000 parameters on any route, before authentication', async () => {
      const res = await get(`/api/v1/metrics/installs?${manyParams(1_001)}`);
      expect(res.status).toBe(413);
      expectRefused(res, 'URL');
    });
  });

  describe('headers of every answer', () => {
    it.each([
      ['health', '/api/v1/health', 200],
      ['a klip without a key', '/api/v1/metrics/installs', 401],
      ['an unknown route', '/no/such/page', 404],
      ['the dashboard page', '/', 200],
      ['Swagger UI', '/docs', 200],
      ['the OpenAPI document', '/docs-json', 200],
      ['a path that is not valid percent-encoding', '/api/v1/%ff', 400],
    ])('carry X-Content-Type-Options: nosniff on %s', async (_name, path, status) => {
      const res = await fetch(`${baseUrl}${path}`);
      expect(res.status).toBe(status);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    });

    it("send Swagger UI and its files with a CSP that forbids framing (frame-ancestors 'none')", async () => {
      const page = await fetch(`${baseUrl}/docs`);
      const html = await page.text();
      expect(page.headers.get('content-security-policy')).toBe(DOCS_CSP);
      expect(DOCS_CSP).toContain("frame-ancestors 'none'");
      const script = /src="\.?\/?(docs\/[^"]+\.js)"/.exec(html)?.[1] ?? 'docs/swagger-ui-init.js';
      expect((await fetch(`${baseUrl}/${script}`)).headers.get('content-security-policy')).toBe(DOCS_CSP);
    });

    it('never repeat the query of a URL, nor its secrets, in a 404 or a 400 of the router', async () => {
      for (const path of ['/api/v1/nope?token=secret-token-1&api_key=secret-key-2', '/nope/%ff?token=secret-token-1']) {
        const res = await get(path);
        expect(res.status).toBeGreaterThanOrEqual(400);
        expect(res.body).not.toMatch(/secret|token=|api_key/);
      }
      expect((await get('/api/v1/nope?token=secret-token-1')).json()).toEqual({
        statusCode: 404,
        error: 'Not Found',
        message: 'No route GET /api/v1/nope: /docs lists the routes',
      });
    });
  });

  describe('HEAD', () => {
    it('answers HEAD /api/v1/health like GET, without a body', async () => {
      const [head, got] = [await rawRequest(baseUrl, { method: 'HEAD', path: '/api/v1/health' }), await get('/api/v1/health')];
      expect(head.status).toBe(200);
      expect(got.status).toBe(200);
      expect(head.body).toBe('');
    });

    it('stores nothing for HEAD on the callback route', async () => {
      const before = { adjust: await rows('mob.adjust'), rejected: await rows('mob.rejected_callback') };
      const res = await rawRequest(baseUrl, {
        method: 'HEAD',
        path: `${CALLBACK_PATH}?${adjustQuery(sessionCallback({ adid: newAdid() }))}`,
      });
      expect(res.status).toBe(404);
      expect([await rows('mob.adjust'), await rows('mob.rejected_callback')]).toEqual([before.adjust, before.rejected]);
    });
  });
});
