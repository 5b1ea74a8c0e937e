import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { KlipfolioClient, type KlipfolioError } from '../../src/live/klipfolio/klipfolio.client.js';
import { KlipfolioPush } from '../../src/live/klipfolio/klipfolio-push.js';
import { installCallback } from '../support/adjust-callbacks.js';
import { runEtl, storeCallbacks } from '../support/etl.js';
import { type KlipfolioMode, KlipfolioServer, type RefreshCall } from '../support/klipfolio-server.js';
import { waitUntil } from '../support/service-process.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const KLIPFOLIO_KEY = 'kf-test-key-0123456789abcdef';
const DATASOURCES = ['1a12bc34de56abc12de3ab4c45de12a3', '2a12bc34de12abc12de3ab3c45de32a1'];
const INTERVAL_S = 2;
const ARRIVAL_SLACK_MS = 500;

// The push against a local server that speaks Klipfolio's refresh API, from the real app after real loads.
describe(KlipfolioPush.name, () => {
  let t: TestApp;
  const klipfolio = new KlipfolioServer();

  // A load that brings a new install (so it changes the data); it must succeed whatever Klipfolio does.
  async function changingLoad(): Promise<{ id: number; endedAt: number }> {
    await storeCallbacks(t, [installCallback()]);
    const run = await runEtl(t);
    expect(run.status).toBe('succeeded');
    return { id: run.id, endedAt: Date.now() };
  }

  async function nthCall(n: number, timeoutMs = 10_000): Promise<RefreshCall> {
    await waitUntil(() => klipfolio.calls.length >= n, timeoutMs, `Klipfolio received ${n} refresh request(s)`);
    return klipfolio.calls[n - 1];
  }

  // The quiet interval after the last request has passed (and `margin` ms more), so that a push would go out at once.
  const intervalOver = (margin = 0) => {
    const end = klipfolio.calls.at(-1)!.at + INTERVAL_S * 1000 + margin;
    return waitUntil(() => Date.now() > end, 2 * INTERVAL_S * 1000 + margin, 'the quiet interval ended');
  };

  beforeAll(async () => {
    const apiUrl = await klipfolio.start();
    t = await startTestApp({
      KLIPFOLIO_API_KEY: KLIPFOLIO_KEY,
      KLIPFOLIO_DATASOURCES: DATASOURCES.join(','),
      KLIPFOLIO_API_URL: apiUrl,
      KLIPFOLIO_MIN_INTERVAL: String(INTERVAL_S),
      LOG_LEVEL: 'fatal',
    });
  });

  afterAll(async () => {
    await t?.close();
    await klipfolio.stop();
  });

  it('queues a refresh of the configured data sources after a load that changed the data, with the key in kf-api-key', async () => {
    await changingLoad();
    const call = await nthCall(1);
    expect(call).toMatchObject({
      path: 'POST /api/1.0/datasources/@/refresh',
      apiKey: KLIPFOLIO_KEY,
      contentType: 'application/json',
      body: { datasources: DATASOURCES },
    });
  });

  it('sends at most one request per KLIPFOLIO_MIN_INTERVAL; changes meanwhile are pushed when it ends', async () => {
    await intervalOver();
    await changingLoad();
    const first = await nthCall(2);
    // two more changes inside the quiet interval
    await changingLoad();
    await changingLoad();
    const second = await nthCall(3);
    // the interval runs from when the first request was sent, a moment before it arrived (the server shares
    // the app's event loop, so on a busy machine that moment can be long)
    expect(second.at - first.at).toBeGreaterThanOrEqual(INTERVAL_S * 1000 - ARRIVAL_SLACK_MS);
    // not one request per load
    expect(klipfolio.calls).toHaveLength(3);
  });

  it('never fails a load when Klipfolio answers 429 or 500, and tries again at the next load, not before', async () => {
    await intervalOver();
    klipfolio.mode = 'rate-limited';
    const before = klipfolio.calls.length;
    await changingLoad();
    await nthCall(before + 1);
    // no retry of its own (a timer would send it as the interval ends): the refresh stays owed until a
    // load, even one that changes nothing
    for (const [mode, n] of [
      ['broken', 2],
      ['ok', 3],
    ] as const) {
      klipfolio.mode = mode;
      await intervalOver(1000);
      const nextLoadAt = Date.now();
      expect((await runEtl(t)).status).toBe('succeeded');
      const retry = await nthCall(before + n);
      expect(retry.at).toBeGreaterThanOrEqual(nextLoadAt);
      expect(retry.body).toEqual({ datasources: DATASOURCES });
    }
  });
});

