import { addDays } from '../../src/common/zoned-time.js';
import { KLIPS } from '../../src/metrics/klips.js';
import type { Random } from '../../src/demo/random.js';
import { adjustQuery, CALLBACK_PATH, eventCallback, installCallback, newAdid, sessionCallback } from './adjust-callbacks.js';
import { DATES, METRIC_PARAMS, ODD_NAMES, PERIODS, RAW, STATIC_PATHS, TEXTS } from './fuzz-values.js';

// Seeded requests for the fuzz suite (test/e2e/fuzz.e2e.spec.ts): every route, with parameters, bodies and
// headers from what a careless or hostile caller sends. Secrets go only where credentials go (headers,
// api_key=, token=), never into values a route may repeat (a filter, a date).

export type FuzzRequest = {
  kind: 'metrics' | 'callback' | 'etl' | 'static' | 'health' | 'other';
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
  // callbacks carry fuzz_id=<callbackId> in their URL, to find what was stored of them
  callbackId?: string;
};
export type Secrets = { apiKey: string; adminKey: string; token: string };

export function fuzzRequest(random: Random, secrets: Secrets, serial: number): FuzzRequest {
  const kind = weightedPick(random, [
    ['metrics', 40],
    ['callback', 35],
    ['etl', 8],
    ['static', 8],
    ['health', 4],
    ['other', 5],
  ] as const);
  const headers = commonHeaders(random);
  switch (kind) {
    case 'metrics':
      return metricsRequest(random, secrets, headers);
    case 'callback':
      return callbackRequest(random, secrets, headers, `fuzz-${serial}`);
    case 'etl':
      return etlRequest(random, secrets, headers);
    case 'static':
      return { kind, method: random.pick(['GET', 'GET', 'HEAD']), path: random.pick(STATIC_PATHS), headers };
    case 'health':
      return {
        kind,
        method: random.pick(['GET', 'HEAD']),
        path: random.pick(['/api/v1/health', '/api/v1/health/', '/api/v1/HEALTH']),
        headers,
      };
    case 'other':
      return otherRequest(random, secrets, headers);
  }
}

function metricsRequest(random: Random, secrets: Secrets, headers: Record<string, string>): FuzzRequest {
  const klip = random.chance(0.9) ? random.pick(KLIPS) : random.pick(['revenue', 'INSTALLS', '%ff', 'a'.repeat(150)]);
  // half of them a request the klip answers (the worst ranges of the window among them), half anything
  const pairs = random.chance(0.5) ? answerableParams(random) : anyParams(random);
  const auth = credentials(random, secrets.apiKey, secrets.adminKey);
  if (auth.query) pairs.push(auth.query);
  if (random.chance(0.2))
    headers.Accept = random.pick(['text/csv', 'text/csv;q=0', 'application/json, text/csv;q=0.5', '*/*', 'text/csv;q=abc']);
  if (random.chance(0.1)) headers['If-None-Match'] = random.pick(['*', 'W/"1-abc"', '"', 'x'.repeat(500)]);
  const path = `/api/v1/metrics/${klip}${pairs.length ? `?${pairs.join('&')}` : ''}`;
  return { kind: 'metrics', method: 'GET', path, headers: { ...headers, ...auth.headers } };
}

function answerableParams(random: Random): string[] {
  const from = random.pick(['2000-01-01', '2026-10-01', '2026-11-01', '2097-12-31', '2099-12-01']);
  const range = random.chance(0.3)
    ? [`period=${random.pick(PERIODS.filter(Boolean))}`]
    : [`from=${from}`, `to=${addDays(from, random.int(0, 730))}`];
  const filters = ['app', 'os', 'country', 'channel']
    .filter(() => random.chance(0.3))
    .map(
      (name) =>
        `${name}=${encodeURIComponent(random.pick(['', 'ios', 'de', 'Organic', 'com.example.fitapp', '=HYPERLINK("http://x")', '\u{1F600}']))}`,
    );
  const granularity = random.chance(0.5) ? [`granularity=${random.pick(['day', 'week', 'month'])}`] : [];
  const format = random.chance(0.2) ? ['format=csv'] : [];
  return [...range, ...filters, ...granularity, ...format];
}

