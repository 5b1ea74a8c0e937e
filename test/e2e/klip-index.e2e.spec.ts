import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { GRANULARITIES } from '../../src/metrics/date-range.js';
import { KEY_PLACEHOLDER, type KlipIndex } from '../../src/metrics/klip-index.js';
import { KLIPS } from '../../src/metrics/klips.js';
import { KlipIndexController } from '../../src/metrics/metrics.controller.js';
import { eventCallback, installCallback, sessionCallback } from '../support/adjust-callbacks.js';
import { runEtl, storeCallbacks } from '../support/etl.js';
import { baseUrlOf } from '../support/raw-http.js';
import { ADMIN_KEY, API_KEY, startTestApp, type TestApp } from '../support/test-app.js';

// GET /api/v1/metrics, the klips' index, through HTTP: what it lists must be what each klip answers,
// and its Klipfolio URLs must answer once a key takes the placeholder's place.

const INDEX = '/api/v1/metrics';

describe(KlipIndexController.name, () => {
  let t: TestApp;
  let base: string;
  const http = () => request(base);
  const getIndex = async (): Promise<KlipIndex> => (await http().get(INDEX).set('X-API-Key', API_KEY).expect(200)).body as KlipIndex;

  beforeAll(async () => {
    t = await startTestApp({ LOG_LEVEL: 'fatal' });
    // listening: the URLs name the address the requests came to
    await t.app.listen(0, '127.0.0.1');
    base = baseUrlOf(t.app.getHttpServer());
    // an install, a session length and a registration today: every klip's default answer has rows
    const now = String(Math.floor(Date.now() / 1000));
    await storeCallbacks(t, [
      installCallback({ adid: 'index-a', created_at: now }),
      sessionCallback({ adid: 'index-a', created_at: now, last_time_spent: '120', last_session_time: now }),
      eventCallback({ adid: 'index-a', created_at: now }),
    ]);
    const run = await runEtl(t);
    if (run.status !== 'succeeded') throw new Error(`the load ${run.status}: ${run.error}`);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('answers 401 without a key or with a wrong one', async () => {
    expect((await http().get(INDEX)).status).toBe(401);
    expect((await http().get(INDEX).set('X-API-Key', 'not-a-key-0123456789')).status).toBe(401);
  });

  it('lists every klip once, in the registry order, for a reader key and an admin key', async () => {
    const index = await getIndex();
    expect(index.klips.map((klip) => klip.route)).toEqual(KLIPS);
    const admin = (await http().get(INDEX).set('Authorization', `Bearer ${ADMIN_KEY}`).expect(200)).body as KlipIndex;
    expect(admin).toEqual(index);
    for (const klip of index.klips) {
      expect(klip).toEqual({
        route: expect.any(String),
        title: expect.any(String),
        label: expect.any(String),
        unit: expect.any(String),
        kind: expect.any(String),
        // a flat table: the bucket's date (or the channel) first
        columns: expect.arrayContaining([klip.kind === 'by-channel' ? 'channel' : 'date']),
        summary: expect.any(Array),
        defaultGranularity: klip.defaultGranularity,
        klipfolioUrl: expect.any(String),
      });
      expect([null, ...GRANULARITIES]).toContain(klip.defaultGranularity);
    }
  });

  it('gives each klip a Klipfolio URL on the host asked, with a placeholder and never a key', async () => {
    const index = await getIndex();
    for (const { route, klipfolioUrl } of index.klips) {
      expect(klipfolioUrl).toBe(`${base}${INDEX}/${route}?period=last_30_days&api_key=${KEY_PLACEHOLDER}`);
      expect(klipfolioUrl).not.toContain(API_KEY);
    }
  });

  it('writes the public scheme and host a trusted load balancer forwards', async () => {
    const res = await http()
      .get(INDEX)
      .set('X-API-Key', API_KEY)
      .set('X-Forwarded-Proto', 'https')
      .set('X-Forwarded-Host', 'kpi.example.com');
    expect((res.body as KlipIndex).klips[0].klipfolioUrl).toMatch(/^https:\/\/kpi\.example\.com\/api\/v1\/metrics\//);
  });

  it('answers each listed URL with exactly the listed columns in every row and the listed summary fields', async () => {
    const index = await getIndex();
    for (const { route, klipfolioUrl, columns, summary, defaultGranularity } of index.klips) {
      const url = new URL(klipfolioUrl.replace(KEY_PLACEHOLDER, API_KEY));
      const res = await http().get(`${url.pathname}${url.search}`);
      expect({ route, status: res.status }).toEqual({ route, status: 200 });
      expect({ route, granularity: res.body.granularity }).toEqual({ route, granularity: defaultGranularity });
      expect({ route, summary: Object.keys(res.body.summary) }).toEqual({ route, summary });
      expect({ route, rows: res.body.data.length > 0 }).toEqual({ route, rows: true });
      for (const row of res.body.data) expect({ route, columns: Object.keys(row) }).toEqual({ route, columns });
      const csv = await http().get(`${url.pathname}${url.search}&format=csv`);
      expect({ route, header: csv.text.split('\r\n')[0] }).toEqual({ route, header: columns.join(',') });
    }
  });

  it('answers 304 to If-None-Match holding its ETag, and asks the client to revalidate', async () => {
    const first = await http().get(INDEX).set('X-API-Key', API_KEY).expect(200);
    expect(first.headers['cache-control']).toBe('private, no-cache');
    const again = await http()
      .get(INDEX)
      .set('X-API-Key', API_KEY)
      .set('If-None-Match', first.headers.etag as string);
    expect(again.status).toBe(304);
    expect(again.text ?? '').toBe('');
  });

  it('leaves GET /metrics to Prometheus at the root', async () => {
    const res = await http().get('/metrics').set('Authorization', `Bearer ${ADMIN_KEY}`).expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.text).toContain('# TYPE kpi_klip_requests_total counter');
  });
});
