import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { KLIP_ENTRIES, KLIPS, type Klip } from '../../src/metrics/klips.js';
import { installCallback } from '../support/adjust-callbacks.js';
import { runEtl, storeCallbacks } from '../support/etl.js';
import { API_KEY, startTestApp, type TestApp } from '../support/test-app.js';

// The Swagger document (/docs-json) of the metrics routes: what Swagger UI shows and what "Authorize"
// then "Try it out" send.

type Parameter = {
  name: string;
  in: string;
  description?: string;
  example?: unknown;
  examples?: Record<string, { value?: unknown }>;
  schema?: { example?: unknown; default?: unknown };
};
type MediaType = { schema?: { type?: string; example?: Record<string, unknown> }; example?: unknown };
type Operation = {
  operationId: string;
  summary?: string;
  description?: string;
  parameters: Parameter[];
  responses: Record<string, { description: string; content?: Record<string, MediaType> }>;
  security?: Record<string, string[]>[];
};
type SecurityScheme = { type: string; in?: string; name?: string; scheme?: string };
type OpenApi = { paths: Record<string, Record<string, Operation>>; components: { securitySchemes: Record<string, SecurityScheme> } };

const OPERATION_IDS: Record<Klip, string> = {
  installs: 'getInstalls',
  'session-duration': 'getAverageSessionDuration',
  registrations: 'getRegistrations',
  dau: 'getDailyActiveUsers',
  wau: 'getWeeklyActiveUsers',
  mau: 'getMonthlyActiveUsers',
  'installs-by-channel': 'getInstallsByChannel',
  sessions: 'getSessions',
  revenue: 'getRevenue',
  retention: 'getRetention',
};
const QUERY_PARAMETERS = ['from', 'to', 'period', 'granularity', 'app', 'os', 'country', 'channel', 'format'];

// The example Swagger UI shows for a parameter (an `examples` entry that is not empty counts too).
const exampleOf = (parameter: Parameter) =>
  parameter.example ??
  parameter.schema?.example ??
  Object.values(parameter.examples ?? {})
    .map((example) => example.value)
    .find((value) => value !== undefined && value !== '');

// What Swagger UI (OpenAPI 3) puts in a parameter's "Try it out" field, as its parameter row does: the
// first `examples` entry, else `example`, else the schema's example, else its default. Empty is not sent.
const prefilledValue = (parameter: Parameter) =>
  Object.values(parameter.examples ?? {})[0]?.value ?? parameter.example ?? parameter.schema?.example ?? parameter.schema?.default;

