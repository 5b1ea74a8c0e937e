import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { datesBetween } from '../../src/common/zoned-time.js';
import { CallbackSender, type SendReport } from '../../src/demo/callback-sender.js';
import { type DemoCallback, generateCallbacks } from '../../src/demo/demo-traffic.js';
import type { EtlRunView } from '../../src/etl/etl-run.js';
import { KLIPS } from '../../src/metrics/klips.js';
import {
  type Activity,
  activeByDay,
  activeInWindow,
  activitiesOf,
  counted,
  installsByChannel,
  ofKind,
  registrationsOf,
  sessionLengthsByDay,
} from '../support/demo-callbacks.js';
import { runEtl } from '../support/etl.js';
import { getMetric } from '../support/metrics-api.js';
import { baseUrlOf } from '../support/raw-http.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

// A seeded back-fill of the demo traffic through a real service: its collector over HTTP (with the
// callback token), one load, then every klip compared with the numbers worked out from what was sent.

const NOW_MS = Date.parse('2026-11-20T12:00:00Z');
const RANGE = { from: '2026-10-31', to: '2026-11-20' }; // the 21 days of the back-fill
const TOKEN = 'demo-callback-token';

describe('demo traffic through the collector and the ETL', () => {
  let t: TestApp;
  let callbacks: DemoCallback[];
  let all: Activity[];
  let production: Activity[];
  let report: SendReport;
  let run: EtlRunView;

  beforeAll(async () => {
    t = await startTestApp({ CALLBACK_TOKEN: TOKEN, LOG_LEVEL: 'fatal' });
    await t.app.listen(0, '127.0.0.1');
    callbacks = generateCallbacks({ seed: 7, dau: 60, days: 21, nowMs: NOW_MS });
    all = activitiesOf(callbacks);
    production = counted(all);
    const sender = new CallbackSender(baseUrlOf(t.app.getHttpServer()), TOKEN);
    try {
      report = await sender.send(callbacks);
    } finally {
      sender.close();
    }
    run = await runEtl(t);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('stores every activity once, answers every repeat as a duplicate, and loads them all', () => {
    const repeats = callbacks.filter((c) => c.repeatOf !== null).length;
    expect(repeats).toBeGreaterThan(0);
    expect(report).toEqual({ sent: callbacks.length, stored: callbacks.length - repeats, duplicates: repeats, refused: 0 });
    expect(run).toMatchObject({ status: 'succeeded', rowsLoaded: report.stored });
  });

  it('gives every klip numbers', async () => {
    for (const klip of KLIPS) {
      const { summary, data } = await getMetric(t, klip, RANGE);
      // retention's number is its cohorts' installs
      const number = summary.total ?? summary.average ?? summary.installs;
      expect([klip, number]).toEqual([klip, expect.any(Number)]);
      expect([klip, number]).not.toEqual([klip, 0]);
      expect([klip, data.filter((row) => (row.value ?? row.installs ?? 0) > 0).length]).not.toEqual([klip, 0]);
    }
  });

  it('counts installs and registrations per day, without sandbox, repeats or fraud rejections', async () => {
    const perDay = (activities: Activity[]) =>
      datesBetween(RANGE.from, RANGE.to).map((day) => activities.filter((a) => a.day === day).length);

    const installs = await getMetric(t, 'installs', RANGE);
    expect(installs.data.map((row) => row.value)).toEqual(perDay(ofKind(production, 'install')));
    expect(installs.summary.total).toBeLessThan(ofKind(all, 'install').length); // sandbox installs and repeats were sent too
    const registered = await getMetric(t, 'registrations', RANGE);
    expect(registered.data.map((row) => row.value)).toEqual(perDay(registrationsOf(production)));
    expect(registered.summary.total).toBeLessThan(registrationsOf(all).length); // event-callback copies and test phones
  });

  it('counts the devices active each day and in the 7- and 30-day windows, never those of rejected activities', async () => {
    const active = activeByDay(production);
    const days = datesBetween(RANGE.from, RANGE.to);
    const windowed = (width: number) => days.map((day) => activeInWindow(active, day, width));
    expect((await getMetric(t, 'dau', RANGE)).data.map((row) => row.value)).toEqual(windowed(1));
    expect((await getMetric(t, 'wau', RANGE)).data.map((row) => row.value)).toEqual(windowed(7));
    expect((await getMetric(t, 'mau', RANGE)).data.map((row) => row.value)).toEqual(windowed(30));
    const rejected = all.filter((a) => a.params.get('activity_kind')!.startsWith('rejected_')).map((a) => a.params.get('adid'));
    const everActive = new Set([...active.values()].flatMap((devices) => [...devices]));
    expect(rejected.filter((adid) => !everActive.has(adid!)).length).toBeGreaterThan(0);
    expect((await getMetric(t, 'dau', RANGE)).summary.distinct).toBe(everActive.size);
  });

  it('averages session lengths on the day of the session they measure', async () => {
    const lengths = sessionLengthsByDay(production);
    const { data } = await getMetric(t, 'session-duration', RANGE);
    const expected = data.map(({ date }) => {
      const ofDay = lengths.get(date!);
      return ofDay ? ofDay.reduce((sum, length) => sum + length, 0) / ofDay.length : null;
    });
    // the answer rounds to 2 decimals
    const matches = data.map(({ value }, i) =>
      value == null || expected[i] === null ? (value ?? null) === expected[i] : Math.abs(value - expected[i]!) <= 0.005,
    );
    expect(matches).toEqual(data.map(() => true));
    expect(expected.filter((mean) => mean !== null).length).toBeGreaterThan(15);
  });

  it('counts installs under the channel of their latest install_update', async () => {
    const dynamic = installsByChannel(production);
    const { data } = await getMetric(t, 'installs-by-channel', RANGE);
    expect(new Map(data.map((row) => [row.channel, row.value]))).toEqual(dynamic);
    // the updates did move installs: without them the channels would count otherwise
    expect(installsByChannel(production.filter((a) => a.params.get('activity_kind') !== 'install_update'))).not.toEqual(dynamic);
  });
});
