import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CallbackController } from '../../src/collector/callback.controller.js';
import { LOWERCASE_FIELDS, TEXT_FIELDS } from '../../src/collector/adjust-fields.js';
import { ACTIVITIES_WITHOUT_DEVICE } from '../../src/collector/callback-parser.js';
import { CALLBACK_PATH, NOW_EPOCH, newAdid } from '../support/adjust-callbacks.js';
import { adminQuery } from '../support/databases.js';
import { baseUrlOf, inParallel, rawRequest, type RawResponse } from '../support/raw-http.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

// A failure names its seed; COLLECTOR_FUZZ_SEED / COLLECTOR_FUZZ_CASES replay or widen a run.
const SEED = Number(process.env.COLLECTOR_FUZZ_SEED ?? 0x5eedc0de);
const QUERY_CASES = Number(process.env.COLLECTOR_FUZZ_CASES ?? 300);
const JSON_CASES = Math.round(QUERY_CASES / 5);

// mulberry32: small, fast, and the same sequence on every run for a given seed
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

// Keys and values on the wire (already encoded, or deliberately mis-encoded).
const REAL_KEYS = [
  'activity_kind',
  'created_at',
  'adid',
  'installed_at',
  'app_token',
  'app_id',
  'app_name',
  'environment',
  'tracker_name',
  'network_name',
  'is_organic',
  'country',
  'os_name',
  'event',
  'event_name',
  'revenue',
  'revenue_float',
  'last_time_spent',
  'time_spent',
  'last_session_time',
  'session_count',
  'click_time',
  'reattributed_at',
  'gps_adid',
  'idfa',
];
const ODD_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'token',
  'extra',
  'id',
  'dedup_key',
  '',
  'a[b]',
  'a%5Bb%5D',
  '%00',
  'ad%00id',
  'created%5Fat',
  '%F0%9F%98%80',
  '%E0%A4%A',
  '%',
  'key+with+plus',
  '%ED%A0%80',
];
const KINDS = [
  'install',
  'session',
  'event',
  'click',
  'reattribution',
  'INSTALL',
  ' Session ',
  'sk_install',
  'gdpr_forget_device',
  '{activity_kind}',
];
const ODD_VALUES = [
  '',
  '{placeholder}',
  '{adid}',
  '%7Badid%7D',
  '%E0%A4%A',
  '%',
  '%zz',
  '%00',
  'a%00b',
  '%F0%9F%98%80',
  '%ED%A0%80',
  '%C0%80',
  '%FF%FE',
  'null',
  'undefined',
  'NaN',
  'Infinity',
  '-Infinity',
  '1e400',
  '-0',
  '0x1F',
  '1_000',
  '%20%20%20',
  '+',
  '%2B',
  '%20%20',
  '{"a":1}',
  '[1,2]',
  '%7B%22a%22%3A1%7D',
  'true',
  'false',
  '2147483648',
  '-2147483649',
  '99999999999999999999',
  '1795168800.999',
  '-1795168800',
  '1795168800e0',
  '%201795168800%20',
  '%0A1795168800',
  'Network1%3A%3AChristmas%3A%3A',
  '%D8%00',
  '%5Cu0000',
  'a=b=c',
  '\\',
  '"',
  "'",
];

function randomValue(random: Random, key: string): string {
  const roll = random.next();
  if (roll < 0.1) return String(random.int(2 ** 31));
  if (roll < 0.13) return random.chance(0.5) ? '9'.repeat(1 + random.int(100_000)) : 'x'.repeat(random.int(100_000));
  if (roll < 0.5) return random.pick(ODD_VALUES);
  if (key === 'activity_kind') return encodeURIComponent(random.pick(KINDS));
  if (key.endsWith('_at') || key === 'click_time' || key === 'last_session_time') return String(NOW_EPOCH - random.int(86_400 * 400));
  return encodeURIComponent(randomText(random).toWellFormed());
}

function randomText(random: Random): string {
  const alphabet = ['a', 'Z', '0', ' ', ':', '&', '=', '%', '{', '}', '😀', 'é', '\u0000', '\ud800', '\u202e', '\n', '+', '/', '?', '#'];
  return Array.from({ length: random.int(24) }, () => random.pick(alphabet)).join('');
}