function anyParams(random: Random): string[] {
  const pairs: string[] = [];
  for (const name of METRIC_PARAMS) if (random.chance(0.35)) pairs.push(`${name}=${metricValue(random, name)}`);
  if (random.chance(0.15)) pairs.push(`${random.pick(ODD_NAMES)}=${value(random)}`);
  if (random.chance(0.1)) pairs.push(`${random.pick(METRIC_PARAMS)}=${value(random)}`); // a repeat
  return pairs;
}

function metricValue(random: Random, name: string): string {
  if (random.chance(0.2)) return value(random);
  if (name === 'from' || name === 'to') return encodeURIComponent(random.pick(DATES));
  if (name === 'period') return random.pick(PERIODS);
  if (name === 'granularity') return random.pick(['day', 'week', 'month', 'hour', '']);
  if (name === 'format') return random.pick(['json', 'csv', 'xml', '']);
  return encodeURIComponent(random.pick(TEXTS));
}

function callbackRequest(random: Random, secrets: Secrets, headers: Record<string, string>, callbackId: string): FuzzRequest {
  const params = random.pick([installCallback, sessionCallback, eventCallback])({ adid: newAdid() });
  for (const [name] of [...params]) {
    const roll = random.next();
    if (roll < 0.05) params.delete(name);
    else if (roll < 0.1) params.set(name, random.pick(TEXTS));
  }
  if (random.chance(0.1)) params.set('created_at', random.pick(['now', '1e12', '-1', '', '{created_at}', '9'.repeat(30)]));
  for (let extra = random.int(0, 3); extra > 0; extra--) params.append(random.pick(ODD_NAMES), random.pick(TEXTS));
  const token = weightedPick(random, [
    [`token=${encodeURIComponent(secrets.token)}`, 80],
    ['token=wrong-token-0123', 8],
    ['', 5],
    [`token[]=${encodeURIComponent(secrets.token)}`, 4],
    [`token=${encodeURIComponent(secrets.token)}&token=x`, 3],
  ] as const);
  let query = [token, `fuzz_id=${callbackId}`].filter(Boolean).join('&');
  if (random.chance(0.03)) query += `&${Array.from({ length: 1_001 }, (_, i) => `p${i}=${i}`).join('&')}`;
  const method = weightedPick(random, [
    ['GET', 60],
    ['form', 15],
    ['json', 15],
    ['garbage', 10],
  ] as const);
  const fields = adjustQuery(params);
  if (method === 'GET')
    return {
      kind: 'callback',
      method,
      path: `${CALLBACK_PATH}?${query}&${fields}${random.chance(0.05) ? `&${random.pick(RAW)}` : ''}`,
      headers,
      callbackId,
    };
  const path = `${CALLBACK_PATH}?${query}`;
  const post = (contentType: string, body: string): FuzzRequest => ({
    kind: 'callback',
    method: 'POST',
    path,
    headers: { ...headers, 'Content-Type': contentType },
    body,
    callbackId,
  });
  if (method === 'form') return post('application/x-www-form-urlencoded', fields);
  if (method === 'json') return post('application/json', jsonBody(random, params));
  // HEAD with the same URL, which must store nothing (Node's client would send a HEAD body without its length)
  if (random.chance(0.2)) return { kind: 'callback', method: 'HEAD', path: `${path}&${fields}`, headers, callbackId };
  return {
    kind: 'callback',
    // methods whose body Node's client frames (it would send a DELETE body without its length)
    method: random.pick(['POST', 'PUT', 'PATCH']),
    path,
    headers: {
      ...headers,
      'Content-Type': random.pick(['text/plain', 'application/xml', 'application/json', 'multipart/form-data; boundary=x', '']),
    },
    body: random.pick(['{', '[1,2', 'null', '"text"', '\u0000\u0001', '{"__proto__":{"x":1}}', '{"constructor":{"prototype":{}}}']),
    callbackId,
  };
}

function jsonBody(random: Random, params: URLSearchParams): string {
  const json = JSON.stringify(Object.fromEntries(params));
  if (random.chance(0.1)) {
    const depth = random.int(1, 5_000);
    return `${json.slice(0, -1)},"nested":${'['.repeat(depth)}${']'.repeat(depth)}}`;
  }
  if (random.chance(0.05)) return JSON.stringify(Object.fromEntries(Array.from({ length: 1_001 }, (_, i) => [`p${i}`, i])));
  return json;
}

