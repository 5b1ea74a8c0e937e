import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import type { EtlRunView } from '../../src/etl/etl-run.js';
import { KLIPS } from '../../src/metrics/klips.js';
import { MetricsController } from '../../src/metrics/metrics.controller.js';
import { callbackUrl, eventCallback, installCallback, sessionCallback } from '../support/adjust-callbacks.js';
import { runEtl, waitForLeaseFree } from '../support/etl.js';
import { baseUrlOf, inParallel, rawRequest, type RawResponse } from '../support/raw-http.js';
import { sleep, waitUntil } from '../support/service-process.js';
import { ADMIN_KEY, API_KEY, startTestApp, type TestApp } from '../support/test-app.js';

// The whole path through HTTP: Adjust callbacks into the collector, a load started on the ETL route, and
// every klip read back, with numbers worked out by hand from the callbacks below.

const METRICS = '/api/v1/metrics';
const D1 = '2026-11-19';
const D2 = '2026-11-20';
const TWO_DAYS = { from: D1, to: D2 };

const at = (day: string, hour: string) => String(Date.parse(`${day}T${hour}:00:00Z`) / 1000);
const organic = { network_name: '', tracker_name: '', is_organic: '1' };
const iosInUs = { os_name: 'iOS', country: 'US' };

// Devices a…g. Channels: a and c come from Network1 (the factories' default), b is Organic.
//   a: install D1; a session on D2 reporting a 300 s session that started on D1
//   b: install D1 (iOS, US, Organic); a registration on D1; a purchase event on D2 (events are not activity)
//   c: install D2; a session on D2 reporting 100 s without last_session_time (counts for D2)
//   d: sessions on D2 reporting 200 s (started on D2) and 0 s (not a length)
//   e: a sandbox install on D2 (never counts)
//   f: a session on 2026-11-09 reporting 50 s: inside the 30-day window of D1 and D2, outside their 7-day one
//   g: an install on 2026-09-01 from a network whose name holds a comma and quotes
//   h: an install on 2026-09-02 from a network whose name a spreadsheet would run as a formula
const SCENARIO: URLSearchParams[] = [
  installCallback({ adid: 'device-a', created_at: at(D1, '10') }),
  sessionCallback({ adid: 'device-a', created_at: at(D2, '10'), last_time_spent: '300', last_session_time: at(D1, '12') }),
  installCallback({ adid: 'device-b', created_at: at(D1, '11'), ...organic, ...iosInUs }),
  eventCallback({ adid: 'device-b', created_at: at(D1, '12'), ...organic, ...iosInUs }),
  eventCallback({ adid: 'device-b', created_at: at(D2, '09'), event: 'pur123', event_name: 'purchase', ...organic, ...iosInUs }),
  installCallback({ adid: 'device-c', created_at: at(D2, '09') }),
  sessionCallback({ adid: 'device-c', created_at: at(D2, '11'), last_time_spent: '100', last_session_time: '' }),
  sessionCallback({ adid: 'device-d', created_at: at(D2, '12'), last_time_spent: '200', last_session_time: at(D2, '08') }),
  sessionCallback({ adid: 'device-d', created_at: at(D2, '13'), last_time_spent: '0', last_session_time: at(D2, '12') }),
  installCallback({ adid: 'device-e', created_at: at(D2, '10'), environment: 'sandbox' }),
  sessionCallback({
    adid: 'device-f',
    created_at: at('2026-11-09', '10'),
    last_time_spent: '50',
    last_session_time: at('2026-11-09', '09'),
  }),
  installCallback({ adid: 'device-g', created_at: at('2026-09-01', '10'), network_name: 'Ads, "Best"', tracker_name: '' }),
  installCallback({
    adid: 'device-h',
    created_at: at('2026-09-02', '10'),
    network_name: '=HYPERLINK("http://evil.example/","x")',
    tracker_name: '',
  }),
];

const freshAfterLoad = { dataThrough: expect.any(String), lastLoadAt: expect.any(String), stale: false };
const ETAG = /^W\/"(\d+)-[\w-]{16}"$/;

function metricPath(klip: string, params: Record<string, string> = {}): string {
  const query = new URLSearchParams(params).toString();
  return `${METRICS}/${klip}${query ? `?${query}` : ''}`;
}

// Seconds from now to the next multiple of ten minutes (UTC): ETL_SCHEDULE '*/10 * * * *'.
function secondsToNextTenMinutes(): number {
  const now = Date.now();
  return Math.ceil((Math.floor(now / 600_000) * 600_000 + 600_000 - now) / 1000);
}

function maxAgeOf(cacheControl: string | undefined): number {
  const match = /^private, max-age=(\d+)$/.exec(cacheControl ?? '');
  if (!match) throw new Error(`Cache-Control is ${cacheControl}, not "private, max-age=<seconds>"`);
  return Number(match[1]);
}

// Random requests ---------------------------------------------------------------------------------------

const SEED = Number(process.env.METRICS_FUZZ_SEED ?? 0x6b11f0);
const FUZZ_CASES = Number(process.env.METRICS_FUZZ_CASES ?? 300);

// mulberry32: the same sequence on every run for a given seed
function prng(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let x = Math.imul(state ^ (state >>> 15), 1 | state);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
  const int = (max: number) => Math.floor(next() * max);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)];
  return { next, int, pick, chance: (p: number) => next() < p };
}
type Random = ReturnType<typeof prng>;

