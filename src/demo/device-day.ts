import { REGISTRATION_EVENT_NAME, utcOffsetHours } from './catalog.js';
import { EVENT_CALLBACK_TEMPLATE } from './callback-templates.js';
import type { CallbackValue, ValueLayers } from './callback-query.js';
import { appValues, type Device } from './devices.js';
import { DAY_S, HOUR_S, type TrafficContext } from './traffic-context.js';

// How a device's day starts: its install, a plain session, or a re-engagement after a pause.
export type FirstSession = 'install' | 'session' | 'reattribution' | 'reinstall' | 'reattribution_reinstall';

// When people open these apps, by local hour: a morning bump, lunch, and the evening peak.
const LOCAL_HOUR_WEIGHTS = [3, 2, 1.5, 1, 1, 2, 5, 9, 11, 10, 9, 10, 13, 12, 10, 9, 10, 12, 14, 16, 18, 17, 12, 7];
const HOURS = [...LOCAL_HOUR_WEIGHTS.keys()];
// Adjust starts a new session after 30 minutes without activity.
const SESSION_GAP_S = 1_800;
// Sessions of a phone that was offline reach Adjust (and so us) 1–36 hours late.
const LATE_SHARE = 0.025;
// An SDK reports 0 seconds now and then (a session cut short in the background): not a length.
const ZERO_LENGTH_SHARE = 0.02;
const PURCHASE_SHARE = 0.03;

type Session = { start: number; length: number };

// One active day of one device: its sessions and the events inside them, as session callbacks that
// report the previous session's length (Adjust only knows it when the next one starts).
export class DeviceDay {
  constructor(private readonly ctx: TrafficContext) {}

  run(device: Device, day: number, first: FirstSession): void {
    const sessions = this.plan(device, day, first === 'install');
    sessions.forEach((session, index) => {
      const lateS = this.ctx.random.chance(LATE_SHARE) ? this.ctx.random.int(HOUR_S, 36 * HOUR_S) : 0;
      this.sessionCallback(device, index === 0 ? first : 'session', session.start, lateS);
      this.events(device, session, lateS, index === 0);
      device.lastSession = session;
    });
    device.lastActiveDay = day;
  }

  // The values every callback of the device has: the app's, the device's, its link's, and the activity's.
  base(device: Device, kind: string, createdAt: number): ValueLayers {
    const activity = { activity_kind: kind, created_at: createdAt, installed_at: device.installedAt };
    return [appValues(device.app, device.environment), this.ctx.profileOf(device), device.tracker.values, activity];
  }

  // the app's own SDK callback parameters, which Adjust appends to the URL
  private appParams(device: Device): [string, string][] {
    const params: [string, string][] = device.userId ? [['user_id', device.userId]] : [];
    if (device.app.name === 'com.example.fitapp') params.push(['ab_group', device.abGroup]);
    return params;
  }

  private sendAt(createdAt: number, lateS: number): number {
    return this.ctx.promptly(createdAt + lateS);
  }

  // Session starts spread over the day by local hour, at least 30 minutes apart after each one ends.
  private plan(device: Device, day: number, installDay: boolean): Session[] {
    const { random } = this.ctx;
    const count = 1 + random.poisson(device.app.sessionsPerDay - 1);
    const offsetS = utcOffsetHours(this.ctx.profileOf(device).timezone) * HOUR_S;
    const starts = Array.from({ length: count }, () => {
      const local = random.weighted(HOURS, (hour) => LOCAL_HOUR_WEIGHTS[hour]) * HOUR_S + random.int(0, HOUR_S - 1);
      return (((local - offsetS) % DAY_S) + DAY_S) % DAY_S;
    }).sort((a, b) => a - b);
    const sessions: Session[] = [];
    let earliest = day * DAY_S;
    for (const start of starts) {
      const at = Math.max(day * DAY_S + start, earliest);
      if (at >= (day + 1) * DAY_S) break;
      const length = Math.round(Math.min(3_600, Math.max(5, random.logNormal(device.app.medianSessionSeconds, 0.9))));
      sessions.push({ start: at, length });
      earliest = at + length + SESSION_GAP_S;
    }
    if (installDay) device.installedAt = sessions[0].start;
    return sessions;
  }