function etlRequest(random: Random, secrets: Secrets, headers: Record<string, string>): FuzzRequest {
  const auth = credentials(random, secrets.adminKey, secrets.apiKey);
  const id = random.pick(['1', '2', '0', '-1', '1.5', '1e3', '9223372036854775808', '9'.repeat(40), 'abc', '%ff', '']);
  const path = random.pick([
    `/api/v1/etl/runs/${id}`,
    `/api/v1/etl/runs?limit=${random.pick(['1', '100', '101', '0', 'x', '1e2', ''])}`,
    '/api/v1/etl/runs',
  ]);
  if (random.chance(0.85))
    return {
      kind: 'etl',
      method: 'GET',
      path: auth.query ? `${path}${path.includes('?') ? '&' : '?'}${auth.query}` : path,
      headers: { ...headers, ...auth.headers },
    };
  // a start: mostly refused (no admin key, a bad body), now and then a real load
  const body = random.pick([
    '',
    '{}',
    '{"mode":"window","windowDays":3}',
    '{"mode":"rebuild"}',
    '{"mode":"x"}',
    '{"windowDays":1e400}',
    '[]',
    '{"force":true}',
  ]);
  const key = random.chance(0.15) ? secrets.adminKey : random.pick([secrets.apiKey, 'wrong-key-0123456789abcdef']);
  return {
    kind: 'etl',
    method: 'POST',
    path: '/api/v1/etl/runs',
    headers: { ...headers, 'X-API-Key': key, 'Content-Type': 'application/json' },
    body,
  };
}

function otherRequest(random: Random, secrets: Secrets, headers: Record<string, string>): FuzzRequest {
  const path = random.pick([
    '/api/v1/dimensions',
    '/api/v1/metrics/cache',
    '/api/v1/metrics',
    '/api/v1',
    `/api/v1/nope?token=${secrets.token}&api_key=${secrets.apiKey}`,
    `/${random.pick(RAW)}`,
    '/api/v1/adjust',
  ]);
  const auth = credentials(random, secrets.apiKey, secrets.adminKey);
  return {
    kind: 'other',
    method: random.pick(['GET', 'DELETE', 'PUT', 'PATCH', 'OPTIONS', 'HEAD']),
    path,
    headers: { ...headers, ...auth.headers },
  };
}

// A key where Klipfolio, curl or Swagger UI put one, or something that is not one.
type Credentials = { headers: Record<string, string>; query?: string };

function credentials(random: Random, key: string, otherKey: string): Credentials {
  return weightedPick<Credentials>(random, [
    [{ headers: { 'X-API-Key': key } }, 40],
    [{ headers: { Authorization: `Bearer ${key}` } }, 10],
    [{ headers: {}, query: `api_key=${encodeURIComponent(key)}` }, 10],
    [{ headers: { 'X-API-Key': otherKey } }, 10],
    [{ headers: { 'X-API-Key': 'wrong-key-0123456789abcdef' } }, 10],
    [{ headers: { Authorization: random.pick(['Basic Zm9vOmJhcg==', 'Bearer', 'Bearer a b', `bearer ${key}`]) } }, 5],
    [{ headers: {}, query: `api_key[]=${encodeURIComponent(key)}` }, 5],
    [{ headers: {} }, 10],
  ] as const);
}

// Headers any request may carry: an address (X-Forwarded-For, believed from the loopback test client),
// a request id of any shape, now and then one too long for the route.
function commonHeaders(random: Random): Record<string, string> {
  const headers: Record<string, string> = { 'X-Forwarded-For': `198.18.${random.int(0, 255)}.${random.int(1, 254)}` };
  if (random.chance(0.1)) headers['X-Request-Id'] = random.pick(['abc', 'a'.repeat(100), '../../etc', '\u00e9t\u00e9']);
  if (random.chance(0.03)) headers['X-Padding'] = 'p'.repeat(random.int(8_000, 40_000));
  if (random.chance(0.03)) headers.Range = random.pick(['bytes=0-10', 'bytes=-1', 'bytes=99999999-', 'lines=1-2']);
  return headers;
}

function value(random: Random): string {
  return random.chance(0.5) ? random.pick(RAW) : encodeURIComponent(random.pick(TEXTS));
}

// One of `choices`, each as likely as its weight.
function weightedPick<T>(random: Random, choices: readonly (readonly [T, number])[]): T {
  return random.weighted(choices, ([, weight]) => weight)[0];
}
