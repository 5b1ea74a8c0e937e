import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { LiveEventsController } from '../../src/live/live-events.controller.js';
import { MAX_STREAMS_PER_KEY } from '../../src/live/live-events.service.js';
import { installCallback, sessionCallback } from '../support/adjust-callbacks.js';
import { HOLD_REBUILD, holdLocks, REBUILD_HELD_AT, runEtl, storeCallbacks, waitForLeaseFree, waitForLockWait } from '../support/etl.js';
import { EventStream } from '../support/event-stream.js';
import { baseUrlOf } from '../support/raw-http.js';
import { ADMIN_KEY, API_KEY, startTestApp, type TestApp } from '../support/test-app.js';

const EVENTS = '/api/v1/events';
// a key of its own for the test of the per-key limit
const WALL_KEY = 'test-wall-screens-key-0123456789';

type Version = { version: number | null; dataThrough: string | null; lastLoadAt: string | null };

describe(LiveEventsController.name, () => {
  let t: TestApp;
  let base: string;
  const streams: EventStream[] = [];

  // A stream of the running app, closed after the test.
  async function open(path = `${EVENTS}?api_key=${API_KEY}`, headers = {}): Promise<EventStream> {
    const stream = await EventStream.open(base, path, headers);
    streams.push(stream);
    return stream;
  }

  async function nextVersion(stream: EventStream): Promise<Version> {
    const event = await stream.next();
    expect(event.type).toBe('data');
    const version = JSON.parse(event.data) as Version;
    expect(event.id).toBe(String(version.version ?? ''));
    return version;
  }

  beforeAll(async () => {
    t = await startTestApp({ API_KEYS: `${API_KEY},${WALL_KEY}` });
    await t.app.listen(0, '127.0.0.1');
    base = baseUrlOf(t.app.getHttpServer());
  });

  afterAll(async () => {
    for (const stream of streams) stream.close();
    await t?.close();
  });

  it('refuses a stream without a key or with an unknown one (401, JSON)', async () => {
    for (const path of [EVENTS, `${EVENTS}?api_key=not-a-key-0123456789`]) {
      const stream = await open(path);
      expect(stream.status).toBe(401);
      await expect(stream.body()).resolves.toMatchObject({ statusCode: 401, error: 'Unauthorized' });
    }
  });

  it('starts with the current version, then sends one after a load that changed the data and none after one that did not', async () => {
    const stream = await open();
    expect(stream.status).toBe(200);
    expect(stream.headers['content-type']).toMatch(/^text\/event-stream/);
    expect(stream.headers['cache-control']).toMatch(/no-cache/);
    // nothing loaded yet
    await expect(nextVersion(stream)).resolves.toEqual({ version: null, dataThrough: null, lastLoadAt: null });

    await storeCallbacks(t, [installCallback(), sessionCallback()]);
    const first = await runEtl(t);
    expect(first.status).toBe('succeeded');
    const changed = await nextVersion(stream);
    expect(changed.version).toBe(first.id);
    // the event comes once the answers of the new data are in the cache: a client that asks now gets them
    const installs = await request(t.app.getHttpServer()).get('/api/v1/metrics/installs').set('X-API-Key', API_KEY).expect(200);
    expect(installs.headers.etag).toMatch(new RegExp(`^W/"${first.id}-`));
    expect(changed).toEqual({
      version: first.id,
      dataThrough: installs.body.freshness.dataThrough,
      lastLoadAt: installs.body.freshness.lastLoadAt,
    });

    // a load with nothing new (it re-reads the last rows, which changes nothing), then one with a new install:
    // the next event is the latter's
    const unchanged = await runEtl(t);
    expect(unchanged.status).toBe('succeeded');
    await storeCallbacks(t, [installCallback()]);
    const third = await runEtl(t);
    await expect(nextVersion(stream)).resolves.toMatchObject({ version: third.id });
    expect(stream.unread).toEqual([]);
  });

  it('tells a client that connects (or reconnects after a missed event) the current version at once', async () => {
    const { version } = await nextVersion(await open(EVENTS, { 'X-API-Key': ADMIN_KEY }));
    const latest = await request(t.app.getHttpServer()).get('/api/v1/etl/runs?limit=1').set('X-API-Key', ADMIN_KEY).expect(200);
    expect(version).toBe(latest.body[0].id);
  });

  it("sends a rebuild's progress while it works (as its record shows it), and null once it has ended", async () => {
    await storeCallbacks(t, [installCallback(), sessionCallback()]);
    expect((await runEtl(t)).status).toBe('succeeded');
    await waitForLeaseFree(t.databases.sourceUrl);
    const stream = await open();
    await nextVersion(stream);
    // the rebuild stops at its active-window changes
    const held = await holdLocks(t.databases.warehouseUrl, [HOLD_REBUILD]);
    const admin = (path: string) => request(t.app.getHttpServer()).get(path).set('X-API-Key', ADMIN_KEY);
    const started = await request(t.app.getHttpServer())
      .post('/api/v1/etl/runs')
      .set('X-API-Key', ADMIN_KEY)
      .send({ mode: 'rebuild' })
      .expect(202);
    try {
      await waitForLockWait(t.databases.warehouseUrl, REBUILD_HELD_AT.statement);
      let event = await stream.next();
      while (event.type !== 'progress' || JSON.parse(event.data)?.detail !== REBUILD_HELD_AT.detail) event = await stream.next();
      const shown = JSON.parse(event.data);
      expect(shown).toEqual({
        runId: started.body.id,
        mode: 'rebuild',
        phase: 'rollups',
        detail: REBUILD_HELD_AT.detail,
        percent: expect.any(Number),
        secondsLeft: shown.secondsLeft,
      });
      // past the preparation, the extract, the load and the merge (46 % of a repair), and about 60 % of
      // the rollups' weight: the full build's active-window changes
      expect(shown.percent).toBeGreaterThanOrEqual(72);
      expect(shown.percent).toBeLessThan(80);
      const record = (await admin(`/api/v1/etl/runs/${started.body.id}`).expect(200)).body;
      expect(record).toMatchObject({
        status: 'running',
        progress: { phase: 'rollups', detail: REBUILD_HELD_AT.detail, percent: shown.percent },
      });
    } finally {
      await held.release();
    }
    let event = await stream.next();
    while (event.type !== 'progress') event = await stream.next();
    expect(event.data).toBe('null');
    const run = (await admin(`/api/v1/etl/runs/${started.body.id}`).expect(200)).body;
    expect(run).toMatchObject({ status: 'succeeded', progress: { phase: 'swap', detail: null, percent: 100, secondsLeft: 0 } });
  });

  it(`refuses more than ${MAX_STREAMS_PER_KEY} streams per key (429), and frees a slot when one closes`, async () => {
    const wall = () => open(EVENTS, { Authorization: `Bearer ${WALL_KEY}` });
    const screens = await Promise.all(Array.from({ length: MAX_STREAMS_PER_KEY }, wall));
    // each one admitted: it has its first event
    await Promise.all(screens.map((stream) => stream.next()));
    const refused = await wall();
    expect(refused.status).toBe(429);
    await expect(refused.body()).resolves.toMatchObject({ message: expect.stringMatching(/^At most 20 event streams per API key/) });
    // another key is counted on its own
    expect((await open()).status).toBe(200);

    screens[0].close();
    const deadline = Date.now() + 5_000;
    let again = await wall();
    while (again.status === 429 && Date.now() < deadline) again = await wall();
    expect(again.status).toBe(200);
  });

  it('documents the route in Swagger as text/event-stream', async () => {
    const { body } = await request(t.app.getHttpServer()).get('/docs-json').expect(200);
    const operation = body.paths['/api/v1/events'].get;
    expect(operation.operationId).toBe('getEvents');
    expect(Object.keys(operation.responses['200'].content)).toEqual(['text/event-stream']);
    expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(['200', '401', '429', '503']));
  });
});

describe('Event streams at shutdown', () => {
  it('ends every open stream when the app closes, and the close does not wait for them', async () => {
    const t = await startTestApp();
    await t.app.listen(0, '127.0.0.1');
    const stream = await EventStream.open(baseUrlOf(t.app.getHttpServer()), `${EVENTS}?api_key=${API_KEY}`);
    await stream.next();
    const started = Date.now();
    await t.close();
    await stream.ended;
    // Fastify would otherwise wait for the stream forever (the test's timeout)
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
