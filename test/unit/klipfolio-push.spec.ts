import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { KlipfolioError, type RefreshQueued } from '../../src/live/klipfolio/klipfolio.client.js';
import { KlipfolioPush, type RefreshSender } from '../../src/live/klipfolio/klipfolio-push.js';

const CONFIG = {
  apiKey: 'kf-key-0123456789',
  datasources: ['1a12bc34de56abc12de3ab4c45de12a3'],
  apiUrl: 'http://klipfolio.test',
  minIntervalSeconds: 60,
};

// The push's timing with a sender that answers as told, on Jest's clock (the e2e test runs it against
// a server that speaks Klipfolio's API).
describe(KlipfolioPush.name, () => {
  let answers: (() => Promise<RefreshQueued>)[];
  let sent: number[];
  let push: KlipfolioPush;
  const sender: RefreshSender = {
    refresh: () => {
      sent.push(Date.now());
      return (answers.shift() ?? (() => Promise.resolve({ failed: [] })))();
    },
  };
  // lets the settled request's callbacks run
  const settle = () => jest.advanceTimersByTimeAsync(0);

  beforeEach(() => {
    jest.useFakeTimers({ now: 0 });
    answers = [];
    sent = [];
    push = new KlipfolioPush(CONFIG, sender);
  });

  afterEach(() => {
    push.onApplicationShutdown();
    jest.useRealTimers();
  });

  it('sends nothing after loads that changed nothing while nothing is owed', async () => {
    push.loadCommitted(false);
    await jest.advanceTimersByTimeAsync(120_000);
    push.loadCommitted(false);
    await settle();
    expect(sent).toEqual([]);
  });

  it('pushes at once, then the changes of the quiet interval once when it ends', async () => {
    push.loadCommitted(true);
    await settle();
    await jest.advanceTimersByTimeAsync(10_000);
    push.loadCommitted(true);
    push.loadCommitted(true);
    await jest.advanceTimersByTimeAsync(49_999);
    expect(sent).toEqual([0]);
    await jest.advanceTimersByTimeAsync(1);
    expect(sent).toEqual([0, 60_000]);
    await jest.advanceTimersByTimeAsync(600_000);
    expect(sent).toHaveLength(2);
  });

  it("waits for Klipfolio's Retry-After when it is longer than the interval", async () => {
    answers.push(() => Promise.reject(new KlipfolioError('Klipfolio answered 429 Too Many Requests', 300)));
    push.loadCommitted(true);
    await settle();
    // the next loads come sooner: the retry waits until 300 s after the refused request
    await jest.advanceTimersByTimeAsync(100_000);
    push.loadCommitted(false);
    await jest.advanceTimersByTimeAsync(199_999);
    expect(sent).toEqual([0]);
    await jest.advanceTimersByTimeAsync(1);
    expect(sent).toEqual([0, 300_000]);
  });

  it('keeps a change that arrives during a request for the end of the interval', async () => {
    let answer!: (queued: RefreshQueued) => void;
    answers.push(() => new Promise((resolve) => (answer = resolve)));
    push.loadCommitted(true);
    await jest.advanceTimersByTimeAsync(5_000);
    push.loadCommitted(true);
    answer({ failed: [] });
    await jest.advanceTimersByTimeAsync(55_000);
    expect(sent).toEqual([0, 60_000]);
  });

  it('abandons what is owed at shutdown', async () => {
    push.loadCommitted(true);
    await settle();
    push.loadCommitted(true);
    push.onApplicationShutdown();
    push.loadCommitted(true);
    await jest.advanceTimersByTimeAsync(120_000);
    expect(sent).toEqual([0]);
  });
});