const KNOWN_NAMES = ['from', 'to', 'period', 'granularity', 'app', 'os', 'country', 'channel', 'format', 'api_key'];
// on the wire: already percent-encoded, or deliberately not
const ODD_NAMES = [
  '__proto__',
  '__proto__[app]',
  'constructor',
  'constructor[prototype]',
  'prototype',
  'toString',
  'hasOwnProperty',
  'valueOf',
  'from[]',
  'app[0]',
  'a.b',
  '',
  '%00',
  'fr%00om',
  '%C3%BCn%C3%AFcode',
  '%F0%9F%98%80',
  '%E0%A4%A',
  '%',
  '%ED%A0%80',
  'x'.repeat(300),
];
const PLAIN_VALUES = [
  '',
  'x'.repeat(10_240),
  '2026-11-01'.repeat(1_000),
  '日本語',
  '😀',
  'Ünïcödé',
  "' OR 1=1 --",
  "'; DROP TABLE stg.load; --",
  '" OR ""="',
  '\u0000',
  'a\u0000b',
  '1',
  '-1',
  '0',
  '1e309',
  'NaN',
  'Infinity',
  'null',
  'undefined',
  'true',
  '[]',
  '{}',
  '{"$gt":""}',
  '2026-11-01',
  '2026-11-20',
  '2024-02-29',
  '2026-02-30',
  '9999-12-31',
  '0000-01-01',
  '+002026-11-01',
  'today',
  'last_7_days',
  'year_to_date',
  'day',
  'week',
  'month',
  'json',
  'csv',
  'Organic',
  'Network1',
  'com.example.fitapp',
  'de',
  'DE',
  'android',
  '\n',
  ' ',
  'a,b',
  '%',
];
// on the wire as they are
const RAW_VALUES = [
  '%',
  '%zz',
  '%00',
  'a%00b',
  '%FF',
  '%FF%FE',
  '%ED%A0%80',
  '%C0%AF',
  '%E2%82',
  '+',
  '%2B',
  '[',
  ']',
  '=',
  '==',
  '%26',
  ';',
  '%0D%0A',
];
const IF_NONE_MATCH = ['*', 'garbage', 'W/"', '"', ',,,', 'W/"1-x"', 'W/"0-aaaaaaaaaaaaaaaa"', 'W/'.repeat(500)];
const ACCEPT = ['text/csv', '*/*', 'text/csv;q=abc', ';;;', 'x/'.repeat(500), 'application/json;q=0, text/csv;q=0', 'text/*'];

type RandomRequest = { path: string; headers: Record<string, string> };

// A valid request with one to three damaged parameters, so that most odd values get past the ones
// before them and reach the answer's computation; sometimes pure noise.
function randomRequest(random: Random): RandomRequest {
  const klip = random.chance(0.9)
    ? random.pick(KLIPS)
    : random.pick(['unknown', '%00', 'installs%00', '..%2F..%2Fhealth', 'INSTALLS', '%E0%A4%A']);
  const pairs: string[] = random.chance(0.8) ? validParameters(random) : [];
  for (let i = 1 + random.int(3); i > 0; i--) {
    const name = random.chance(0.7) ? random.pick(KNOWN_NAMES) : random.pick(ODD_NAMES);
    const value = () => (random.chance(0.75) ? encodeURIComponent(random.pick(PLAIN_VALUES)) : random.pick(RAW_VALUES));
    const shape = random.int(10);
    if (shape === 0) pairs.push(name);
    else if (shape === 1) pairs.push(`${name}=${value()}&${name}=${value()}`);
    else pairs.push(`${name}=${value()}`);
  }
  const headers: Record<string, string> = {};
  const key = random.next();
  if (key < 0.85) headers['X-API-Key'] = API_KEY;
  else if (key < 0.9) headers.Authorization = `Bearer ${API_KEY}`;
  else if (key < 0.95) pairs.push(`api_key=${API_KEY}`);
  else if (key < 0.98) headers['X-API-Key'] = 'not-a-key';
  if (random.chance(0.1)) headers['If-None-Match'] = random.pick(IF_NONE_MATCH);
  if (random.chance(0.1)) headers.Accept = random.pick(ACCEPT);
  const query = pairs.join(random.chance(0.1) ? '&&' : '&');
  return { path: `${METRICS}/${klip}${query ? `?${query}` : ''}`, headers };
}

function validParameters(random: Random): string[] {
  const ranges = ['from=2026-11-14&to=2026-11-20', 'from=2026-11-19', 'to=2026-11-20', 'from=2025-01-01&to=2026-12-31'];
  const periods = ['period=today', 'period=last_7_days', 'period=last_month', 'period=year_to_date'];
  const pairs = [random.pick([...ranges, ...periods, ''])];
  if (random.chance(0.5)) pairs.push(`granularity=${random.pick(['day', 'week', 'month'])}`);
  if (random.chance(0.3)) pairs.push(random.pick(['app=com.example.fitapp', 'os=android', 'country=de', 'channel=Network1']));
  if (random.chance(0.2)) pairs.push('format=csv');
  return pairs.filter((pair) => pair !== '');
}

// Hand-picked requests the random ones may miss; each must answer like them.
const ODD_REQUESTS = [
  'app=%00',
  'os=%00',
  'channel=a%00b',
  'channel=%0D%0ASet-Cookie%3A%20x%3Dy',
  'app=%FF',
  'app=%ED%A0%80',
  'channel=%F0%9F%98%80',
  `app=${'x'.repeat(10_240)}`,
  `channel=${'é'.repeat(256)}`,
  '__proto__=x',
  '__proto__[app]=x',
  'constructor[prototype][app]=x',
  'app=a&app=b',
  'from=2026-11-01&from=2026-11-02',
  'granularity=day&granularity=week',
  'period=today&period=today',
  'api_key=a&api_key=b',
  '=x',
  'app',
  '&&&',
  `${'a'.repeat(5_000)}=1`,
];

