import type { DemoApp } from './catalog.js';
import type { CallbackQueue } from './callback-queue.js';
import { type Device, isOrganic, makeProfile, type Tracker } from './devices.js';
import type { Random } from './random.js';

export const DAY_S = 86_400;
export const HOUR_S = 3_600;

// What every part of the demo traffic shares: the random source, the queue it adds callbacks to, and
// each app's links.
export class TrafficContext {
  private userIds = 100_000;

  constructor(
    readonly random: Random,
    readonly queue: CallbackQueue,
    private readonly trackers: Map<string, Tracker[]>,
  ) {}

  // The link a new user came through: Organic about 40 % of the time.
  anyTracker(app: DemoApp): Tracker {
    return this.random.weighted(this.trackersOf(app), (tracker) => tracker.weight);
  }

  // A paid link other than `except` (a network that claims a user later, or a retargeting campaign).
  paidTracker(app: DemoApp, except?: Tracker): Tracker {
    const paid = this.trackersOf(app).filter((tracker) => !isOrganic(tracker) && tracker.network !== except?.network);
    return this.random.weighted(paid, (tracker) => tracker.weight);
  }

  organicTracker(app: DemoApp): Tracker {
    return this.trackersOf(app).find(isOrganic)!;
  }

  nextUserId(): string {
    return `u_${this.userIds++}`;
  }

  // When Adjust sends a callback: seconds after the activity.
  promptly(createdAt: number): number {
    return createdAt * 1000 + this.random.int(500, 20_000);
  }

  // The device's details, drawn when it first sends a callback.
  profileOf(device: Device) {
    device.profile ??= makeProfile(this.random, device.app);
    return device.profile;
  }

  private trackersOf(app: DemoApp): Tracker[] {
    return this.trackers.get(app.token)!;
  }
}
