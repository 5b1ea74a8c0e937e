import type { DemoApp } from './catalog.js';
import { CALLBACK_PATH, callbackQuery, type ValueLayers, valueOf } from './callback-query.js';
import type { Random } from './random.js';

// One callback as Adjust sends it, with what the demo knows about it (for progress, summaries and tests).
export type DemoCallback = {
  seq: number; // unique, in the order the callbacks were made
  path: string; // /api/v1/adjust/callback?activity_kind=…
  sendAtMs: number; // when Adjust sends it: seconds after the activity, or hours for a phone that was offline
  createdAt: number; // the activity's Unix seconds
  kind: string; // activity_kind
  appToken: string;
  adid: string | null;
  sandbox: boolean;
  // for a second copy of an activity (a retry, or the event callback next to the global one): the
  // first copy's seq; the collector stores the activity once
  repeatOf: number | null;
};

// `copyOf`: the activity's first callback, when this is a second URL for it (the event callback)
export type Send = { sendAtMs: number; template?: readonly string[]; appParams?: [string, string][]; copyOf?: DemoCallback };

// Adjust retries a callback whose answer got lost; the copy arrives seconds to hours after the first.
const RETRY_SHARE = 0.005;

// The callbacks made so far and not yet sent, in sending order.
export class CallbackQueue {
  private seq = 0;
  private pending: DemoCallback[] = [];
  private sorted = true;

  constructor(private readonly random: Random) {}

  add(app: DemoApp, values: ValueLayers, send: Send): DemoCallback {
    const query = callbackQuery(send.template ?? app.template, values, send.appParams);
    const adid = valueOf(values, 'adid');
    const callback: DemoCallback = {
      seq: this.seq++,
      path: `${CALLBACK_PATH}?${query}`,
      sendAtMs: send.sendAtMs,
      createdAt: Number(valueOf(values, 'created_at')),
      kind: String(valueOf(values, 'activity_kind')),
      appToken: app.token,
      adid: adid ? String(adid) : null,
      sandbox: valueOf(values, 'environment') === 'sandbox',
      repeatOf: send.copyOf?.seq ?? null,
    };
    this.push(callback);
    if (!send.copyOf && this.random.chance(RETRY_SHARE)) this.retry(callback, callback.sendAtMs + this.random.int(1, 6 * 3600) * 1000);
    return callback;
  }

  // A byte-for-byte copy of `original`, sent again at `sendAtMs`.
  private retry(original: DemoCallback, sendAtMs: number): void {
    this.push({ ...original, seq: this.seq++, sendAtMs, repeatOf: original.seq });
  }

  // Removes and returns the callbacks due by `ms`, in sending order.
  takeUntil(ms: number): DemoCallback[] {
    if (!this.sorted) {
      this.pending.sort((a, b) => a.sendAtMs - b.sendAtMs || a.seq - b.seq);
      this.sorted = true;
    }
    let due = 0;
    while (due < this.pending.length && this.pending[due].sendAtMs <= ms) due++;
    return this.pending.splice(0, due);
  }

  private push(callback: DemoCallback): void {
    const last = this.pending[this.pending.length - 1];
    if (last && (last.sendAtMs > callback.sendAtMs || (last.sendAtMs === callback.sendAtMs && last.seq > callback.seq)))
      this.sorted = false;
    this.pending.push(callback);
  }
}