// Why an answer is wrong, or null: only 200, 304 and 4xx JSON errors are right.
function problemOf(answer: RawResponse): string | null {
  if (answer.status === 200 || answer.status === 304) return null;
  if (answer.status < 400 || answer.status >= 500) return 'not 200, 304 or 4xx';
  let body: Record<string, unknown>;
  try {
    body = answer.json();
  } catch {
    return 'a 4xx that is not JSON';
  }
  const shaped =
    body.statusCode === answer.status && typeof body.error === 'string' && typeof body.message === 'string' && body.message !== '';
  return shaped ? null : 'a 4xx without { statusCode, error, message }';
}

describe(MetricsController.name, () => {
  let t: TestApp;
  let baseUrl: string;
  const http = () => request(baseUrl);
  const get = (path: string, key = API_KEY) => http().get(path).set('X-API-Key', key);
  const json = async (klip: string, params: Record<string, string> = {}) => {
    const res = await get(metricPath(klip, params));
    if (res.status !== 200) throw new Error(`GET ${metricPath(klip, params)} answered ${res.status}: ${res.text}`);
    return res.body as Record<string, unknown> & { data: unknown[]; freshness: Record<string, unknown> };
  };
  const withoutFreshness = ({ freshness: _freshness, ...rest }: Record<string, unknown>) => rest;

  // A load that ends with its answers in the cache. ETL_SCHEDULE runs every ten minutes here, so a scheduled
  // load may hold the lease at the moment: then ask again.
  async function load(): Promise<EtlRunView> {
    for (let attempt = 0; attempt < 50; attempt++) {
      const run = await runEtl(t);
      if (run.status === 'skipped') {
        await sleep(200);
        continue;
      }
      if (run.status !== 'succeeded') throw new Error(`run ${run.id} ${run.status}: ${run.error}`);
      await waitForLeaseFree(t.databases.sourceUrl);
      return run;
    }
    throw new Error('no load could take the ETL lease');
  }

  // The same through the ETL route: POST, then poll the run until it has ended.
  async function loadThroughApi(): Promise<EtlRunView> {
    for (;;) {
      const started = await http().post('/api/v1/etl/runs').set('X-API-Key', ADMIN_KEY);
      if (started.status === 409) {
        // a scheduled load holds the lease
        await waitForLeaseFree(t.databases.sourceUrl);
        continue;
      }
      if (started.status !== 202) throw new Error(`POST /api/v1/etl/runs answered ${started.status}: ${started.text}`);
      let run: EtlRunView | undefined;
      await waitUntil(
        async () => {
          run = (await http().get(`/api/v1/etl/runs/${started.body.id}`).set('X-API-Key', ADMIN_KEY).expect(200)).body as EtlRunView;
          return run.status !== 'running';
        },
        15_000,
        `run ${started.body.id} has ended`,
      );
      // the answers of the new data are in the cache once the run has let go of the lease
      await waitForLeaseFree(t.databases.sourceUrl);
      return run!;
    }
  }

  async function store(callbacks: URLSearchParams[]): Promise<void> {
    for (const callback of callbacks) await http().get(callbackUrl(callback)).expect(200, { status: 'stored' });
  }

  beforeAll(async () => {
    // loads on the schedule of production, so that max-age and stale are those of a scheduled service;
    // the fuzz below sends more requests in a minute than the default rate limit allows
    t = await startTestApp({ ETL_SCHEDULE: '*/10 * * * *', RATE_LIMIT: 'off', LOG_LEVEL: 'fatal' });
    await t.app.listen(0, '127.0.0.1');
    baseUrl = baseUrlOf(t.app.getHttpServer());
  });
  afterAll(async () => {
    await t?.close();
  });

  describe('before any load', () => {
    it('answers zeros with no freshness and stale true', async () => {
      const body = await json('installs', TWO_DAYS);
      expect(body).toMatchObject({
        summary: { total: 0 },
        data: [
          { date: D1, value: 0 },
          { date: D2, value: 0 },
        ],
      });
      expect(body.freshness).toEqual({ dataThrough: null, lastLoadAt: null, stale: true });
    });
  });

  describe('callbacks → collector → ETL → klips', () => {
    let loadStartedAt: number;
    let run: EtlRunView;

    beforeAll(async () => {
      await store(SCENARIO);
      // Adjust retries a callback it got no 2xx for: the repeat is stored nowhere
      await http().get(callbackUrl(SCENARIO[0])).expect(200, { status: 'duplicate' });

      loadStartedAt = Date.now();
      run = await loadThroughApi();
    });

    it('loads every callback the collector stored, once', () => {
      expect(run).toMatchObject({ status: 'succeeded', rowsLoaded: SCENARIO.length, error: null });
    });

    it('installs: install activities per day, sandbox left out', async () => {
      expect(await json('installs', TWO_DAYS)).toEqual({
        metric: 'installs',
        unit: 'count',
        from: D1,
        to: D2,
        granularity: 'day',
        timezone: 'UTC',
        filters: {},
        summary: { total: 3 },
        data: [
          { date: D1, value: 2 },
          { date: D2, value: 1 },
        ],
        freshness: freshAfterLoad,
      });
    });

    it('session-duration: lengths on the day their session started, a weighted mean over the range', async () => {
      // D1: a's 300 s; D2: c's 100 s and d's 200 s → 150; range: 600 / 3 = 200 (a mean of means would say 225)
      expect(await json('session-duration', TWO_DAYS)).toEqual({
        metric: 'session-duration',
        unit: 'seconds',
        from: D1,
        to: D2,
        granularity: 'day',
        timezone: 'UTC',
        filters: {},
        summary: { average: 200 },
        data: [
          { date: D1, value: 300 },
          { date: D2, value: 150 },
        ],
        freshness: freshAfterLoad,
      });
    });

    it('registrations: the registration event, not the purchase', async () => {
      expect(await json('registrations', TWO_DAYS)).toEqual({
        metric: 'registrations',
        unit: 'count',
        from: D1,
        to: D2,
        granularity: 'day',
        timezone: 'UTC',
        filters: {},
        summary: { total: 1 },
        data: [
          { date: D1, value: 1 },
          { date: D2, value: 0 },
        ],
        freshness: freshAfterLoad,
      });
    });

    it('dau: installs and sessions make a device active, an event alone does not', async () => {
      // D1: a, b; D2: a, c, d (b only sent an event, e is sandbox); any day of the two: a, b, c, d
      expect(await json('dau', TWO_DAYS)).toEqual({
        metric: 'dau',
        unit: 'devices',
        from: D1,
        to: D2,
        granularity: 'day',
        timezone: 'UTC',
        filters: {},
        summary: { average: 2.5, distinct: 4 },
        data: [
          { date: D1, value: 2 },
          { date: D2, value: 3 },
        ],
        freshness: freshAfterLoad,
      });
    });

    it('wau: the devices of the 7 days ending on each day', async () => {
      // D1: 11-13…11-19 holds a, b; D2: 11-14…11-20 holds a, b, c, d; f (11-09) is outside both
      expect(await json('wau', TWO_DAYS)).toMatchObject({
        metric: 'wau',
        unit: 'devices',
        summary: { average: 3, distinct: 4 },
        data: [
          { date: D1, value: 2 },
          { date: D2, value: 4 },
        ],
      });
    });

    it('mau: the devices of the 30 days ending on each day', async () => {
      // D1: a, b, f; D2: a, b, c, d, f; distinct stays the devices active from D1 to D2
      expect(await json('mau', TWO_DAYS)).toMatchObject({
        metric: 'mau',
        unit: 'devices',
        summary: { average: 4, distinct: 4 },
        data: [
          { date: D1, value: 3 },
          { date: D2, value: 5 },
        ],
      });
    });

    it('installs-by-channel: one row per channel, largest first', async () => {
      expect(await json('installs-by-channel', TWO_DAYS)).toEqual({
        metric: 'installs-by-channel',
        unit: 'count',
        from: D1,
        to: D2,
        granularity: null,
        timezone: 'UTC',
        filters: {},
        summary: { total: 3 },
        data: [
          { channel: 'Network1', value: 2 },
          { channel: 'Organic', value: 1 },
        ],
        freshness: freshAfterLoad,
      });
    });

    it('installs-by-channel with granularity: every date and every channel of the range', async () => {
      expect((await json('installs-by-channel', { ...TWO_DAYS, granularity: 'day' })).data).toEqual([
        { date: D1, channel: 'Network1', value: 1 },
        { date: D1, channel: 'Organic', value: 1 },
        { date: D2, channel: 'Network1', value: 1 },
        { date: D2, channel: 'Organic', value: 0 },
      ]);
      expect((await json('installs-by-channel', { from: '2026-11-16', to: '2026-11-22', granularity: 'week' })).data).toEqual([
        { date: '2026-11-16', channel: 'Network1', value: 2 },
        { date: '2026-11-16', channel: 'Organic', value: 1 },
      ]);
    });

    it('distinct of a 7- or 30-day range is the WAU or MAU of its last day', async () => {
      expect(await json('dau', { from: '2026-11-14', to: D2 })).toMatchObject({ summary: { distinct: 4 } });
      expect(await json('dau', { from: '2026-10-22', to: D2 })).toMatchObject({ summary: { distinct: 5 } });
    });

    it('weeks: a range starting on a Sunday opens with a one-day bucket labelled by its Monday', async () => {
      const weeks = { from: '2026-11-08', to: D2, granularity: 'week' };
      expect(await json('installs', weeks)).toMatchObject({
        summary: { total: 3 },
        data: [
          { date: '2026-11-02', value: 0 },
          { date: '2026-11-09', value: 0 },
          { date: '2026-11-16', value: 3 },
        ],
      });
      // 11-09…11-15: f's 50 s; 11-16…11-20: 600 s / 3; range: 650 s / 4 = 162.5; an empty bucket is null
      expect(await json('session-duration', weeks)).toMatchObject({
        summary: { average: 162.5 },
        data: [
          { date: '2026-11-02', value: null },
          { date: '2026-11-09', value: 50 },
          { date: '2026-11-16', value: 200 },
        ],
      });
      // daily DAU: 1 on 11-09, 2 on 11-19, 3 on 11-20, else 0 → bucket means 0, 1/7, 5/5; range 6/13
      expect(await json('dau', weeks)).toMatchObject({
        summary: { average: 0.46, distinct: 5 },
        data: [
          { date: '2026-11-02', value: 0 },
          { date: '2026-11-09', value: 0.14 },
          { date: '2026-11-16', value: 1 },
        ],
      });
    });

    it('months: labelled by the 1st, cut by the range', async () => {
      expect(await json('installs', { from: '2026-10-25', to: D2, granularity: 'month' })).toMatchObject({
        summary: { total: 3 },
        data: [
          { date: '2026-10-01', value: 0 },
          { date: '2026-11-01', value: 3 },
        ],
      });
      // MAU through November: 0 × 8 days, f alone 11-09…11-18 (10 days), 3 on 11-19, 5 from 11-20 to 11-30
      // (11 days): 68 / 30
      expect(await json('mau', { from: '2026-11-01', to: '2026-11-30', granularity: 'month' })).toMatchObject({
        summary: { average: 2.27 },
        data: [{ date: '2026-11-01', value: 2.27 }],
      });
    });

    it('filters: channel (the install’s channel), os and country (case-insensitive), app', async () => {
      expect(await json('installs', { ...TWO_DAYS, channel: 'Organic' })).toMatchObject({
        filters: { channel: 'Organic' },
        summary: { total: 1 },
        data: [
          { date: D1, value: 1 },
          { date: D2, value: 0 },
        ],
      });
      expect(await json('installs', { ...TWO_DAYS, os: 'IOS' })).toMatchObject({ filters: { os: 'ios' }, summary: { total: 1 } });
      expect(await json('installs', { ...TWO_DAYS, os: 'android' })).toMatchObject({ summary: { total: 2 } });
      expect(await json('dau', { ...TWO_DAYS, country: 'US' })).toMatchObject({
        filters: { country: 'us' },
        summary: { average: 0.5, distinct: 1 },
        data: [
          { date: D1, value: 1 },
          { date: D2, value: 0 },
        ],
      });
      expect(await json('session-duration', { ...TWO_DAYS, country: 'de' })).toMatchObject({ summary: { average: 200 } });
      expect(await json('registrations', { ...TWO_DAYS, channel: 'Network1' })).toMatchObject({ summary: { total: 0 } });
      expect(await json('installs-by-channel', { ...TWO_DAYS, app: 'com.example.fitapp', os: 'android' })).toMatchObject({
        filters: { app: 'com.example.fitapp', os: 'android' },
        data: [{ channel: 'Network1', value: 2 }],
      });
      expect(await json('installs', { ...TWO_DAYS, app: 'com.example.other' })).toMatchObject({ summary: { total: 0 } });
    });

    it('takes an empty filter (&app=, as Klipfolio fills an unset variable) as no filter, for every klip', async () => {
      const empty = { app: '', os: '', country: '', channel: '' };
      for (const klip of ['installs', 'session-duration', 'registrations', 'dau', 'wau', 'mau', 'installs-by-channel']) {
        const unfiltered = await json(klip, TWO_DAYS);
        expect(await json(klip, { ...TWO_DAYS, ...empty })).toEqual({ ...unfiltered, freshness: expect.any(Object) });
      }
      expect(await json('installs', { ...TWO_DAYS, app: '', os: 'IOS' })).toMatchObject({ filters: { os: 'ios' }, summary: { total: 1 } });
    });

    it('resolves periods on the server and defaults to the last 30 days ending today (UTC)', async () => {
      const today = new Date().toISOString().slice(0, 10);
      const daysAgo = (days: number) => new Date(Date.parse(`${today}T00:00:00Z`) - days * 86_400_000).toISOString().slice(0, 10);
      expect(await json('installs', { period: 'today' })).toMatchObject({ from: today, to: today, data: [{ date: today }] });
      expect(await json('installs', { period: 'last_7_days' })).toMatchObject({ from: daysAgo(6), to: today });
      expect(await json('dau', {})).toMatchObject({ from: daysAgo(29), to: today, granularity: 'day' });
      expect((await json('installs', {})).data).toHaveLength(30);
      expect(await json('installs', { from: daysAgo(3) })).toMatchObject({ from: daysAgo(3), to: today });
      expect(await json('installs', { to: D2 })).toMatchObject({ from: '2026-10-22', to: D2 });
    });

    it('tells how fresh the data is: the newest arrival and the end of the load, not stale', async () => {
      const { freshness } = await json('installs', TWO_DAYS);
      const lastLoadAt = Date.parse(freshness.lastLoadAt as string);
      const dataThrough = Date.parse(freshness.dataThrough as string);
      expect(lastLoadAt).toBeGreaterThanOrEqual(loadStartedAt - 1000);
      expect(lastLoadAt).toBeLessThanOrEqual(Date.now());
      // the callbacks arrived before the load started, and after this test file did
      expect(dataThrough).toBeLessThanOrEqual(loadStartedAt);
      expect(dataThrough).toBeGreaterThan(loadStartedAt - 60_000);
      expect(freshness.stale).toBe(false);
    });

    describe('CSV', () => {
      it('answers format=csv with a date,value table', async () => {
        const res = await get(metricPath('installs', { ...TWO_DAYS, format: 'csv' })).expect(200);
        expect(res.headers['content-type']).toMatch(/^text\/csv/);
        expect(res.text).toBe(`date,value\r\n${D1},2\r\n${D2},1\r\n`);
      });

      it('answers Accept: text/csv with CSV too, an empty field for a null', async () => {
        const res = await get(metricPath('session-duration', { from: '2026-11-08', to: D2, granularity: 'week' }))
          .set('Accept', 'text/csv')
          .expect(200);
        expect(res.headers['content-type']).toMatch(/^text\/csv/);
        expect(res.text).toBe('date,value\r\n2026-11-02,\r\n2026-11-09,50\r\n2026-11-16,200\r\n');
      });

      it('writes channel,value and date,channel,value for installs by channel, quoting a comma and quotes', async () => {
        const byChannel = await get(metricPath('installs-by-channel', { ...TWO_DAYS, format: 'csv' })).expect(200);
        expect(byChannel.text).toBe('channel,value\r\nNetwork1,2\r\nOrganic,1\r\n');
        const byDay = await get(metricPath('installs-by-channel', { ...TWO_DAYS, granularity: 'day' }))
          .set('Accept', 'text/csv')
          .expect(200);
        expect(byDay.headers['content-type']).toMatch(/^text\/csv/);
        expect(byDay.text).toBe(`date,channel,value\r\n${D1},Network1,1\r\n${D1},Organic,1\r\n${D2},Network1,1\r\n${D2},Organic,0\r\n`);
        const quoted = await get(metricPath('installs-by-channel', { from: '2026-09-01', to: '2026-09-01', format: 'csv' })).expect(200);
        expect(quoted.text).toBe('channel,value\r\n"Ads, ""Best""",1\r\n');
        // a formula-like channel name is written with a leading ' (api.md), the JSON keeps it as it is
        const formula = await get(metricPath('installs-by-channel', { from: '2026-09-02', to: '2026-09-02', format: 'csv' })).expect(200);
        expect(formula.text).toBe(`channel,value\r\n"'=HYPERLINK(""http://evil.example/"",""x"")",1\r\n`);
        expect((await json('installs-by-channel', { from: '2026-09-02', to: '2026-09-02' })).data).toEqual([
          { channel: '=HYPERLINK("http://evil.example/","x")', value: 1 },
        ]);
      });

      it('answers an error to a CSV request in JSON', async () => {
        const res = await get(metricPath('installs', { from: 'yesterday', format: 'csv' })).expect(400);
        expect(res.headers['content-type']).toMatch(/^application\/json/);
        expect(res.body).toMatchObject({ statusCode: 400, message: expect.stringContaining('from accepts') });
      });
    });
  });

  describe('caching', () => {
    // a day no other test reads, so that each test here sees its own rows only
    const CACHE_DAY = { from: '2026-08-01', to: '2026-08-01' };
    const path = metricPath('installs', CACHE_DAY);

    beforeAll(async () => {
      // a load has happened whichever tests run before these
      await load();
    });

    it('keeps the ETag while no load brings rows, also across a load that loads nothing new', async () => {
      // callbacks have just arrived and been loaded (on another day than the one asked for below)
      await store([installCallback({ adid: 'device-recent', created_at: at('2026-08-02', '10') })]);
      await load();
      const first = await get(path).expect(200);
      expect(first.headers.etag).toMatch(ETAG);
      await get(path).expect(200).expect('etag', first.headers.etag);

      // nothing has arrived since: this load brings nothing new (it may re-read the last minutes'
      // arrivals, which changes no number)
      await load();

      const after = await get(path).expect(200);
      expect(after.headers.etag).toBe(first.headers.etag);
      expect(withoutFreshness(after.body)).toEqual(withoutFreshness(first.body));
      // the freshness is that of this moment: the load counts as a load
      expect(Date.parse(after.body.freshness.lastLoadAt)).toBeGreaterThan(Date.parse(first.body.freshness.lastLoadAt));
    });

    it('changes the ETag, and the numbers of an answer cached before, after a load that brings rows', async () => {
      const before = await get(path).expect(200);
      expect(before.body.summary).toEqual({ total: 0 });

      await store([installCallback({ adid: 'device-cache', created_at: at('2026-08-01', '10') })]);
      const run = await load();

      const after = await get(path).expect(200);
      expect(after.body.summary).toEqual({ total: 1 });
      // the data version is the latest load that brought rows: this one, or a scheduled one just before it
      const versionOf = (etag: string) => Number(ETAG.exec(etag)?.[1]);
      const version = versionOf(after.headers.etag);
      expect(version).toBeGreaterThan(versionOf(before.headers.etag));
      expect(version).toBeLessThanOrEqual(run.id);
      // every answer belongs to the new version, not just those about the new rows
      expect(versionOf((await get(metricPath('dau', TWO_DAYS)).expect(200)).headers.etag)).toBe(version);
    });

    it('answers 304 without a body to If-None-Match holding the current ETag, 200 to an old one', async () => {
      const current = (await get(path).expect(200)).headers.etag;
      const older = current.replace(/^W\/"\d+-/, 'W/"1-');

      const notModified = await get(path).set('If-None-Match', current).expect(304);
      expect(notModified.text).toBe('');
      expect(notModified.headers.etag).toBe(current);
      expect(maxAgeOf(notModified.headers['cache-control'])).toBeLessThanOrEqual(660); // the next tick is at most 600 s away, plus a minute for its load

      await get(path).set('If-None-Match', older).expect(200);
      // an ETag names one request's answer: another URL does not match it
      await get(metricPath('installs', TWO_DAYS)).set('If-None-Match', current).expect(200);
      await get(path).set('If-None-Match', `"other", ${current}`).expect(304);
    });

    it('says Cache-Control: private, max-age = the seconds until the next cron tick, plus a minute for that load', async () => {
      const before = secondsToNextTenMinutes() + 60;
      const res = await get(path).expect(200);
      const after = secondsToNextTenMinutes() + 60;
      const maxAge = maxAgeOf(res.headers['cache-control']);
      expect(maxAge).toBeGreaterThanOrEqual(60);
      expect(maxAge).toBeLessThanOrEqual(660);
      // within a second of the clock's own count (a tick may fall between the two readings)
      const close = [before, after].some((expected) => Math.abs(maxAge - expected) <= 1);
      expect({ maxAge, close }).toEqual({ maxAge, close: true });
    });

    it('empties the cache for an admin key only, and answers the same afterwards', async () => {
      const paths = KLIPS.map((klip) => metricPath(klip, TWO_DAYS));
      const before = await Promise.all(paths.map((one) => get(one).expect(200)));

      await http().delete(`${METRICS}/cache`).expect(401);
      expect((await http().delete(`${METRICS}/cache`).set('X-API-Key', API_KEY).expect(403)).body).toEqual({
        statusCode: 403,
        error: 'Forbidden',
        message: 'This route needs a key from ADMIN_API_KEYS',
      });
      const cleared = await http().delete(`${METRICS}/cache`).set('X-API-Key', ADMIN_KEY).expect(204);
      expect(cleared.text).toBe('');

      const after = await Promise.all(paths.map((one) => get(one).expect(200)));
      for (const [index, res] of after.entries()) {
        expect(res.headers.etag).toBe(before[index].headers.etag);
        expect(withoutFreshness(res.body)).toEqual(withoutFreshness(before[index].body));
      }
    });
  });

  describe('errors', () => {
    const expectError = (res: request.Response, statusCode: number, error: string) => {
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.body).toEqual({ statusCode, error, message: expect.any(String) });
      return res.body.message as string;
    };

    it('answers an unknown klip with a 404 that names the klips', async () => {
      const message = expectError(await get(`${METRICS}/ltv`).expect(404), 404, 'Not Found');
      expect(message).toBe(
        'No klip "ltv": the metrics are installs, session-duration, registrations, dau, wau, mau, installs-by-channel, sessions, revenue, retention',
      );
    });

    it.each([
      '2026-13-01',
      '2026-02-30',
      '20261101',
      '',
      '2026-1-01',
      '2026-11-01T00:00:00Z',
      '1999-12-31',
      '2100-01-01',
      '0000-01-15',
      '9999-12-31',
    ])('refuses the date "%s" in from and in to, saying how to write one', async (date) => {
      for (const name of ['from', 'to']) {
        const res = await get(`${METRICS}/installs?${name}=${encodeURIComponent(date)}`).expect(400);
        expect(expectError(res, 400, 'Bad Request')).toBe(
          `${name} accepts a date written YYYY-MM-DD from 2000-01-01 to 2099-12-31 (inclusive, in the report time zone), e.g. 2026-11-01`,
        );
      }
    });

    it.each([
      'installs?from=9999-12-01&to=9999-12-31',
      'installs?to=0000-01-15',
      'installs?from=0000-01-01&to=0000-01-31',
      'dau?from=9999-11-01&to=9999-11-30&os=ios',
    ])('answers %s, which once hung or ran out of memory, with a 400 naming the dates it takes', async (path) => {
      const started = Date.now();
      const res = await get(`${METRICS}/${path}`).expect(400);
      expect(expectError(res, 400, 'Bad Request')).toMatch(/^(from|to) accepts a date written YYYY-MM-DD from 2000-01-01 to 2099-12-31/);
      expect(Date.now() - started).toBeLessThan(1_000);
      await http().get('/api/v1/health').expect(200);
    });

    it('refuses from after to', async () => {
      const res = await get(metricPath('dau', { from: '2026-11-02', to: '2026-11-01' })).expect(400);
      expect(expectError(res, 400, 'Bad Request')).toBe('from (2026-11-02) is after to (2026-11-01): from must be on or before to');
    });

    it('accepts 731 days and refuses 732', async () => {
      await get(metricPath('installs', { from: '2025-01-01', to: '2027-01-01' })).expect(200);
      const res = await get(metricPath('installs', { from: '2025-01-01', to: '2027-01-02' })).expect(400);
      expect(expectError(res, 400, 'Bad Request')).toBe('from … to spans 732 days: a range covers at most 731 days');
    });

    it('refuses an unknown granularity, period or format, listing what is accepted', async () => {
      expect(expectError(await get(metricPath('installs', { granularity: 'hour' })).expect(400), 400, 'Bad Request')).toBe(
        'granularity accepts day, week, month',
      );
      expect(expectError(await get(metricPath('installs', { period: 'fortnight' })).expect(400), 400, 'Bad Request')).toBe(
        'period accepts today, yesterday, last_7_days, last_30_days, last_90_days, this_week, last_week, this_month, last_month, year_to_date',
      );
      expect(expectError(await get(metricPath('installs', { format: 'xml' })).expect(400), 400, 'Bad Request')).toBe(
        'format accepts json, csv',
      );
    });

    it.each<Record<string, string>>([{ from: '2026-11-01' }, { to: '2026-11-07' }, { from: '2026-11-01', to: '2026-11-07' }])(
      'refuses a period together with %j',
      async (dates) => {
        const res = await get(metricPath('wau', { period: 'last_7_days', ...dates })).expect(400);
        expect(expectError(res, 400, 'Bad Request')).toMatch(/^period cannot be combined with from\/to/);
      },
    );

    it('refuses an unknown parameter, naming it and what the route accepts', async () => {
      const message = expectError(await get(metricPath('installs', { chanel: 'Organic' })).expect(400), 400, 'Bad Request');
      expect(message).toContain('chanel');
      expect(message).toContain('accepts');
    });

    it.each(['toString', 'constructor', 'hasOwnProperty', 'valueOf', '__proto__'])(
      'refuses the unknown parameter %s like any other',
      async (name) => {
        const message = expectError(await get(`${METRICS}/installs?${name}=1`).expect(400), 400, 'Bad Request');
        expect(message).toContain(name);
      },
    );

    it('answers 401 without a key or with a wrong one, in any of the three places', async () => {
      const path = metricPath('installs', TWO_DAYS);
      expect(expectError(await http().get(path).expect(401), 401, 'Unauthorized')).toMatch(/^API key missing/);
      expect(expectError(await get(path, 'not-a-key').expect(401), 401, 'Unauthorized')).toBe('API key not recognised');
      await http().get(path).set('Authorization', 'Bearer not-a-key').expect(401);
      await http().get(`${path}&api_key=not-a-key`).expect(401);
    });

    it('accepts the key as Authorization: Bearer and as the api_key query parameter', async () => {
      const path = metricPath('installs', TWO_DAYS);
      const byHeader = await get(path).expect(200);
      const byBearer = await http().get(path).set('Authorization', `Bearer ${API_KEY}`).expect(200);
      const byQuery = await http().get(`${path}&api_key=${API_KEY}`).expect(200);
      expect(withoutFreshness(byBearer.body)).toEqual(withoutFreshness(byHeader.body));
      expect(withoutFreshness(byQuery.body)).toEqual(withoutFreshness(byHeader.body));
      // an admin key reads metrics too
      await get(path, ADMIN_KEY).expect(200);
    });
  });

  describe('what a request sends never causes a 500', () => {
    it('answers a filter holding SQL with zeros, and the data is still there afterwards', async () => {
      const before = await json('installs', TWO_DAYS);
      const sqlish = { ...TWO_DAYS, channel: "' OR 1=1 --", app: "x'); DROP TABLE stg.daily_counts; --" };
      expect(await json('installs', sqlish)).toMatchObject({
        filters: { channel: "' OR 1=1 --", app: "x'); DROP TABLE stg.daily_counts; --" },
        summary: { total: 0 },
        data: [
          { date: D1, value: 0 },
          { date: D2, value: 0 },
        ],
      });
      expect(await json('session-duration', sqlish)).toMatchObject({
        summary: { average: null },
        data: [{ value: null }, { value: null }],
      });
      expect(await json('dau', { ...sqlish, os: "android' --" })).toMatchObject({
        summary: { average: 0, distinct: 0 },
        data: [{ value: 0 }, { value: 0 }],
      });
      expect(await json('installs-by-channel', sqlish)).toMatchObject({ summary: { total: 0 }, data: [] });

      // recomputed from the warehouse, not from the cache
      await http().delete(`${METRICS}/cache`).set('X-API-Key', ADMIN_KEY).expect(204);
      expect(withoutFreshness(await json('installs', TWO_DAYS))).toEqual(withoutFreshness(before));
    });

    it.each(ODD_REQUESTS.map((query) => [query.slice(0, 60), query]))(
      'answers 200 or a 4xx JSON error to ?%s on every klip',
      async (_shown, query) => {
        for (const klip of KLIPS) {
          const answer = await rawRequest(baseUrl, { path: `${METRICS}/${klip}?${query}`, headers: { 'X-API-Key': API_KEY } });
          expect({ klip, status: answer.status, problem: problemOf(answer) }).toEqual({ klip, status: answer.status, problem: null });
        }
      },
    );

    it('answers 200, 304 or a 4xx JSON error to a few hundred random requests', async () => {
      const random = prng(SEED);
      const cases = Array.from({ length: FUZZ_CASES }, () => randomRequest(random));
      const answers = await inParallel(cases.length, 8, (index) =>
        rawRequest(baseUrl, { path: cases[index].path, headers: cases[index].headers }).catch(
          (error: Error) => ({ status: 0, body: error.message }) as RawResponse,
        ),
      );

      const wrong = answers.flatMap((answer, index) => {
        const problem = problemOf(answer);
        return problem ? [`${problem}: GET ${cases[index].path.slice(0, 300)} → ${answer.status} ${answer.body.slice(0, 300)}`] : [];
      });
      expect({ seed: SEED, wrong }).toEqual({ seed: SEED, wrong: [] });
      // the fuzz reached the klips: some requests got answers, others errors
      const statuses = new Set(answers.map((answer) => answer.status));
      expect(statuses).toContain(200);
      expect(statuses).toContain(400);
    });
  });
});

