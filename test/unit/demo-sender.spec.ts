import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from '@jest/globals';
import type { DemoCallback } from '../../src/demo/callback-queue.js';
import { CallbackSender, DemoSendError, requestHost } from '../../src/demo/callback-sender.js';
import { freePort } from '../../src/database/embedded-postgres.js';

type Answer = { status: number; body?: object };

// A stand-in collector on a local port (127.0.0.1): answers each request with the next of
// `answers` (null: no answer at all), and records the URLs it received.
async function collector(answer: (url: string, count: number) => Answer | null) {
  const urls: string[] = [];
  const server = http.createServer((req, res) => {
    urls.push(req.url!);
    const answered = answer(req.url!, urls.length);
    if (answered) res.writeHead(answered.status, { 'content-type': 'application/json' }).end(JSON.stringify(answered.body ?? {}));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  const { port } = server.address() as AddressInfo;
  return { urls, url: `http://127.0.0.1:${port}` };
}

const servers: http.Server[] = [];
const senders: CallbackSender[] = [];
const sender = (url: string, token?: string, concurrency?: number, timeoutMs?: number) => {
  const created = new CallbackSender(url, token, concurrency, timeoutMs);
  senders.push(created);
  return created;
};

const callback = (n: number): DemoCallback => ({
  seq: n,
  path: `/api/v1/adjust/callback?activity_kind=session&created_at=${1_795_000_000 + n}&adid=${n}`,
  sendAtMs: 0,
  createdAt: 1_795_000_000 + n,
  kind: 'session',
  appToken: 'x7fq2kd9m3aa',
  adid: String(n),
  sandbox: false,
  repeatOf: null,
});

describe(CallbackSender.name, () => {
  afterEach(async () => {
    senders.splice(0).forEach((s) => s.close());
    await Promise.all(
      servers.splice(0).map((server) => {
        server.closeAllConnections(); // a request left unanswered
        return new Promise((resolve) => server.close(resolve));
      }),
    );
  });

  it('sends every callback as a GET and counts what the collector answered', async () => {
    const answers: Answer[] = [
      { status: 200, body: { status: 'stored' } },
      { status: 200, body: { status: 'duplicate' } },
      { status: 400 },
    ];
    const target = await collector((_url, count) => answers[count - 1]);
    const progress: number[] = [];

    const report = await sender(target.url, undefined, 1).send([callback(1), callback(2), callback(3)], (sofar) =>
      progress.push(sofar.sent),
    );

    expect(report).toEqual({ sent: 3, stored: 1, duplicates: 1, refused: 1 });
    expect(target.urls).toEqual([callback(1).path, callback(2).path, callback(3).path]);
    expect(progress).toEqual([1, 2, 3]);
  });

  it('adds the callback token when it has one', async () => {
    const target = await collector(() => ({ status: 200, body: { status: 'stored' } }));
    await sender(target.url, 'demo token&1').send([callback(1)]);
    expect(target.urls).toEqual([`${callback(1).path}&token=demo%20token%261`]);
  });

  it('sends again after a 503, as Adjust retries', async () => {
    const target = await collector((_url, count) => (count === 1 ? { status: 503 } : { status: 200, body: { status: 'stored' } }));
    const report = await sender(target.url).send([callback(1)]);
    expect(report.stored).toBe(1);
    expect(target.urls).toHaveLength(2);
  });

  it('stops with a clear error when the service refuses the token', async () => {
    const target = await collector(() => ({ status: 401 }));
    const sent = sender(target.url, 'wrong-token').send([callback(1)]);
    await expect(sent).rejects.toThrow(DemoSendError);
    await expect(sent).rejects.toThrow(/refused the callback token \(401\).*--token or CALLBACK_TOKEN/);
  });

  it('stops every connection after one failure, and throws once those in flight are answered', async () => {
    // only the first request is refused: the others would go on without the stop
    const target = await collector((_url, count) => (count === 1 ? { status: 401 } : { status: 200, body: { status: 'stored' } }));
    let taken = 0;
    function* callbacks() {
      for (let n = 0; n < 50; n++) {
        taken++;
        yield callback(n);
      }
    }
    await expect(sender(target.url, 'wrong-token', 4).send(callbacks())).rejects.toThrow(DemoSendError);
    // the refused one and those already in flight on the other three connections, each sent and answered
    // before the throw; nothing taken after it
    expect(taken).toBeLessThanOrEqual(4);
    expect(target.urls).toHaveLength(taken);
  });

  it('says that nothing listens when the connection is refused', async () => {
    const port = await freePort();
    await expect(sender(`http://127.0.0.1:${port}`).send([callback(1)])).rejects.toThrow(
      `Cannot reach http://127.0.0.1:${port}: connection refused. Is the service running there (npm start)?`,
    );
  });

  it('gives up on a service that does not answer, naming its URL but not the token', async () => {
    const target = await collector(() => null);
    await expect(sender(target.url, 'secret-token', 1, 200).send([callback(1)])).rejects.toThrow(
      new DemoSendError(`No answer from ${target.url}/api/v1/adjust/callback within 0.2 s: is the service stuck or overloaded?`),
    );
  });

  it('keeps a connection that stays idle longer than the timeout between two callbacks', async () => {
    const target = await collector(() => ({ status: 200, body: { status: 'stored' } }));
    const patient = sender(target.url, undefined, 1, 200);
    await patient.send([callback(1)]);
    await new Promise((resolve) => setTimeout(resolve, 400));
    await expect(patient.send([callback(2)])).resolves.toMatchObject({ stored: 1 });
  });

  it('connects to an IPv6 address written in brackets without them, and to names as written', () => {
    expect(requestHost(new URL('http://[::1]:3000'))).toBe('::1');
    expect(requestHost(new URL('http://[2001:db8::7]/'))).toBe('2001:db8::7');
    expect(requestHost(new URL('https://kpi.example.com:8443'))).toBe('kpi.example.com');
    expect(requestHost(new URL('http://127.0.0.1:3000'))).toBe('127.0.0.1');
  });

  it('takes no new callback once told to stop', async () => {
    const target = await collector(() => ({ status: 200, body: { status: 'stored' } }));
    let stop = false;
    const report = await sender(target.url, undefined, 1).send(
      [callback(1), callback(2), callback(3)],
      () => (stop = true),
      () => stop,
    );
    expect(report.sent).toBe(1);
    expect(target.urls).toHaveLength(1);
  });
});
