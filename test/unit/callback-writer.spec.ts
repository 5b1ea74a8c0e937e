import { describe, expect, it } from '@jest/globals';
import type { AdjustActivity } from '../../src/collector/callback-parser.js';
import type { CallbackRepository } from '../../src/collector/callback.repository.js';
import { CallbackWriter, UnstorableActivityError, WRITER_LIMITS } from '../../src/collector/callback-writer.js';
import { DomainError } from '../../src/common/domain-error.js';
import { Telemetry } from '../../src/observability/telemetry.js';

// The group commit without a database: a recording repository whose every INSERT waits until the test
// answers it, so that the test decides what is in flight while more callbacks arrive.

type Insert = { keys: string[]; answer: (stored?: string[]) => void; fail: (error: Error) => void };

function recordingRepository(): { repository: CallbackRepository; inserts: Insert[] } {
  const inserts: Insert[] = [];
  const repository = {
    insertActivities: (activities: AdjustActivity[]) =>
      new Promise<Set<string>>((resolve, reject) => {
        const keys = activities.map((row) => row.dedup_key.toString('hex'));
        inserts.push({ keys, answer: (stored = keys) => resolve(new Set(stored)), fail: reject });
      }),
  };
  return { repository: repository as unknown as CallbackRepository, inserts };
}

// Only what the writer reads: the key and the text it sizes the queue by.
function activity(n: number, text = ''): AdjustActivity {
  const key = Buffer.alloc(4);
  key.writeUInt32BE(n);
  return { dedup_key: key, activity_kind: 'session', extra: {}, app_name: text } as unknown as AdjustActivity;
}
const keyOf = (n: number) => activity(n).dedup_key.toString('hex');

function setUp() {
  const { repository, inserts } = recordingRepository();
  const telemetry = new Telemetry();
  return { writer: new CallbackWriter(repository, telemetry), inserts, telemetry };
}

// The writer hands a batch to the repository within the same turn of the event loop, or after the
// INSERT before it settles (a few microtasks): waits until `count` INSERTs were sent.
async function insertsSent(inserts: Insert[], count: number): Promise<void> {
  for (let turn = 0; turn < 100 && inserts.length < count; turn++) await Promise.resolve();
  expect(inserts).toHaveLength(count);
}

const dataError = (code: string) => Object.assign(new Error(`value refused (${code})`), { code });

