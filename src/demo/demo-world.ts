import { setImmediate as nextTurn } from 'node:timers/promises';
import { type DemoApp, DEMO_APPS } from './catalog.js';
import { CallbackQueue, type DemoCallback } from './callback-queue.js';
import { DeviceDay, type FirstSession } from './device-day.js';
import { type Device, makeProfile, makeTrackers } from './devices.js';
import { createRandom } from './random.js';
import { alive, drawReturning, installsPerDayFor, RETENTION, type Returning, returnsOn, weekdayFactor } from './retention.js';
import { SideActivities } from './side-activities.js';
import { DAY_S, TrafficContext } from './traffic-context.js';

export type DemoWorldOptions = {
  seed: number;
  // the steady number of production devices active on a day, over all apps
  dau: number;
  // the first simulated day, in days since 1970-01-01 (UTC)
  firstDay: number;
};

type AppUsers = { app: DemoApp; alive: Device[]; testPhones: Device[] };

const DAY_MS = DAY_S * 1000;
// A day is simulated this long before it starts: the ad click of an install comes up to 3 hours before
// it, so a day's first callbacks may be due on the day before.
const LOOKAHEAD_MS = 4 * 3_600_000;
// A user back after this many days away may come back through an ad (a reattribution) or a reinstall.
const REENGAGE_AFTER_DAYS = 7;
const REENGAGEMENTS: [FirstSession, number][] = [
  ['reattribution', 0.35],
  ['reinstall', 0.08],
  ['reattribution_reinstall', 0.04],
  ['session', 0.53],
];
const UNINSTALL_SHARE = 0.2;
const TEST_PHONES_PER_APP = 2;
// per paid install: clicks that led nowhere, and installs Adjust's fraud prevention rejected
const CLICKS_PER_PAID_INSTALL = 1;
const REJECTED_PER_PAID_INSTALL = 0.05;
const PAID_SHARE = 0.6;

// The demo's users of every app, simulated day by day from `firstDay`: new installs at the weekly rhythm,
// earlier users coming back along the retention curve, and their callbacks in sending order. The same
// seed, dau and first day give the same callbacks.
export class DemoWorld {
  private readonly ctx: TrafficContext;
  private readonly deviceDay: DeviceDay;
  private readonly side: SideActivities;
  private readonly users: AppUsers[];
  private readonly installsPerDay: number;
  private readonly portfolioWeight = DEMO_APPS.reduce((sum, app) => sum + app.weight, 0);
  private nextDay: number;

  constructor({ seed, dau, firstDay }: DemoWorldOptions) {
    const random = createRandom(seed);
    const trackers = new Map(DEMO_APPS.map((app) => [app.token, makeTrackers(random, app)]));
    this.ctx = new TrafficContext(random, new CallbackQueue(random), trackers);
    this.deviceDay = new DeviceDay(this.ctx);
    this.side = new SideActivities(this.ctx, this.deviceDay);
    this.installsPerDay = installsPerDayFor(dau);
    this.users = DEMO_APPS.map((app) => ({ app, alive: this.earlierUsers(app, firstDay), testPhones: this.testPhones(app, firstDay) }));
    this.nextDay = firstDay;
  }

  // The callbacks due by `ms` (Unix milliseconds) that were not taken yet, in sending order.
  until(ms: number): DemoCallback[] {
    while (this.nextDay * DAY_MS - LOOKAHEAD_MS <= ms) this.simulate(this.nextDay++);
    return this.ctx.queue.takeUntil(ms);
  }

  // Moves on to `ms`, dropping what fell due meanwhile a day at a time (a restart carries on with the
  // users where they are now, in constant memory however long ago the first day was). The service
  // listens meanwhile: it answers requests between two days.
  async skipUntil(ms: number): Promise<void> {
    while (this.nextDay * DAY_MS - LOOKAHEAD_MS <= ms) {
      this.simulate(this.nextDay++);
      this.ctx.queue.takeUntil(ms);
      await nextTurn();
    }
    this.ctx.queue.takeUntil(ms);
  }

  private simulate(day: number): void {
    for (const users of this.users) {
      const { app } = users;
      const installs = this.meanInstalls(app, day);
      const returning = users.alive.filter((device) => returnsOn(device, day));
      for (const device of returning) this.deviceDay.run(device, day, this.firstSession(device, day));
      for (let n = this.ctx.random.poisson(installs); n > 0; n--) users.alive.push(this.install(app, day));
      users.alive = users.alive.filter((device) => this.staysAfter(device, day));
      this.useTestPhones(users.testPhones, day);
      this.noise(app, installs * PAID_SHARE, returning, day);
    }
  }

