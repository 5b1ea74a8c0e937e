import { expect } from '@jest/globals';
import request from 'supertest';
import { datesBetween } from '../../src/common/zoned-time.js';
import type { EtlRunView } from '../../src/etl/etl-run.js';
import { query, runEtl, storeCallbacks } from './etl.js';
import { API_KEY, type TestApp } from './test-app.js';

export type MetricRow = { date?: string; channel?: string; value?: number | null; installs?: number };
export type MetricBody = {
  metric: string;
  from: string;
  to: string;
  granularity: string | null;
  timezone: string;
  filters: Record<string, string>;
  summary: { total?: number; average?: number | null; distinct?: number; installs?: number };
  data: MetricRow[];
};

// Stores callbacks as the collector does and loads them in one arrival run that must succeed. The run
// must read exactly the rows the source stored (a duplicate is not stored), and nothing the runs before
// it read: a later run is really incremental.
export async function loadCallbacks(t: TestApp, callbacks: URLSearchParams[]): Promise<EtlRunView> {
  const before = await sourceRows(t);
  await storeCallbacks(t, callbacks);
  const stored = (await sourceRows(t)) - before;
  const run = await runEtl(t);
  expect(run).toMatchObject({ status: 'succeeded', rowsExtracted: stored });
  return run;
}

async function sourceRows(t: TestApp): Promise<number> {
  const [{ count }] = await query<{ count: number }>(t.databases.sourceUrl, 'SELECT count(*)::int AS count FROM mob.adjust');
  return count;
}

export type MetricParams = Record<string, string | undefined>;

// One klip's JSON answer through HTTP with a reader key; anything but a 200 fails the test with the body.
export async function getMetric(t: TestApp, klip: string, params: MetricParams): Promise<MetricBody> {
  const search = new URLSearchParams(Object.entries(params).filter((entry): entry is [string, string] => entry[1] !== undefined));
  const res = await request(t.app.getHttpServer()).get(`/api/v1/metrics/${klip}?${search}`).set('X-API-Key', API_KEY);
  if (res.status !== 200) throw new Error(`GET ${klip}?${search} answered ${res.status}: ${res.text}`);
  return res.body as MetricBody;
}

// The ETag of one answer: it changes with the data version, so a comparison of answers from before and
// after a run can tell that the answers after it were computed anew rather than served from the cache.
export async function etagOf(t: TestApp): Promise<string> {
  const res = await request(t.app.getHttpServer()).get('/api/v1/metrics/installs?from=2026-11-01&to=2026-11-30').set('X-API-Key', API_KEY);
  return res.headers.etag as string;
}

// The `value`s of an answer's rows, in order.
export async function valuesOf(t: TestApp, klip: string, params: MetricParams): Promise<(number | null)[]> {
  return (await getMetric(t, klip, params)).data.map((row) => row.value ?? null);
}

// Unix seconds of an ISO instant, as Adjust sends created_at and last_session_time.
export function epoch(iso: string): string {
  return String(Date.parse(iso) / 1000);
}

// Noon UTC of a day: the same calendar day in every zone from UTC-11 to UTC+11.
export function noon(day: string): string {
  return epoch(`${day}T12:00:00Z`);
}

// Expected daily values written by hand as spans [first, last, value] (inclusive); 0 on every other day.
export function spans(from: string, to: string, given: [string, string, number][]): number[] {
  return datesBetween(from, to).map((day) => given.find(([first, last]) => day >= first && day <= last)?.[2] ?? 0);
}