describe('Swagger document of the metrics', () => {
  let t: TestApp;
  let spec: OpenApi;
  const http = () => request(t.app.getHttpServer() as Server);
  const operation = (klip: Klip) => spec.paths[`/api/v1/metrics/${klip}`]?.get;

  // What Swagger UI sends once "Authorize" holds a key for `scheme`.
  function authorized(scheme: SecurityScheme, path: string, query: Record<string, string>): request.Test {
    const params = new URLSearchParams(query);
    if (scheme.type === 'apiKey' && scheme.in === 'query') params.set(scheme.name!, API_KEY);
    const test = http().get(`${path}?${params}`);
    if (scheme.type === 'apiKey' && scheme.in === 'header') return test.set(scheme.name!, API_KEY);
    if (scheme.type === 'http' && scheme.scheme === 'bearer') return test.set('Authorization', `Bearer ${API_KEY}`);
    return test;
  }

  beforeAll(async () => {
    t = await startTestApp({ LOG_LEVEL: 'fatal' });
    spec = (await http().get('/docs-json').expect(200)).body as OpenApi;
    // one install, so that every real answer below has rows to compare with the examples
    await storeCallbacks(t, [installCallback({ created_at: String(Date.parse('2026-11-02T10:00:00Z') / 1000) })]);
    const run = await runEtl(t);
    if (run.status !== 'succeeded') throw new Error(`the load ${run.status}: ${run.error}`);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('declares the three ways to send a key as security schemes', () => {
    expect(spec.components.securitySchemes).toEqual({
      'api-key': { type: 'apiKey', in: 'header', name: 'X-API-Key' },
      'api-key-query': { type: 'apiKey', in: 'query', name: 'api_key' },
      bearer: expect.objectContaining({ type: 'http', scheme: 'bearer' }),
    });
  });

  it.each(KLIPS)('names %s by its handler and describes it with its definition', (klip) => {
    const documented = operation(klip);
    expect(documented).toBeDefined();
    expect(documented.operationId).toBe(OPERATION_IDS[klip]);
    expect(documented.summary).toBe(KLIP_ENTRIES[klip].title);
    expect(documented.description).toContain(KLIP_ENTRIES[klip].definition);
  });

  it.each(KLIPS)('documents every query parameter of %s with an example the route accepts on its own', async (klip) => {
    const parameters = operation(klip).parameters;
    expect(parameters.map((parameter) => [parameter.name, parameter.in]).sort()).toEqual(
      QUERY_PARAMETERS.map((name) => [name, 'query']).sort(),
    );
    for (const parameter of parameters) {
      const example = exampleOf(parameter);
      expect({ name: parameter.name, example: typeof example }).toEqual({ name: parameter.name, example: 'string' });
      await http()
        .get(`/api/v1/metrics/${klip}?${new URLSearchParams({ [parameter.name]: example as string })}`)
        .set('X-API-Key', API_KEY)
        .expect(200);
    }
  });

  it.each(KLIPS)('documents that an empty filter of %s is no filter, and the route answers one so', async (klip) => {
    for (const name of ['app', 'os', 'country', 'channel']) {
      const parameter = operation(klip).parameters.find((candidate) => candidate.name === name)!;
      expect(parameter.description).toContain('Empty or left out: no filter.');
      expect(Object.values(parameter.examples ?? {})[0]?.value).toBe('');
      await http().get(`/api/v1/metrics/${klip}?${name}=`).set('X-API-Key', API_KEY).expect(200);
    }
  });

  it.each(KLIPS)('documents the 200 answer of %s with a schema and an example shaped like a real answer', async (klip) => {
    const ok = operation(klip).responses['200'].content?.['application/json'];
    expect(ok?.schema?.type).toBe('object');
    const example = ok?.schema?.example ?? (ok?.example as Record<string, unknown> | undefined);
    expect(example).toBeDefined();

    const real = (await http().get(`/api/v1/metrics/${klip}?from=2026-11-01&to=2026-11-03`).set('X-API-Key', API_KEY).expect(200)).body;
    const keys = (value: object) => Object.keys(value).sort();
    expect(keys(example!)).toEqual(keys(real));
    expect(keys(example!.summary as object)).toEqual(keys(real.summary));
    expect(keys((example!.data as object[])[0])).toEqual(keys(real.data[0]));
    expect(keys(example!.freshness as object)).toEqual(keys(real.freshness));
    expect(example!.metric).toBe(klip);
  });

  it.each(KLIPS)('documents the 400, 401, 429 and 503 answers of %s with a JSON error example', (klip) => {
    const { responses } = operation(klip);
    for (const status of ['400', '401', '429', '503']) {
      const error = responses[status]?.content?.['application/json'];
      const example = error?.schema?.example ?? error?.example;
      expect({ status, example }).toEqual({
        status,
        example: { statusCode: Number(status), error: expect.any(String), message: expect.any(String) },
      });
    }
  });

  it.each(KLIPS)('lets any one of the declared schemes authorise %s', (klip) => {
    const declared = Object.keys(spec.components.securitySchemes).sort();
    const security = operation(klip).security ?? [];
    // alternatives: one requirement per scheme, no scopes
    expect(security.map((requirement) => Object.keys(requirement)).sort()).toEqual(declared.map((name) => [name]));
    expect(security.every((requirement) => Object.values(requirement).every((scopes) => scopes.length === 0))).toBe(true);
  });

  it('answers "Try it out" after "Authorize" with each scheme, and 401 before', async () => {
    for (const klip of KLIPS) {
      const path = `/api/v1/metrics/${klip}`;
      const query = { from: '2026-11-01', to: '2026-11-07' };
      await http()
        .get(`${path}?${new URLSearchParams(query)}`)
        .expect(401);
      for (const [name, scheme] of Object.entries(spec.components.securitySchemes)) {
        const res = await authorized(scheme, path, query);
        expect({ klip, name, status: res.status }).toEqual({ klip, name, status: 200 });
      }
    }
  });

  // Swagger UI (OpenAPI 3) fills every parameter's example into the "Try it out" form, so Execute sends
  // them all at once unless the user clears some.
  it('answers "Try it out" with every example pre-filled', async () => {
    for (const klip of KLIPS) {
      const filled = operation(klip).parameters.map((parameter) => [parameter.name, prefilledValue(parameter)] as const);
      const query = Object.fromEntries(
        filled.filter(([, value]) => value !== undefined && value !== '').map(([name, value]) => [name, String(value)]),
      );
      const res = await authorized(spec.components.securitySchemes['api-key'], `/api/v1/metrics/${klip}`, query);
      expect({ klip, status: res.status, message: res.body?.message }).toEqual({ klip, status: 200, message: undefined });
    }
  });

  it("documents the klips' index with an example shaped like its real answer", async () => {
    const index = spec.paths['/api/v1/metrics']?.get;
    expect(index?.operationId).toBe('getKlips');
    expect((index?.security ?? []).map((requirement) => Object.keys(requirement)[0]).sort()).toEqual(
      Object.keys(spec.components.securitySchemes).sort(),
    );
    const example = index?.responses['200'].content?.['application/json']?.schema?.example as { klips: Record<string, unknown>[] };
    const real = (await http().get('/api/v1/metrics').set('X-API-Key', API_KEY).expect(200)).body as typeof example;
    expect(example.klips.map((klip) => klip.route)).toEqual(real.klips.map((klip) => klip.route));
    example.klips.forEach((klip, i) => expect(Object.keys(klip).sort()).toEqual(Object.keys(real.klips[i]).sort()));
    expect(example.klips.map(({ klipfolioUrl, ...rest }) => rest)).toEqual(real.klips.map(({ klipfolioUrl, ...rest }) => rest));
  });

  it('documents no metrics route besides the klips and the cache', () => {
    const documented = Object.keys(spec.paths).filter((path) => path.startsWith('/api/v1/metrics/'));
    expect(documented.sort()).toEqual([...KLIPS.map((klip) => `/api/v1/metrics/${klip}`), '/api/v1/metrics/cache'].sort());
  });
});
