import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CHART_JS_DIR, DASHBOARD_CSP } from '../../src/dashboard/dashboard-assets.js';
import { eventCallback, installCallback, installUpdateCallback, newAdid, sessionCallback } from '../support/adjust-callbacks.js';
import { runEtl, storeCallbacks } from '../support/etl.js';
import { rawRequest } from '../support/raw-http.js';
import { API_KEY, startTestApp, type TestApp } from '../support/test-app.js';

// The dashboard page (GET /) as a browser fetches it over real HTTP, and the filter choices it offers
// (GET /api/v1/dimensions).

const JAVASCRIPT = /^(text|application)\/javascript\b/;
const CONTENT_TYPES: Record<string, RegExp> = { '.html': /^text\/html\b/, '.css': /^text\/css\b/, '.js': JAVASCRIPT };
// an address the browser would fetch from elsewhere: http(s)://… or protocol-relative //host/…
const EXTERNAL_URL = /https?:\/\/|["'(]\/\/[\w.-]/i;

type Fetched = { status: number; contentType: string; csp: string | null; text: string };

let t: TestApp;
let base: string;

async function get(pathname: string, headers: Record<string, string> = {}): Promise<Fetched> {
  const response = await fetch(new URL(pathname, base), { headers });
  return {
    status: response.status,
    contentType: response.headers.get('content-type') ?? '',
    csp: response.headers.get('content-security-policy'),
    text: await response.text(),
  };
}

// The page's own files: the HTML, then every file its src/href attributes and its modules' imports name
// (the vendored chart library is checked on its own below), as absolute paths.
async function pageFiles(): Promise<Map<string, Fetched>> {
  const files = new Map<string, Fetched>();
  const pending = ['/'];
  while (pending.length > 0) {
    const pathname = pending.shift()!;
    if (files.has(pathname)) continue;
    const file = await get(pathname);
    files.set(pathname, file);
    const references = pathname.endsWith('.js')
      ? [...file.text.matchAll(/\b(?:import|from)\s*['"]([^'"]+)['"]/g)]
      : [...file.text.matchAll(/\b(?:src|href)="([^"]+)"/g)];
    for (const [, reference] of references) {
      if (reference.startsWith('data:')) continue;
      const resolved = new URL(reference, new URL(pathname, 'http://page.invalid')).pathname;
      if (!resolved.startsWith('/assets/vendor/')) pending.push(resolved);
    }
  }
  return files;
}

const typeOf = (pathname: string) => (pathname === '/' ? '.html' : path.extname(pathname));

describe('Dashboard page', () => {
  let files: Map<string, Fetched>;

  beforeAll(async () => {
    t = await startTestApp({ LOG_LEVEL: 'fatal' });
    await t.app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    files = await pageFiles();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('answers GET / with the page, without a key', async () => {
    const page = files.get('/')!;
    expect(page.status).toBe(200);
    expect(page.contentType).toMatch(/^text\/html; charset=utf-8/);
    expect(page.text).toContain('<title>Mobile KPIs</title>');
  });

  it('serves every file the page and its modules reference, with its content type and the page policy', async () => {
    // the page, its style sheet, its entry module and the modules it imports
    expect([...files.keys()]).toEqual(expect.arrayContaining(['/', '/assets/dashboard.css', '/assets/js/main.js', '/assets/js/charts.js']));
    for (const [pathname, file] of files) {
      expect({ pathname, status: file.status }).toEqual({ pathname, status: 200 });
      expect({ pathname, contentType: file.contentType }).toEqual({
        pathname,
        contentType: expect.stringMatching(CONTENT_TYPES[typeOf(pathname)]),
      });
      expect({ pathname, csp: file.csp }).toEqual({ pathname, csp: DASHBOARD_CSP });
    }
  });

  it('names no external address in the page, its style sheet or its scripts', async () => {
    for (const [pathname, file] of files)
      expect({ pathname, external: file.text.match(EXTERNAL_URL)?.[0] }).toEqual({ pathname, external: undefined });
  });

  it('tells the browser to load nothing from elsewhere, to run no inline code and to show the page in no frame', async () => {
    const policy = files.get('/')!.csp!;
    const directives = policy.split(';').map((directive) => directive.trim());
    expect(directives).toEqual(expect.arrayContaining(["default-src 'self'", "frame-ancestors 'none'"]));
    expect(policy).not.toContain('unsafe-inline');
  });

  it('serves the chart library from its npm package, and nothing else of that package', async () => {
    const page = files.get('/')!.text;
    expect(page).toContain('src="assets/vendor/chart.umd.min.js"');
    const chart = await get('/assets/vendor/chart.umd.min.js');
    expect(chart.status).toBe(200);
    expect(chart.contentType).toMatch(JAVASCRIPT);
    expect(chart.text).toBe(readFileSync(path.join(CHART_JS_DIR, 'chart.umd.min.js'), 'utf8'));
    expect(chart.text).toMatch(/^\/\*!\n \* Chart\.js v4\./);
    expect((await get('/assets/vendor/chart.cjs')).status).toBe(404);
  });

  it('serves no file outside its folders, whatever the path says', async () => {
    // raw request lines (fetch would resolve the `..` before sending): chart.js's package.json, then the
    // project's, from the vendor folder and from the page's folder
    const traversals = [
      '/assets/vendor/../../package.json',
      '/assets/vendor/..%2F..%2Fpackage.json',
      '/assets/vendor/../../../../package.json',
      '/../../../package.json',
      '/assets/..%2F..%2F..%2F..%2Fpackage.json',
    ];
    for (const traversal of traversals) {
      const answer = await rawRequest(base, { path: traversal });
      expect({ traversal, status: answer.status }).toEqual({ traversal, status: 404 });
    }
  });

  it('leaves the other routes as they were', async () => {
    expect((await get('/docs')).status).toBe(200);
    expect((await get('/api/v1/health')).status).toBe(200);
    expect((await get('/api/v1/metrics/installs')).status).toBe(401);
    const unknown = await get('/no-such-page');
    expect({ status: unknown.status, body: JSON.parse(unknown.text) }).toEqual({
      status: 404,
      body: { statusCode: 404, error: 'Not Found', message: 'No route GET /no-such-page: /docs lists the routes' },
    });
  });
});

describe('GET /api/v1/dimensions', () => {
  const DAY = 86_400;
  // the 90 days offered end on the service's today
  const now = Math.floor(Date.now() / 1000);
  const yesterday = now - DAY;
  const fitappDevice = newAdid();
  // what the rollups count as active or as an install in the last 90 days, and what they do not
  const callbacks = [
    installCallback({
      adid: fitappDevice,
      created_at: String(yesterday),
      app_name: 'com.example.fitapp',
      os_name: 'Android',
      country: 'DE',
    }),
    // moves that install to Facebook Installs (its dynamic channel); the install itself came through Network1
    installUpdateCallback({ adid: fitappDevice, created_at: String(yesterday + 60), app_name: 'com.example.fitapp' }),
    sessionCallback({
      created_at: String(yesterday),
      app_name: 'com.example.budget',
      os_name: 'iOS',
      country: 'US',
      network_name: 'AppLovin',
    }),
    // no country: '' is not offered (no filter selects it)
    installCallback({ created_at: String(yesterday), app_name: 'com.example.recipes', country: null, network_name: 'TikTok for Business' }),
    // an event alone makes no device active
    eventCallback({ created_at: String(yesterday), app_name: 'com.example.events-only', country: 'FR', network_name: 'Unity Ads' }),
    // sandbox never counts
    installCallback({ created_at: String(yesterday), app_name: 'com.example.sandbox', environment: 'sandbox', country: 'BR' }),
    // active 100 days ago only: before the 90 days offered
    sessionCallback({ created_at: String(now - 100 * DAY), app_name: 'com.example.old', country: 'JP', last_session_time: null }),
  ];

  beforeAll(async () => {
    t = await startTestApp({ LOG_LEVEL: 'fatal' });
    await t.app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    await storeCallbacks(t, callbacks);
    const run = await runEtl(t);
    if (run.status !== 'succeeded') throw new Error(`the load ${run.status}: ${run.error}`);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('needs a key', async () => {
    expect((await get('/api/v1/dimensions')).status).toBe(401);
  });

  it('lists the values of the devices active and of the installs in the last 90 days, sorted', async () => {
    const answer = await get('/api/v1/dimensions', { 'X-API-Key': API_KEY });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.text)).toEqual({
      from: expect.any(String),
      to: expect.any(String),
      app: ['com.example.budget', 'com.example.fitapp', 'com.example.recipes'],
      os: ['android', 'ios'],
      country: ['de', 'us'],
      channel: ['AppLovin', 'Facebook Installs', 'Network1', 'TikTok for Business'],
    });
  });

  it('offers a new value as soon as a load brings it', async () => {
    await get('/api/v1/dimensions', { 'X-API-Key': API_KEY }); // cached now
    await storeCallbacks(t, [sessionCallback({ created_at: String(yesterday), app_name: 'com.example.new', country: 'MX' })]);
    expect(await runEtl(t)).toMatchObject({ status: 'succeeded' });
    const answer = JSON.parse((await get('/api/v1/dimensions', { 'X-API-Key': API_KEY })).text);
    expect(answer.app).toContain('com.example.new');
    expect(answer.country).toContain('mx');
  });

  it('is in the Swagger document with the API key schemes', async () => {
    const spec = JSON.parse((await get('/docs-json')).text);
    expect(spec.paths['/api/v1/dimensions'].get).toMatchObject({
      operationId: 'getDimensions',
      tags: ['dashboard'],
      security: expect.arrayContaining([{ 'api-key': [] }]),
    });
  });
});