// Often a plausible callback with some damage, sometimes pure noise.
function randomQuery(random: Random): string {
  const pairs: string[] = [];
  if (random.chance(0.7))
    pairs.push(
      `activity_kind=${random.chance(0.8) ? random.pick(['install', 'session', 'event', 'click']) : randomValue(random, 'activity_kind')}`,
    );
  if (random.chance(0.7))
    pairs.push(`created_at=${random.chance(0.8) ? NOW_EPOCH - random.int(1_000_000) : randomValue(random, 'created_at')}`);
  if (random.chance(0.7)) pairs.push(`adid=${random.chance(0.8) ? newAdid() : randomValue(random, 'adid')}`);
  for (let i = random.int(12); i > 0; i--) {
    const key = random.chance(0.5)
      ? random.pick(REAL_KEYS)
      : random.chance(0.6)
        ? random.pick(ODD_KEYS)
        : encodeURIComponent(randomText(random).toWellFormed());
    const shape = random.int(10);
    if (shape === 0)
      pairs.push(key); // no "=" at all
    else if (shape === 1)
      pairs.push(`${key}=${randomValue(random, key)}&${key}=${randomValue(random, key)}`); // repeated key
    else pairs.push(`${key}=${randomValue(random, key)}`);
  }
  for (let i = pairs.length - 1; i > 0; i--) {
    const j = random.int(i + 1);
    [pairs[i], pairs[j]] = [pairs[j], pairs[i]];
  }
  return pairs.join(random.chance(0.1) ? '&&' : '&');
}

function randomJsonValue(random: Random, depth = 0): unknown {
  switch (random.int(depth > 2 ? 6 : 9)) {
    case 0:
      return null;
    case 1:
      return random.next() * 10 ** random.int(20) * (random.chance(0.5) ? -1 : 1);
    case 2:
      return random.chance(0.5);
    case 3:
      return random.pick(ODD_VALUES);
    case 4:
      return randomText(random);
    case 5:
      return String(NOW_EPOCH - random.int(86_400));
    case 6:
      return Array.from({ length: random.int(4) }, () => randomJsonValue(random, depth + 1));
    default:
      return Object.fromEntries(Array.from({ length: random.int(4) }, () => [randomText(random), randomJsonValue(random, depth + 1)]));
  }
}

function randomJsonBody(random: Random): string {
  const body: Record<string, unknown> = {};
  if (random.chance(0.7)) body.activity_kind = random.chance(0.8) ? random.pick(['install', 'session', 'event']) : randomJsonValue(random);
  if (random.chance(0.7)) body.created_at = random.chance(0.6) ? NOW_EPOCH - random.int(1_000) : randomJsonValue(random);
  if (random.chance(0.7)) body.adid = random.chance(0.8) ? newAdid() : randomJsonValue(random);
  for (let i = random.int(8); i > 0; i--) {
    const key = random.chance(0.5)
      ? random.pick(REAL_KEYS)
      : random.pick([...ODD_KEYS.filter((k) => k !== '__proto__' && k !== 'constructor'), randomText(random)]);
    body[key] = randomJsonValue(random);
  }
  const json = JSON.stringify(body);
  if (!random.chance(0.1)) return json;
  // nesting far deeper than any callback: built as text, JSON.stringify itself would overflow
  const depth = 1 + random.int(20_000);
  const deep = `"nested":${'['.repeat(depth)}${']'.repeat(depth)}`;
  return json === '{}' ? `{${deep}}` : `${json.slice(0, -1)},${deep}}`;
}

const TEXT_COLUMNS = ['activity_kind', 'adid', ...TEXT_FIELDS, ...LOWERCASE_FIELDS];

