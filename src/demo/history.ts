import type { DemoCallback } from './callback-queue.js';
import type { DemoWorld } from './demo-world.js';

const HOUR_MS = 3_600_000;

// The callbacks a world sends from `fromMs` to `untilMs`, made an hour of sending time at a time as
// they are taken, so a history of any size goes out in constant memory. `share` tells how far it got.
export class History implements Iterable<DemoCallback> {
  private reachedMs: number;

  constructor(
    private readonly world: DemoWorld,
    private readonly fromMs: number,
    private readonly untilMs: number,
  ) {
    this.reachedMs = fromMs;
  }

  // 0 … 1: the part of the time span whose callbacks were taken
  get share(): number {
    return this.untilMs > this.fromMs ? (this.reachedMs - this.fromMs) / (this.untilMs - this.fromMs) : 1;
  }

  *[Symbol.iterator](): Iterator<DemoCallback> {
    for (let at = this.fromMs; ; at = Math.min(at + HOUR_MS, this.untilMs)) {
      yield* this.world.until(at);
      this.reachedMs = at;
      if (at >= this.untilMs) return;
    }
  }
}
