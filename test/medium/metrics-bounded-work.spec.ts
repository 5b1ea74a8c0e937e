import { mkdir, writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { MetricQuery } from '../../src/metrics/dto/metric-query.dto.js';
import type { Klip } from '../../src/metrics/klips.js';
import { MetricsService } from '../../src/metrics/metrics.service.js';
import { query } from '../support/etl.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

// No answer may cost the service more than 50 ms of CPU to compute from the rollups, whatever the dates
// and filters (issue 12). The rollups here are the worst the API's date window allows: a change of the
// active-device counts on every day from 2000-01-01 to 2099-12-31 under the filters asked for, and
// installs, registrations and session lengths on every day of a 731-day range in many channels.
const CPU_BUDGET_MS = 50;
const RUNS = 5;
const CHANNELS = 90;
// 731 days, the longest range
const LAST_TWO_YEARS = { from: '2097-12-31', to: '2099-12-31' };

type Case = [name: string, klip: Klip, query: Partial<MetricQuery>];
const CASES: Case[] = [
  ['dau, os=ios, 731 days at 2099', 'dau', { ...LAST_TWO_YEARS, os: 'ios' }],
  ['wau, all four filters, 731 days at 2099', 'wau', { ...LAST_TWO_YEARS, app: 'app-1', os: 'ios', country: 'de', channel: 'channel-1' }],
  ['mau, no filter, the last day of the window', 'mau', { from: '2099-12-31', to: '2099-12-31' }],
  ['mau, os=ios, 731 days at 2000', 'mau', { from: '2000-01-01', to: '2001-12-31', os: 'ios' }],
  ['installs, 731 days, granularity=day', 'installs', { ...LAST_TWO_YEARS, granularity: 'day' }],
  ['registrations, 731 days, granularity=week', 'registrations', { ...LAST_TWO_YEARS, granularity: 'week' }],
  ['session-duration, 731 days, granularity=day', 'session-duration', { ...LAST_TWO_YEARS, granularity: 'day' }],
  [`installs-by-channel, ${CHANNELS} channels, 731 days`, 'installs-by-channel', LAST_TWO_YEARS],
  // 53 ISO weeks × 90 channels = 4,770 rows, and 55 days × 90 channels = 4,950: near the 5,000-row cap
  [
    `installs-by-channel, ${CHANNELS} channels, 365 days, granularity=week`,
    'installs-by-channel',
    { from: '2099-01-01', to: '2099-12-31', granularity: 'week' },
  ],
  [
    `installs-by-channel, ${CHANNELS} channels, 55 days, granularity=day`,
    'installs-by-channel',
    { from: '2099-11-07', to: '2099-12-31', granularity: 'day' },
  ],
];

// The process's CPU time (user + system) while `work` runs.
async function cpuMs(work: () => Promise<unknown>): Promise<number> {
  const start = process.cpuUsage();
  await work();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

// One answer computed anew: the cache is emptied first.
function answerCpuMs(metrics: MetricsService, klip: Klip, request: Partial<MetricQuery>): Promise<number> {
  metrics.clearCache();
  return cpuMs(() => metrics.answer(klip, request as MetricQuery));
}

// The process's CPU time also counts work that is not the answer's, which only adds to it: the garbage
// collector's helper threads clearing what earlier test files in this Jest worker left (CI once measured
// 310 ms, three runs in a row, for an answer that costs 5 ms). The least of a few runs is the answer's own
// cost; an answer that really costs more costs it in every run.
async function leastCpuMs(runs: number, measure: () => Promise<number>): Promise<{ least: number; all: number[] }> {
  const all: number[] = [];
  for (let run = 0; run < runs; run++) all.push(await measure());
  return { least: Math.min(...all), all };
}

describe('the CPU an answer costs', () => {
  let t: TestApp;
  let metrics: MetricsService;
  const measured: string[] = [];

  beforeAll(async () => {
    t = await startTestApp();
    metrics = t.app.get(MetricsService);
    const century = `generate_series(DATE '2000-01-01', DATE '2099-12-31', INTERVAL '1 day')`;
    // +2 on even days, -1 on odd ones: the running sums grow, so a wrong start shows in every number
    const change = `CASE WHEN EXTRACT(DAY FROM d) % 2 = 0 THEN 2 ELSE -1 END`;
    await query(
      t.databases.warehouseUrl,
      `INSERT INTO stg.active_change (day, scope, app, os, country, channel, dau, wau, mau)
       SELECT d, scope, app, os, country, channel, ${change}, ${change}, ${change}
       FROM ${century} AS d
       CROSS JOIN (VALUES ('all', '', '', '', ''), ('os', '', 'ios', '', ''), ('app+os+country+channel', 'app-1', 'ios', 'de', 'channel-1'))
         AS scopes (scope, app, os, country, channel)`,
    );
    const range = `generate_series(DATE '${LAST_TWO_YEARS.from}', DATE '${LAST_TWO_YEARS.to}', INTERVAL '1 day')`;
    await query(
      t.databases.warehouseUrl,
      `INSERT INTO stg.daily_installs (day, app, os, country, channel, installs)
       SELECT d, 'app-1', 'ios', 'de', 'channel-' || c, c FROM ${range} AS d CROSS JOIN generate_series(1, ${CHANNELS}) AS c`,
    );
    await query(
      t.databases.warehouseUrl,
      `INSERT INTO stg.daily_counts (created_day, day, app, os, country, channel, registrations, session_seconds, sessions)
       SELECT d, d, 'app-1', 'ios', 'de', 'channel-' || c, 1, 60 * c, c FROM ${range} AS d CROSS JOIN generate_series(1, 10) AS c`,
    );
  });

  afterAll(async () => {
    await mkdir('test-output', { recursive: true });
    await writeFile('test-output/metrics-cpu.txt', `${measured.join('\n')}\n`);
    await t.close();
  });

  it.each(CASES)(`computes %s in under ${CPU_BUDGET_MS} ms of CPU`, async (name, klip, request) => {
    // warm-up: compiled code paths, pooled connections
    for (let run = 0; run < 2; run++) await answerCpuMs(metrics, klip, request);
    const { least, all } = await leastCpuMs(RUNS, () => answerCpuMs(metrics, klip, request));
    measured.push(`${name}: least ${least.toFixed(1)} ms (runs ${all.map((ms) => ms.toFixed(1)).join(', ')})`);
    expect(least).toBeLessThan(CPU_BUDGET_MS);
  });

  it(`refuses installs-by-channel by day over 731 days in ${CHANNELS} channels, naming the size, before reading the cells`, async () => {
    const request = { ...LAST_TWO_YEARS, granularity: 'day' } as MetricQuery;
    const refused = metrics.answer('installs-by-channel', request);
    await expect(refused).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
    await expect(refused).rejects.toThrow(
      'installs-by-channel with granularity=day would have 731 buckets × 90 channels = 65790 rows, at most 5000: ask for a shorter range, a coarser granularity, a channel filter, or no granularity',
    );
    const { least } = await leastCpuMs(RUNS, () => cpuMs(() => metrics.answer('installs-by-channel', request).catch(() => undefined)));
    expect(least).toBeLessThan(CPU_BUDGET_MS);
  });
});
