import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SqlCatalog } from '../../src/database/sql-catalog.js';
import { LoadSignal } from '../../src/live/load-signal.js';
import { installCallback } from '../support/adjust-callbacks.js';
import { query, runEtl, storeCallbacks } from '../support/etl.js';
import { EventStream } from '../support/event-stream.js';
import { KlipfolioServer } from '../support/klipfolio-server.js';
import { baseUrlOf } from '../support/raw-http.js';
import { waitUntil } from '../support/service-process.js';
import { API_KEY, startTestApp, type TestApp } from '../support/test-app.js';

const DATASOURCE = '1a12bc34de56abc12de3ab4c45de12a3';
// the connections that listen: named at connect, they count once their LISTEN has finished (idle after it)
const LISTENERS = `SELECT pid FROM pg_stat_activity
  WHERE application_name = 'mobile-kpi-load-signal' AND datname = current_database()
    AND state = 'idle' AND query = $1`;
const LISTEN = new SqlCatalog().get('live/listen');

// Two replicas of the service on one source database and one warehouse, as behind a load balancer.
describe('Live updates across replicas', () => {
  let a: TestApp;
  let b: TestApp;
  const klipfolio = new KlipfolioServer();
  const heard = { a: [] as number[], b: [] as number[] };

  // each replica pushes to Klipfolio with a key of its own, so that the requests tell who sent them
  const replicaEnv = (apiUrl: string, name: string) => ({
    KLIPFOLIO_API_KEY: `kf-key-of-replica-${name}`,
    KLIPFOLIO_DATASOURCES: DATASOURCE,
    KLIPFOLIO_API_URL: apiUrl,
    KLIPFOLIO_MIN_INTERVAL: '1',
    LOG_LEVEL: 'fatal',
  });
  const listeners = async () => (await query<{ pid: number }>(a.databases.sourceUrl, LISTENERS, [LISTEN])).map((row) => row.pid);

  beforeAll(async () => {
    const apiUrl = await klipfolio.start();
    a = await startTestApp(replicaEnv(apiUrl, 'a'));
    b = await startTestApp(replicaEnv(apiUrl, 'b'), {}, a.databases);
    a.app.get(LoadSignal).onSignal((version) => heard.a.push(version));
    b.app.get(LoadSignal).onSignal((version) => heard.b.push(version));
    await b.app.listen(0, '127.0.0.1');
    await waitUntil(async () => (await listeners()).length === 2, 10_000, 'both replicas listen');
  });

  afterAll(async () => {
    await b?.close();
    await a?.close();
    await klipfolio.stop();
  });

  it('signals a load to the other replicas, not to its sender, and listens again after losing its connection', async () => {
    await a.app.get(LoadSignal).send(7);
    await waitUntil(() => heard.b.includes(7), 5_000, 'replica b heard 7');
    await b.app.get(LoadSignal).send(8);
    await waitUntil(() => heard.a.includes(8), 5_000, 'replica a heard 8');
    // a's own 7 was delivered to it before b's 8
    expect(heard).toEqual({ a: [8], b: [7] });

    const lost = await listeners();
    await query(a.databases.sourceUrl, 'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid = ANY($1)', [lost]);
    await waitUntil(
      async () => (await listeners()).filter((pid) => !lost.includes(pid)).length === 2,
      15_000,
      'both replicas listen again',
    );
    await a.app.get(LoadSignal).send(9);
    await waitUntil(() => heard.b.includes(9), 5_000, 'replica b heard 9');
  });

  it("follows the other replica's load on its event stream, and only the loading replica pushes to Klipfolio", async () => {
    const stream = await EventStream.open(baseUrlOf(b.app.getHttpServer()), `/api/v1/events?api_key=${API_KEY}`);
    try {
      await stream.next();
      await storeCallbacks(a, [installCallback()]);
      const run = await runEtl(a);
      expect(JSON.parse((await stream.next()).data)).toMatchObject({ version: run.id });
      await waitUntil(() => klipfolio.calls.length === 1, 5_000, "replica a's push");

      const bLoadAt = Date.now();
      await storeCallbacks(b, [installCallback()]);
      await runEtl(b);
      await waitUntil(() => klipfolio.calls.length === 2, 5_000, "replica b's push");
      // had b pushed after a's load, its first request would have come before its own load
      const [first, second] = klipfolio.calls;
      expect(first.apiKey).toBe('kf-key-of-replica-a');
      expect(second.apiKey).toBe('kf-key-of-replica-b');
      expect(second.at).toBeGreaterThanOrEqual(bLoadAt);
    } finally {
      stream.close();
    }
  });
});