describe('CallbackWriter (group commit)', () => {
  it('sends the first callback at once and gathers those arriving meanwhile into the next INSERT', async () => {
    const { writer, inserts } = setUp();
    const first = writer.write(activity(1));
    await insertsSent(inserts, 1);
    const later = [2, 3, 4].map((n) => writer.write(activity(n)));
    await Promise.resolve();
    // one INSERT in flight at a time: the three wait for it
    expect(inserts).toHaveLength(1);

    inserts[0].answer();
    await expect(first).resolves.toBe('stored');
    await insertsSent(inserts, 2);
    expect(inserts[1].keys).toEqual([2, 3, 4].map(keyOf));
    inserts[1].answer();
    await expect(Promise.all(later)).resolves.toEqual(['stored', 'stored', 'stored']);
  });

  it('answers 200 only after the commit: a callback stays pending while its INSERT is in flight', async () => {
    const { writer, inserts } = setUp();
    let settled = false;
    const written = writer.write(activity(1)).finally(() => (settled = true));
    await insertsSent(inserts, 1);
    for (let turn = 0; turn < 20; turn++) await Promise.resolve();
    expect(settled).toBe(false);
    inserts[0].answer();
    await expect(written).resolves.toBe('stored');
  });

  it('inserts an activity sent twice into one batch once: the first copy is stored, the second a duplicate', async () => {
    const { writer, inserts } = setUp();
    const blocker = writer.write(activity(9));
    await insertsSent(inserts, 1);
    const copies = [writer.write(activity(1)), writer.write(activity(1)), writer.write(activity(2))];
    inserts[0].answer();
    await blocker;
    await insertsSent(inserts, 2);
    expect(inserts[1].keys).toEqual([keyOf(1), keyOf(2)]);
    inserts[1].answer();
    await expect(Promise.all(copies)).resolves.toEqual(['stored', 'duplicate', 'stored']);
  });

  it('calls an activity the database already held (not returned by the INSERT) a duplicate', async () => {
    const { writer, inserts } = setUp();
    const blocker = writer.write(activity(9));
    await insertsSent(inserts, 1);
    const written = [writer.write(activity(1)), writer.write(activity(2))];
    inserts[0].answer();
    await blocker;
    await insertsSent(inserts, 2);
    inserts[1].answer([keyOf(2)]);
    await expect(Promise.all(written)).resolves.toEqual(['duplicate', 'stored']);
  });

  it('splits the queue into batches of at most maxBatch rows', async () => {
    const { writer, inserts } = setUp();
    const blocker = writer.write(activity(0));
    await insertsSent(inserts, 1);
    const queued = Array.from({ length: WRITER_LIMITS.maxBatch + 7 }, (_, i) => writer.write(activity(i + 1)));
    inserts[0].answer();
    await blocker;
    await insertsSent(inserts, 2);
    expect(inserts[1].keys).toHaveLength(WRITER_LIMITS.maxBatch);
    inserts[1].answer();
    await insertsSent(inserts, 3);
    expect(inserts[2].keys).toEqual(Array.from({ length: 7 }, (_, i) => keyOf(WRITER_LIMITS.maxBatch + i + 1)));
    inserts[2].answer();
    expect(new Set(await Promise.all(queued))).toEqual(new Set(['stored']));
  });

  it('stores the others one by one when the database refuses one activity of a batch, and refuses only that one', async () => {
    const { writer, inserts } = setUp();
    const blocker = writer.write(activity(9));
    await insertsSent(inserts, 1);
    const written = [1, 2, 3].map((n) => writer.write(activity(n)));
    inserts[0].answer();
    await blocker;
    await insertsSent(inserts, 2);
    inserts[1].fail(dataError('22001'));

    for (const n of [1, 2, 3]) {
      await insertsSent(inserts, 2 + n);
      expect(inserts[1 + n].keys).toEqual([keyOf(n)]);
      if (n === 2) inserts[1 + n].fail(dataError('22001'));
      else inserts[1 + n].answer();
    }
    const outcomes = await Promise.allSettled(written);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((outcomes[1] as PromiseRejectedResult).reason).toBeInstanceOf(UnstorableActivityError);
  });

  it('refuses the whole batch as unavailable (a retry, 503) when the database itself fails', async () => {
    const { writer, inserts } = setUp();
    const written = writer.write(activity(1));
    await insertsSent(inserts, 1);
    inserts[0].fail(Object.assign(new Error('Connection terminated unexpectedly'), { code: undefined }));
    await expect(written).rejects.toEqual(new DomainError('UNAVAILABLE', 'The callback could not be stored; retry later'));
    // the next callback gets a fresh INSERT: the failure left nothing behind
    const next = writer.write(activity(2));
    await insertsSent(inserts, 2);
    inserts[1].answer();
    await expect(next).resolves.toBe('stored');
  });

  it('answers overloaded, without queueing, once maxQueued callbacks wait', async () => {
    const { writer, inserts, telemetry } = setUp();
    const blocker = writer.write(activity(0));
    await insertsSent(inserts, 1);
    const waiting = Array.from({ length: WRITER_LIMITS.maxQueued }, (_, i) => writer.write(activity(i + 1)));
    await expect(writer.write(activity(WRITER_LIMITS.maxQueued + 1))).rejects.toEqual(
      new DomainError('OVERLOADED', 'The collector is overloaded; retry later'),
    );
    expect(await telemetry.render()).toContain(`kpi_collector_queued_callbacks ${WRITER_LIMITS.maxQueued}`);
    inserts[0].answer();
    await blocker;
    // drain the queue so that nothing is left pending
    for (let batch = 1; batch <= WRITER_LIMITS.maxQueued / WRITER_LIMITS.maxBatch; batch++) {
      await insertsSent(inserts, 1 + batch);
      inserts[batch].answer();
    }
    expect(new Set(await Promise.all(waiting))).toEqual(new Set(['stored']));
  });

  it('answers overloaded once the queued callbacks reach maxQueuedBytes', async () => {
    const { writer, inserts } = setUp();
    const blocker = writer.write(activity(0));
    await insertsSent(inserts, 1);
    // four callbacks of just under a quarter of the limit each fit; a fifth of 400 characters does not
    const large = 'x'.repeat(WRITER_LIMITS.maxQueuedBytes / 4 - 100);
    const waiting = [1, 2, 3, 4].map((n) => writer.write(activity(n, large)));
    await expect(writer.write(activity(5, 'y'.repeat(400)))).rejects.toEqual(
      new DomainError('OVERLOADED', 'The collector is overloaded; retry later'),
    );
    inserts[0].answer();
    await blocker;
    // 4 MiB per batch at most: each large callback (16 MiB) goes alone
    for (let batch = 1; batch <= 4; batch++) {
      await insertsSent(inserts, 1 + batch);
      expect(inserts[batch].keys).toEqual([keyOf(batch)]);
      inserts[batch].answer();
    }
    await expect(Promise.all(waiting)).resolves.toEqual(['stored', 'stored', 'stored', 'stored']);
  });
});