  private install(app: DemoApp, day: number): Device {
    const { random } = this.ctx;
    const registers = random.chance(app.registrationRate) ? (random.chance(0.75) ? 'install day' : 'next day') : null;
    const device = this.device(app, drawReturning(random, day), { profile: makeProfile(random, app), registers });
    this.deviceDay.run(device, day, 'install');
    this.side.aroundInstall(device);
    return device;
  }

  private firstSession(device: Device, day: number): FirstSession {
    if (day - device.lastActiveDay < REENGAGE_AFTER_DAYS) return 'session';
    return this.ctx.random.weighted(REENGAGEMENTS, ([, weight]) => weight)[0];
  }

  // False once the device's lifetime is over; some of those who leave uninstall in the next days.
  private staysAfter(device: Device, day: number): boolean {
    if (alive(device, day + 1)) return true;
    const { random } = this.ctx;
    if (device.profile && random.chance(UNINSTALL_SHARE)) this.side.uninstall(device, (day + 1) * DAY_S + random.int(0, 3 * DAY_S));
    return false;
  }

  // The team's test phones use the apps on workdays in the sandbox environment, and reinstall each
  // Monday as a new device (a "forgotten" test device, which gets a new adid).
  private useTestPhones(phones: Device[], day: number): void {
    const weekday = new Date(day * DAY_MS).getUTCDay();
    if (weekday === 0 || weekday === 6) return;
    for (const phone of phones.filter(() => this.ctx.random.chance(0.6))) {
      if (weekday === 1) {
        phone.profile = makeProfile(this.ctx.random, phone.app);
        phone.registers = 'install day';
      }
      this.deviceDay.run(phone, day, weekday === 1 ? 'install' : 'session');
    }
  }

  // Clicks that led nowhere, and paid installs and reattributions Adjust's fraud prevention rejected.
  private noise(app: DemoApp, paidInstalls: number, returning: Device[], day: number): void {
    const { random } = this.ctx;
    const at = () => day * DAY_S + random.int(0, DAY_S - 1);
    for (let n = random.poisson(paidInstalls * CLICKS_PER_PAID_INSTALL); n > 0; n--) this.side.click(app, this.ctx.paidTracker(app), at());
    for (let n = random.poisson(paidInstalls * REJECTED_PER_PAID_INSTALL + 0.2); n > 0; n--) this.side.rejectedInstall(app, at());
    if (returning.length > 0 && random.chance(0.15)) this.side.rejectedReattribution(random.pick(returning), at());
  }

  private meanInstalls(app: DemoApp, day: number): number {
    return ((this.installsPerDay * app.weight) / this.portfolioWeight) * weekdayFactor(day);
  }

  // Users installed before the first day who are still around then. Their details are drawn only if
  // they come back (most never do), and they come with a past: sessions, a last visit days ago.
  private earlierUsers(app: DemoApp, firstDay: number): Device[] {
    const { random } = this.ctx;
    const users: Device[] = [];
    for (let day = firstDay - RETENTION.maxLifetimeDays; day < firstDay; day++) {
      for (let n = random.poisson(this.meanInstalls(app, day)); n > 0; n--) {
        const returning = drawReturning(random, day);
        if (!alive(returning, firstDay)) continue;
        const lastActiveDay = Math.max(day, firstDay - random.int(1, 5));
        const lastSession = { start: lastActiveDay * DAY_S + random.int(8 * 3600, 22 * 3600), length: random.int(30, 900) };
        const sessions = random.int(2, 60);
        users.push(
          this.device(app, returning, {
            lastActiveDay,
            lastSession,
            sessionCount: sessions,
            lifetimeSessionCount: sessions + random.int(0, 20),
          }),
        );
      }
    }
    return users;
  }

  private testPhones(app: DemoApp, firstDay: number): Device[] {
    const returning = { installDay: firstDay - 30, lifetime: Infinity, q: 1, salt: 0 };
    return Array.from({ length: TEST_PHONES_PER_APP }, () =>
      this.device(app, returning, {
        environment: 'sandbox',
        tracker: this.ctx.organicTracker(app),
        profile: makeProfile(this.ctx.random, app),
      }),
    );
  }

  private device(app: DemoApp, returning: Returning, details: Partial<Device>): Device {
    const { random } = this.ctx;
    return {
      ...returning,
      app,
      environment: 'production',
      profile: null,
      tracker: this.ctx.anyTracker(app),
      installedAt: returning.installDay * DAY_S + random.int(0, DAY_S - 1),
      lastSession: null,
      lastActiveDay: returning.installDay,
      sessionCount: 0,
      lifetimeSessionCount: 0,
      registers: null,
      userId: null,
      abGroup: random.chance(0.5) ? 'A' : 'B',
      ...details,
    };
  }
}