describe('metrics without a schedule (ETL_SCHEDULE=off)', () => {
  let t: TestApp;
  const get = (path: string) => request(t.app.getHttpServer()).get(path).set('X-API-Key', API_KEY);
  const path = metricPath('installs', TWO_DAYS);

  beforeAll(async () => {
    t = await startTestApp({ ETL_SCHEDULE: 'off', LOG_LEVEL: 'fatal' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('says max-age=0 (no scheduled load to wait for), stale before the first load and never after', async () => {
    const before = await get(path).expect(200);
    expect(before.headers['cache-control']).toBe('private, max-age=0');
    expect(before.headers.etag).toMatch(/^W\/"0-[\w-]{16}"$/);
    expect(before.body.freshness).toEqual({ dataThrough: null, lastLoadAt: null, stale: true });

    await request(t.app.getHttpServer())
      .get(callbackUrl(installCallback({ created_at: at(D1, '10') })))
      .expect(200, { status: 'stored' });
    const run = await runEtl(t);
    expect(run.status).toBe('succeeded');

    const after = await get(path).expect(200);
    expect(after.headers['cache-control']).toBe('private, max-age=0');
    expect(after.headers.etag).toMatch(new RegExp(`^W/"${run.id}-`));
    expect(after.body).toMatchObject({ summary: { total: 1 }, freshness: freshAfterLoad });
    await get(path).set('If-None-Match', after.headers.etag).expect(304);
  });
});