describe(CallbackController.name, () => {
  let t: TestApp;
  let baseUrl: string;
  const query = <T extends Record<string, unknown>>(sql: string, params: unknown[] = []) =>
    adminQuery<T>(sql, params, new URL(t.databases.sourceUrl).pathname.slice(1));

  beforeAll(async () => {
    // only a 5xx (a bug here) is worth printing
    t = await startTestApp({ LOG_LEVEL: 'error' });
    await t.app.listen(0, '127.0.0.1');
    baseUrl = baseUrlOf(t.app.getHttpServer());
  });
  afterAll(async () => {
    await t?.close();
  });

  it(`answers ${QUERY_CASES} garbled GET and ${JSON_CASES} garbled JSON callbacks with 200 or 400 and never stores a partial row (seed ${SEED})`, async () => {
    const random = prng(SEED);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
    type Sent = { method: string; path: string; body?: string; headers?: Record<string, string> };
    const requests: Sent[] = [
      ...Array.from({ length: QUERY_CASES }, () => ({ method: 'GET', path: `${CALLBACK_PATH}?${randomQuery(random)}` })),
      ...Array.from({ length: JSON_CASES }, () => ({
        method: 'POST',
        path: CALLBACK_PATH,
        body: randomJsonBody(random),
        headers: { 'content-type': 'application/json' },
      })),
    ];
    let answers: RawResponse[];
    try {
      answers = await inParallel(requests.length, 8, (i) => rawRequest(baseUrl, { ...requests[i], agent }));
    } finally {
      agent.destroy();
    }

    const unexpected = answers
      .map((res, i) => ({
        status: res.status,
        body: res.body.slice(0, 200),
        request: requests[i].path.slice(0, 300),
        json: requests[i].body?.slice(0, 300),
      }))
      .filter((answer) => answer.status !== 200 && answer.status !== 400);
    expect(unexpected).toEqual([]);

    const stored = answers.filter((res) => res.status === 200 && res.json().status === 'stored').length;
    const duplicates = answers.filter((res) => res.status === 200 && res.json().status === 'duplicate').length;
    const refusals = answers.filter((res) => res.status === 400).map((res) => String(res.json().message));
    expect(stored + duplicates + refusals.length).toBe(requests.length);
    // both paths were really exercised
    expect(stored).toBeGreaterThan(50);
    expect(refusals.length).toBeGreaterThan(50);

    // every 200 "stored" is one row, every 400 is one kept callback with the reason it was given, except
    // a body nested too deep to read, which is refused before it is parsed and kept nowhere
    const [{ n: rows }] = await query<{ n: string }>('SELECT count(*) AS n FROM mob.adjust');
    expect(Number(rows)).toBe(stored);
    const unread: string[] = refusals.filter((message) => message === 'The JSON body nests deeper than 32 levels');
    expect(unread.length).toBeGreaterThan(0);
    const rejected = await query<{ reason: string }>('SELECT reason FROM mob.rejected_callback ORDER BY reason');
    expect(rejected.map((row) => row.reason).sort()).toEqual(refusals.filter((message) => !unread.includes(message)).sort());
    await expect(query("SELECT id FROM mob.rejected_callback WHERE params ? 'token'")).resolves.toEqual([]);

    // no partial or unnormalised row: required columns set, no empty or {placeholder} text anywhere (a JSON
    // body's object value is kept as its JSON text, which may look like {} or {"a":1}: that is not a placeholder)
    const broken = await query(`
      SELECT id FROM mob.adjust
      WHERE dedup_key IS NULL OR octet_length(dedup_key) <> 16 OR activity_kind IS NULL OR created_at IS NULL
         OR received_at IS NULL OR extra IS NULL
         OR created_at NOT BETWEEN '2000-01-01' AND '2100-01-01'
         OR activity_kind <> lower(btrim(activity_kind)) OR country <> lower(country) OR os_name <> lower(os_name)
         OR EXISTS (
           SELECT 1 FROM unnest(ARRAY[${TEXT_COLUMNS.join(', ')}]) AS v(text)
           WHERE btrim(v.text) = '' OR btrim(v.text) ~ '^\\{[^{}"]+\\}$'
         )
         OR EXISTS (
           SELECT 1 FROM jsonb_each_text(extra) AS e(key, value)
           WHERE e.key IN ('token', '__proto__') OR btrim(e.value) = '' OR btrim(e.value) ~ '^\\{[^{}"]+\\}$'
         )`);
    expect(broken).toEqual([]);
    // device activities always name their device
    await expect(
      query('SELECT id FROM mob.adjust WHERE adid IS NULL AND activity_kind <> ALL($1)', [[...ACTIVITIES_WITHOUT_DEVICE]]),
    ).resolves.toEqual([]);
  });

  it('refuses raw non-ASCII bytes in the URL at the HTTP parser with a 400, before the collector sees them', async () => {
    // Adjust percent-encodes such values; raw UTF-8 in a request line is not HTTP and Node refuses it
    const path = `${CALLBACK_PATH}?activity_kind=install&created_at=${NOW_EPOCH}&adid=${newAdid()}&city=${Buffer.from('Zürich😀').toString('latin1')}`;
    const res = await rawRequest(baseUrl, { path });
    expect(res.status).toBe(400);
  });

  it('still answers health after the garbage', async () => {
    const res = await rawRequest(baseUrl, { path: '/api/v1/health' });
    expect(res.status).toBe(200);
  });
});
