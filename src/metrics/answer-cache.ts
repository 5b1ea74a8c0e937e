import type { MetricAnswer, MetricRequest } from './metric-answers.js';

// An answer ready to send: its JSON without the freshness (added per request), and its ETag.
export type CachedAnswer = { request: MetricRequest; answer: MetricAnswer; json: string; etag: string };

// Answers of one data version, keyed by the normalised request. Concurrent misses of one key share one
// computation; a failed computation is not kept. The least recently used entries go beyond `maxEntries`.
// `onLookup` hears of each hit and miss (the Prometheus counter).
export class AnswerCache {
  private entries = new Map<string, Promise<CachedAnswer>>();

  constructor(
    private readonly maxEntries: number,
    private readonly onLookup: (hit: boolean) => void = () => undefined,
  ) {}

  get(key: string, compute: () => Promise<CachedAnswer>): Promise<CachedAnswer> {
    const entries = this.entries;
    let entry = entries.get(key);
    this.onLookup(entry !== undefined);
    if (entry) {
      entries.delete(key);
      entries.set(key, entry);
      return entry;
    }
    entry = compute();
    entries.set(key, entry);
    entry.catch(() => {
      if (entries.get(key) === entry) entries.delete(key);
    });
    if (entries.size > this.maxEntries) entries.delete(entries.keys().next().value!);
    return entry;
  }

  // The settled answers, most recently used first.
  async settled(): Promise<CachedAnswer[]> {
    const settled = await Promise.allSettled([...this.entries.values()].reverse());
    return settled.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  }

  // Swaps in the answers of a new data version at once: until then, readers get the previous version's.
  replace(answers: CachedAnswer[], key: (request: MetricRequest) => string): void {
    this.entries = new Map(answers.map((answer) => [key(answer.request), Promise.resolve(answer)]));
  }

  clear(): void {
    this.entries = new Map();
  }
}