describe(`${KlipfolioPush.name} while Klipfolio hangs`, () => {
  it('never delays a load, nor the shutdown', async () => {
    const klipfolio = new KlipfolioServer();
    // a quiet interval (and so a request timeout) of 10 s: far longer than a load
    const t = await startTestApp({
      KLIPFOLIO_API_KEY: KLIPFOLIO_KEY,
      KLIPFOLIO_DATASOURCES: DATASOURCES.join(','),
      KLIPFOLIO_API_URL: await klipfolio.start(),
      KLIPFOLIO_MIN_INTERVAL: '10',
      LOG_LEVEL: 'fatal',
    });
    try {
      klipfolio.mode = 'hang';
      await storeCallbacks(t, [installCallback()]);
      expect((await runEtl(t)).status).toBe('succeeded');
      await waitUntil(() => klipfolio.calls.length === 1, 10_000, 'the refresh request reached Klipfolio');
      // a load while the request hangs finishes all the same, and so does the shutdown
      await storeCallbacks(t, [installCallback()]);
      expect((await runEtl(t)).status).toBe('succeeded');
      expect(klipfolio.calls[0].closedAt).toBeUndefined();
      const closing = Date.now();
      await t.close();
      // the request would otherwise hold it for its 10-s timeout
      expect(Date.now() - closing).toBeLessThan(8_000);
      await waitUntil(() => klipfolio.calls[0].closedAt !== undefined, 5_000, 'the shutdown dropped the request');
    } finally {
      await klipfolio.stop();
    }
  });
});

describe(KlipfolioClient.name, () => {
  const klipfolio = new KlipfolioServer();
  let client: KlipfolioClient;
  const stop = new AbortController();

  beforeAll(async () => {
    const apiUrl = await klipfolio.start();
    client = new KlipfolioClient({ apiKey: KLIPFOLIO_KEY, datasources: DATASOURCES, apiUrl, minIntervalSeconds: 1 });
  });

  afterAll(() => klipfolio.stop());

  // What a refresh fails with when Klipfolio answers in `mode`.
  async function failure(mode: KlipfolioMode): Promise<KlipfolioError> {
    klipfolio.mode = mode;
    const error = await client.refresh(stop.signal).then(
      () => null,
      (thrown: KlipfolioError) => thrown,
    );
    if (!error) throw new Error(`the refresh succeeded with Klipfolio ${mode}`);
    // the message goes to the log: never the key
    expect(error.message).not.toContain(KLIPFOLIO_KEY);
    return error;
  }

  it("reports the ids Klipfolio could not queue, Klipfolio's status and Retry-After, and gives up after the interval", async () => {
    klipfolio.unknownIds = new Set([DATASOURCES[1]]);
    await expect(client.refresh(stop.signal)).resolves.toEqual({ failed: [DATASOURCES[1]] });
    await expect(failure('rate-limited')).resolves.toMatchObject({
      message: 'Klipfolio answered 429 Too Many Requests',
      retryAfterSeconds: 1,
    });
    await expect(failure('broken')).resolves.toMatchObject({
      message: 'Klipfolio answered 500 Internal Server Error',
      retryAfterSeconds: null,
    });
    const started = Date.now();
    await expect(failure('hang')).resolves.toMatchObject({ message: 'Klipfolio did not answer within 1 s' });
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('names the network error when Klipfolio cannot be reached', async () => {
    // a port that was free a moment ago: nothing listens there
    const closed = new KlipfolioServer();
    const apiUrl = await closed.start();
    await closed.stop();
    const unreachable = new KlipfolioClient({ apiKey: KLIPFOLIO_KEY, datasources: DATASOURCES, apiUrl, minIntervalSeconds: 1 });
    await expect(unreachable.refresh(stop.signal)).rejects.toThrow('could not reach Klipfolio (ECONNREFUSED)');
  });
});
