import http from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { loadConfig } from '../../src/config/app-config.js';
import { createDemoWorld } from '../../src/demo/demo-traffic.js';
import type { DemoRepository } from '../../src/demo/demo.repository.js';
import { DemoService } from '../../src/demo/demo.service.js';
import type { EtlService } from '../../src/etl/etl.service.js';
import { waitUntil } from '../support/service-process.js';

// The demo inside the service, around a stand-in collector and a stand-in ETL: what it does when its
// one load of the history cannot be done, and when it is started twice.

const START_MS = Date.parse('2026-11-20T12:00:00Z');
const HOUR_MS = 3_600_000;
const SETTINGS = { seed: 5, days: 1, dau: 20, trickleMs: 20 };

// The paths of every callback the demo started at START_MS has sent by `nowMs`, sorted (32 connections
// send them in no fixed order).
const sentBy = (nowMs: number) =>
  createDemoWorld({ ...SETTINGS, nowMs: START_MS })
    .until(nowMs)
    .map((c) => c.path)
    .sort();

describe(DemoService.name, () => {
  let dataDir: string;
  let server: http.Server;
  let collectorUrl: string;
  let received: string[];
  let service: DemoService | undefined;
  let now: number;
  let warnings: string[];

  // A demo on an empty source whose load of the history ends with `load`.
  function demo(load: EtlService['runToEnd']): DemoService {
    const config = loadConfig({ DATA_DIR: dataDir }, dataDir);
    const repository = { anyActivity: async () => false } as unknown as DemoRepository;
    service = new DemoService(config, repository, { runToEnd: load } as unknown as EtlService);
    return service;
  }
  const start = (demoService: DemoService) => demoService.start(collectorUrl, { ...SETTINGS, clock: () => now });

  beforeEach(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'kpi-demo-service-'));
    received = [];
    server = http.createServer((req, res) => {
      received.push(req.url!);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"stored"}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    collectorUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    now = START_MS;
    warnings = [];
    jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'warn').mockImplementation((message) => void warnings.push(String(message)));
  });
  afterEach(async () => {
    await service?.beforeApplicationShutdown();
    service = undefined;
    jest.restoreAllMocks();
    await new Promise((resolve) => server.close(resolve));
    await rm(dataDir, { recursive: true, force: true });
  });

  it.each([
    {
      outcome: 'the ETL throws',
      load: () => Promise.reject(new Error('the warehouse did not answer')),
      why: 'the warehouse did not answer',
    },
    { outcome: 'the run fails', load: async () => ({ id: 7, status: 'failed' }), why: 'ETL run 7 failed' },
  ])('says so and starts the live callbacks all the same when $outcome', async ({ load, why }) => {
    await start(demo(load as unknown as EtlService['runToEnd']));
    expect(received.sort()).toEqual(sentBy(START_MS));
    expect(warnings).toEqual([`ETL load of the demo history not done (${why}); the schedule will load it`]);

    now = START_MS + 6 * HOUR_MS;
    const expected = sentBy(now);
    expect(expected.length).toBeGreaterThan(received.length);
    await waitUntil(() => received.length === expected.length, 10_000, 'the live callbacks of six hours are sent');
    expect(received.sort()).toEqual(expected);
  });

  it('runs once when started twice', async () => {
    const loads = jest.fn(async () => ({ id: 1, status: 'succeeded', rowsLoaded: 0 }));
    const demoService = demo(loads as unknown as EtlService['runToEnd']);
    const first = start(demoService);
    expect(start(demoService)).toBe(first);
    await first;
    expect(received.sort()).toEqual(sentBy(START_MS));
    expect(loads).toHaveBeenCalledTimes(1);
  });
});
