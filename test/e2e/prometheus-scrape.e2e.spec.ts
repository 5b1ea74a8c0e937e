import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { callbackUrl, installCallback } from '../support/adjust-callbacks.js';
import { runEtl } from '../support/etl.js';
import { PrometheusServer } from '../support/prometheus.js';
import { baseUrlOf } from '../support/raw-http.js';
import { waitUntil } from '../support/service-process.js';
import { ADMIN_KEY, startTestApp, type TestApp } from '../support/test-app.js';

const RULES = path.resolve('ops/prometheus/alerts.yml');

type RuleGroup = { name: string; rules: { name: string; type: string; health: string; lastError?: string }[] };

// A real Prometheus (Debian's package) scrapes the running service with the admin key as bearer token,
// loads the alert rules, and answers queries for the series that traffic, a load and a klip answer made.
describe('the service scraped by a real Prometheus', () => {
  let t: TestApp;
  let prometheus: PrometheusServer | undefined;
  let baseUrl: string;
  const value = async (expression: string) => (await prometheus!.query(expression)).map((sample) => sample.value);

  beforeAll(async () => {
    t = await startTestApp({ LOG_LEVEL: 'fatal' });
    await t.app.listen(0, '127.0.0.1');
    baseUrl = baseUrlOf(t.app.getHttpServer());
    prometheus = await PrometheusServer.start({
      target: new URL(baseUrl).host,
      credentials: ADMIN_KEY,
      intervalSeconds: 1,
      ruleFiles: [RULES],
    });
  });
  afterAll(async () => {
    await prometheus?.stop();
    await t?.close();
  });

  it('scrapes /metrics with the bearer key and finds the series of a callback, a load and a klip answer', async () => {
    expect((await fetch(`${baseUrl}${callbackUrl(installCallback())}`)).status).toBe(200);
    expect(await runEtl(t)).toMatchObject({ status: 'succeeded', rowsLoaded: 1 });
    const answer = await fetch(`${baseUrl}/api/v1/metrics/installs?from=2026-11-20&to=2026-11-20`, { headers: { 'X-API-Key': ADMIN_KEY } });
    expect(answer.status).toBe(200);

    // a scrape after all three
    await waitUntil(
      async () => (await value('kpi_klip_requests_total{klip="installs",code="200"}'))[0] === 1,
      20_000,
      `Prometheus has scraped the klip answer:\n${prometheus!.output}`,
    );

    expect(await value('up{job="kpi"}')).toEqual([1]);
    expect(await value('kpi_collector_callbacks_total{outcome="stored"}')).toEqual([1]);
    expect(await value('kpi_etl_runs_total{status="succeeded",trigger="api",mode="arrival"}')).toEqual([1]);
    expect(await value('kpi_etl_rows_loaded_total{mode="arrival"}')).toEqual([1]);
    expect(await value('kpi_etl_step_duration_seconds_count{step="merge"}')).toEqual([1]);
    expect(await value('kpi_collector_batch_callbacks_count')).toEqual([1]);
    expect(await value('kpi_collector_queued_callbacks')).toEqual([0]);
    expect(await value('kpi_klip_request_duration_seconds_count{klip="installs"}')).toEqual([1]);
    expect(await value('kpi_answer_cache_lookups_total{result="miss"}')).toEqual([1]);
    expect(await value('kpi_dependency_up')).toEqual([1, 1]);
    expect(await value('kpi_etl_failed_runs_in_a_row')).toEqual([0]);
    const [lag] = await value('kpi_etl_freshness_lag_seconds');
    expect(lag).toBeGreaterThanOrEqual(0);
    expect(lag).toBeLessThan(60);
    // loads are not scheduled here (ETL_SCHEDULE=off): no interval, so no staleness to compute
    expect(await value('kpi_etl_schedule_interval_seconds')).toEqual([]);
    expect((await value('process_cpu_seconds_total{job="kpi"}'))[0]).toBeGreaterThan(0);
  });

  it('loads the alert rules and evaluates each on the scraped series without an error', async () => {
    await waitUntil(
      async () => {
        const { groups } = await prometheus!.api<{ groups: RuleGroup[] }>('rules');
        return groups[0]?.rules.every((rule) => rule.health === 'ok') === true;
      },
      20_000,
      'every rule has been evaluated',
    );
    const { groups } = await prometheus!.api<{ groups: RuleGroup[] }>('rules');
    expect(groups.map((group) => group.name)).toEqual(['kpi-service']);
    expect(groups[0].rules.map((rule) => [rule.name, rule.type, rule.health])).toEqual(
      [
        'KpiDataStale',
        'KpiLoadsFailing',
        'KpiCollectorRefusingCallbacks',
        'KpiRejectedCallbacksJump',
        'KpiDependencyDown',
        'KpiAnswerCacheNotWarming',
      ].map((name) => [name, 'alerting', 'ok']),
    );
    // a healthy service: nothing fires
    expect(await prometheus!.api<{ alerts: unknown[] }>('alerts')).toEqual({ alerts: [] });
  });
});