  private sessionCallback(device: Device, kind: FirstSession, start: number, lateS: number): void {
    const { random } = this.ctx;
    device.lifetimeSessionCount++;
    device.sessionCount = kind === 'install' || kind.endsWith('reinstall') ? 1 : device.sessionCount + 1;
    const own: Record<string, CallbackValue> = { session_count: device.sessionCount, lifetime_session_count: device.lifetimeSessionCount };
    if (kind === 'session' && device.lastSession) {
      own.last_session_time = device.lastSession.start;
      own.last_time_spent = random.chance(ZERO_LENGTH_SHARE) ? 0 : device.lastSession.length;
      own.time_spent = 0;
    }
    if (kind.startsWith('reattribution')) {
      device.tracker = this.ctx.paidTracker(device.app, device.tracker);
      const conversion = random.int(10, 6 * HOUR_S);
      Object.assign(own, { reattributed_at: start, click_time: start - conversion, conversion_duration: conversion });
    }
    const values = [...this.base(device, kind, start), own];
    this.ctx.queue.add(device.app, values, { sendAtMs: this.sendAt(start, lateS), appParams: this.appParams(device) });
  }

  // Events at increasing moments of the session: the registration (once per user), others at the app's rate.
  private events(device: Device, session: Session, lateS: number, firstOfDay: boolean): void {
    const { random } = this.ctx;
    const { app } = device;
    const installSession = device.installedAt === session.start;
    const registers =
      firstOfDay && (device.registers === 'install day' ? installSession : device.registers === 'next day' && !installSession);
    const others = Array.from({ length: random.poisson(app.eventsPerSession) }, () => random.pick(app.events.other));
    const purchase = app.events.purchase !== null && random.chance(PURCHASE_SHARE);
    const total = others.length + (registers ? 1 : 0) + (purchase ? 1 : 0);
    let step = 0;
    const nextMoment = () => session.start + Math.round((session.length * ++step) / (total + 1)) + step;
    if (registers) this.registration(device, nextMoment(), session.start, lateS);
    for (const [token, name] of others) this.event(device, nextMoment(), session.start, lateS, token, name);
    if (purchase) this.event(device, nextMoment(), session.start, lateS, app.events.purchase!, 'purchase');
  }

  private event(device: Device, at: number, sessionStart: number, lateS: number, token: string, name: string): void {
    const values = [...this.eventValues(device, at, sessionStart, token, name), ...(name === 'purchase' ? [this.revenue()] : [])];
    const params = this.appParams(device);
    if (name === 'level_complete') params.push(['level', String(this.ctx.random.int(1, 60))]);
    this.ctx.queue.add(device.app, values, { sendAtMs: this.sendAt(at, lateS), appParams: params });
  }

  // A registration, with the user id the app sets from then on; apps with an event callback next to the
  // global one get it twice (the collector keeps one).
  private registration(device: Device, at: number, sessionStart: number, lateS: number): void {
    device.registers = null;
    device.userId ??= this.ctx.nextUserId();
    const values = this.eventValues(device, at, sessionStart, device.app.events.registration, REGISTRATION_EVENT_NAME);
    const appParams: [string, string][] = [
      ...this.appParams(device),
      ['signup_method', this.ctx.random.pick(['email', 'google', 'apple'])],
    ];
    const first = this.ctx.queue.add(device.app, values, { sendAtMs: this.sendAt(at, lateS), appParams });
    if (!device.app.registrationCallback) return;
    const sendAtMs = first.sendAtMs + this.ctx.random.int(50, 3_000);
    this.ctx.queue.add(device.app, values, { sendAtMs, template: EVENT_CALLBACK_TEMPLATE, appParams, copyOf: first });
  }

  private eventValues(device: Device, at: number, sessionStart: number, token: string, name: string): ValueLayers {
    const event = {
      event: token,
      event_name: name,
      session_count: device.sessionCount,
      lifetime_session_count: device.lifetimeSessionCount,
      time_spent: at - sessionStart,
    };
    return [...this.base(device, 'event', at), event];
  }

  private revenue(): Record<string, CallbackValue> {
    const { random } = this.ctx;
    const cents = random.pick([99, 299, 499, 999, 1999, 4999]);
    const [currency, toUsd] = random.weighted(
      [
        ['usd', 1, 6],
        ['eur', 1.08, 3],
        ['gbp', 1.27, 1],
      ] as const,
      (entry) => entry[2],
    );
    const amount = cents / 100;
    return {
      revenue: cents,
      revenue_float: amount.toFixed(2),
      // Adjust's conversion to US dollars, which the revenue klip sums
      revenue_usd: (amount * toUsd).toFixed(2),
      currency,
      reporting_revenue: (amount * toUsd).toFixed(4),
      reporting_currency: 'usd',
    };
  }
}
